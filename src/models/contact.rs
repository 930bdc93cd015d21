//! A Gist contact (gist-api.md §2.7): a user when it has a `user_id`, a lead when not.

use crate::error::Error;
use crate::serde_util;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tsify::Tsify;

/// Whether a contact is a user (has a `user_id`) or a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum ContactType {
    /// A contact with a `user_id`.
    User,
    /// A contact without one.
    Lead,
}

impl ContactType {
    /// `"user"` or `"lead"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Lead => "lead",
        }
    }
}

/// A Gist contact. Ids are numbers; `user_id` and `phone` strings; timestamps Unix seconds or null;
/// fields this type does not name are kept as Gist sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
pub struct Contact {
    /// Gist's internal id.
    #[serde(deserialize_with = "serde_util::id")]
    pub id: u64,
    /// `"user"` or `"lead"`.
    #[serde(rename = "type")]
    pub kind: ContactType,
    /// Your own id for a user; null for a lead.
    #[serde(default, deserialize_with = "serde_util::opt_string")]
    pub user_id: Option<String>,
    /// Email address.
    #[serde(default, deserialize_with = "serde_util::opt_string")]
    pub email: Option<String>,
    /// Full name.
    #[serde(default, deserialize_with = "serde_util::opt_string")]
    pub name: Option<String>,
    /// Phone number, as a string.
    #[serde(default, deserialize_with = "serde_util::opt_string")]
    pub phone: Option<String>,
    /// Whether the contact unsubscribed from emails (Gist answers "true"/"false").
    #[serde(default, deserialize_with = "serde_util::opt_bool")]
    pub unsubscribed_from_emails: Option<bool>,
    /// When the contact was created, Unix seconds.
    #[serde(default, deserialize_with = "serde_util::opt_timestamp")]
    pub created_at: Option<i64>,
    /// When the contact last changed, Unix seconds.
    #[serde(default, deserialize_with = "serde_util::opt_timestamp")]
    pub updated_at: Option<i64>,
    /// When the user signed up, Unix seconds.
    #[serde(default, deserialize_with = "serde_util::opt_timestamp")]
    pub signed_up_at: Option<i64>,
    /// When the contact was last seen, Unix seconds.
    #[serde(default, deserialize_with = "serde_util::opt_timestamp")]
    pub last_seen_at: Option<i64>,
    /// Every other field, as Gist sent it.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub other: Map<String, Value>,
}

impl Contact {
    /// Reads a contact object from Gist, filling `type` from `user_id` when Gist leaves it out.
    pub fn from_value(mut value: Value) -> Result<Self, Error> {
        let object = value.as_object_mut().ok_or_else(|| {
            Error::invalid_response("Gist sent a contact that is not a JSON object")
        })?;
        let known_type = matches!(
            object.get("type").and_then(Value::as_str),
            Some("user" | "lead")
        );
        if !known_type {
            let has_user_id = object
                .get("user_id")
                .is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
            let kind = if has_user_id { "user" } else { "lead" };
            object.insert("type".into(), Value::String(kind.into()));
        }
        serde_json::from_value(value).map_err(|e| {
            Error::invalid_response(format!("Gist sent a contact of the wrong shape: {e}"))
        })
    }

    /// Reads a list of contact objects.
    pub fn from_values(values: Vec<Value>) -> Result<Vec<Self>, Error> {
        values.into_iter().map(Self::from_value).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_quirk_is_normalised() {
        let contact = Contact::from_value(json!({
            "id": "179351", "user_id": 100488, "phone": 9876543210u64,
            "unsubscribed_from_emails": "false", "signed_up_at": "", "created_at": 1_600_000_000,
            "last_seen_at": null, "email": "x@example.com", "location_data": {"city_name": "Chennai"}
        }))
        .expect("parses");
        assert_eq!(contact.id, 179_351);
        assert_eq!(contact.kind, ContactType::User);
        assert_eq!(contact.user_id.as_deref(), Some("100488"));
        assert_eq!(contact.phone.as_deref(), Some("9876543210"));
        assert_eq!(contact.unsubscribed_from_emails, Some(false));
        assert_eq!(contact.signed_up_at, None);
        assert_eq!(contact.created_at, Some(1_600_000_000));
        let out = serde_json::to_value(&contact).expect("serialises");
        assert_eq!(out["location_data"]["city_name"], "Chennai");
        assert_eq!(out["type"], "user");
        assert_eq!(out["signed_up_at"], Value::Null);
    }

    #[test]
    fn type_is_taken_from_gist_or_inferred_from_user_id() {
        let lead = Contact::from_value(json!({"id": 1, "user_id": null})).expect("parses");
        assert_eq!(lead.kind, ContactType::Lead);
        let user =
            Contact::from_value(json!({"id": 1, "type": "lead", "user_id": "9"})).expect("parses");
        assert_eq!(user.kind, ContactType::Lead, "Gist's own type wins");
    }

    #[test]
    fn a_contact_without_an_id_is_an_invalid_response() {
        let error = Contact::from_value(json!({"email": "a@b.c"})).expect_err("no id");
        assert_eq!(error.code, crate::error::ErrorCode::InvalidResponse);
        assert!(Contact::from_value(json!([1])).is_err());
    }
}
