//! A Gist contact (docs/gist-api.md, "The contact object"): a user when it has a `user_id`, a lead
//! when not.

use crate::json::Value;

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

impl From<ContactType> for Value {
    fn from(kind: ContactType) -> Self {
        kind.as_str().into()
    }
}

model! {
    /// A Gist contact (docs/gist-api.md, "The contact object"). The required fields are normalised: null when
    /// Gist sent none or `""`; timestamps Unix seconds (a `0` is kept). The optional ones (typed as Gist is known
    /// to send them) and any other field Gist sends are as Gist sent them, unchecked: check their types
    /// before use where a sender may not be Gist (a webhook no secret verified).
    pub struct Contact as CONTACT, "contact" {
        /// Gist's internal id.
        id: Id,
        /// `"user"` or `"lead"`: Gist's own, else `"user"` when there is a `user_id`.
        kind "type": ContactType,
        /// Your own id for a user, as a string even when Gist sends a number; null for a lead sent without one.
        user_id: Text,
        /// Email address.
        email: Text,
        /// Name.
        name: Text,
        /// Phone number, as a string even when Gist sends a number.
        phone: Text,
        /// Whether the contact unsubscribed from emails (Gist sends `"true"`/`"false"`).
        unsubscribed_from_emails: Boolean,
        /// When the contact was created, Unix seconds.
        created_at: Timestamp,
        /// When the contact last changed, Unix seconds.
        updated_at: Timestamp,
        /// When the user signed up, Unix seconds.
        signed_up_at: Timestamp,
        /// When the contact was last seen, Unix seconds.
        last_seen_at: Timestamp,
    }
    as_sent {
        /// The contact's tags, as Gist sent them.
        tags: "{ id: number; name: string }[]",
        /// The contact's custom properties, as Gist sent them.
        custom_properties: "CustomProperties",
        /// Full name, as Gist sent it.
        full_name: "string | null",
        /// Avatar image URL, as Gist sent it.
        avatar: "string | null",
        /// The last IP address the contact was seen from, as Gist sent it.
        last_seen_ip: "string | null",
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
