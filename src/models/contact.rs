//! A Gist contact (docs/gist-api.md, "The contact object"): a user when it has a `user_id`, a lead
//! when not.

use super::record::{Out, Raw};
use crate::error::Error;
use crate::json::{Map, Value};

/// Whether a contact is a user (has a `user_id`) or a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// Gist's internal id.
    pub id: u64,
    /// `"user"` or `"lead"`.
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
    pub other: Map<String, Value>,
}

impl Contact {
    /// Reads a contact object from Gist, normalising its quirks; `type` comes from `user_id` when
    /// Gist leaves it out.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut raw = Raw::new(value, "contact")?;
        let id = raw.id("contact")?;
        let user_id = raw.string("user_id");
        let kind = match raw.string("type").as_deref() {
            Some("user") => ContactType::User,
            Some("lead") => ContactType::Lead,
            _ if user_id.is_some() => ContactType::User,
            _ => ContactType::Lead,
        };
        Ok(Self {
            id,
            kind,
            user_id,
            email: raw.string("email"),
            name: raw.string("name"),
            phone: raw.string("phone"),
            unsubscribed_from_emails: raw.boolean("unsubscribed_from_emails"),
            created_at: raw.timestamp("created_at"),
            updated_at: raw.timestamp("updated_at"),
            signed_up_at: raw.timestamp("signed_up_at"),
            last_seen_at: raw.timestamp("last_seen_at"),
            other: raw.rest(),
        })
    }

    /// Reads a list of contact objects.
    pub fn from_values(values: Vec<Value>) -> Result<Vec<Self>, Error> {
        values.into_iter().map(Self::from_value).collect()
    }

    /// The contact as JSON: the normalised fields (null when unknown) and every other field.
    pub fn into_value(self) -> Value {
        Out::new(self.other)
            .put("id", self.id)
            .put("type", self.kind.as_str())
            .opt("user_id", self.user_id)
            .opt("email", self.email)
            .opt("name", self.name)
            .opt("phone", self.phone)
            .opt("unsubscribed_from_emails", self.unsubscribed_from_emails)
            .opt("created_at", self.created_at)
            .opt("updated_at", self.updated_at)
            .opt("signed_up_at", self.signed_up_at)
            .opt("last_seen_at", self.last_seen_at)
            .done()
    }

    /// [`Self::into_value`] of a copy.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

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
