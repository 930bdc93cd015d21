//! A Gist contact (gist-api.md §2.7): a user when it has a `user_id`, a lead when not.

use crate::error::Error;
use crate::serde_util;
use serde::Serialize;
use serde_json::{Map, Value};
use tsify::Tsify;

/// Whether a contact is a user (has a `user_id`) or a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Tsify)]
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
#[derive(Debug, Clone, PartialEq, Tsify)]
pub struct Contact {
    /// Gist's internal id.
    pub id: u64,
    /// `"user"` or `"lead"`.
    #[serde(rename = "type")]
    pub kind: ContactType,
    /// Your own id for a user; null for a lead.
    pub user_id: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Phone number, as a string.
    pub phone: Option<String>,
    /// Whether the contact unsubscribed from emails (Gist answers "true"/"false").
    pub unsubscribed_from_emails: Option<bool>,
    /// When the contact was created, Unix seconds.
    pub created_at: Option<i64>,
    /// When the contact last changed, Unix seconds.
    pub updated_at: Option<i64>,
    /// When the user signed up, Unix seconds.
    pub signed_up_at: Option<i64>,
    /// When the contact was last seen, Unix seconds.
    pub last_seen_at: Option<i64>,
    /// Every other field, as Gist sent it.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub other: Map<String, Value>,
}

const TIMESTAMPS: [&str; 4] = ["created_at", "updated_at", "signed_up_at", "last_seen_at"];

impl Contact {
    /// Reads a contact object from Gist, normalising its quirks; `type` comes from `user_id` when
    /// Gist leaves it out.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let Value::Object(mut map) = value else {
            return Err(Error::invalid_response(
                "Gist sent a contact that is not a JSON object",
            ));
        };
        let id = map
            .remove("id")
            .as_ref()
            .and_then(serde_util::as_whole)
            .ok_or_else(|| Error::invalid_response("Gist sent a contact without a numeric id"))?;
        let mut take = |key: &str| map.remove(key);
        let user_id = serde_util::string(take("user_id").as_ref());
        let kind = match take("type").as_ref().and_then(Value::as_str) {
            Some("user") => ContactType::User,
            Some("lead") => ContactType::Lead,
            _ if user_id.is_some() => ContactType::User,
            _ => ContactType::Lead,
        };
        let email = serde_util::string(take("email").as_ref());
        let name = serde_util::string(take("name").as_ref());
        let phone = serde_util::string(take("phone").as_ref());
        let unsubscribed_from_emails =
            serde_util::boolean(take("unsubscribed_from_emails").as_ref());
        let [created_at, updated_at, signed_up_at, last_seen_at] =
            TIMESTAMPS.map(|key| serde_util::timestamp(take(key).as_ref()));
        Ok(Self {
            id,
            kind,
            user_id,
            email,
            name,
            phone,
            unsubscribed_from_emails,
            created_at,
            updated_at,
            signed_up_at,
            last_seen_at,
            other: map,
        })
    }

    /// Reads a list of contact objects.
    pub fn from_values(values: Vec<Value>) -> Result<Vec<Self>, Error> {
        values.into_iter().map(Self::from_value).collect()
    }

    /// The contact as JSON: the normalised fields (null when unknown) and every other field.
    pub fn to_value(&self) -> Value {
        let mut map = self.other.clone();
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        map.insert("id".into(), self.id.into());
        map.insert("type".into(), self.kind.as_str().into());
        map.insert("user_id".into(), text(&self.user_id));
        map.insert("email".into(), text(&self.email));
        map.insert("name".into(), text(&self.name));
        map.insert("phone".into(), text(&self.phone));
        map.insert(
            "unsubscribed_from_emails".into(),
            self.unsubscribed_from_emails
                .map_or(Value::Null, Value::Bool),
        );
        let times = [
            self.created_at,
            self.updated_at,
            self.signed_up_at,
            self.last_seen_at,
        ];
        for (key, time) in TIMESTAMPS.iter().zip(times) {
            map.insert((*key).into(), time.map_or(Value::Null, Value::from));
        }
        Value::Object(map)
    }
}

impl Serialize for Contact {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
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
        let out = contact.to_value();
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
