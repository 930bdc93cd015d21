//! Users: contacts with a `user_id` (the seed's Create / Update / Fetch / List / Delete User).

use super::contacts::{self, ContactFields, ContactRef, ListContactsOptions, UserId};
use crate::client::Client;
use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;
use crate::models::{ContactType, Record};
use crate::transport::Transport;

/// A user to create: a `user_id` (a whole number) and the writable fields.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Your id for the user.
    pub user_id: UserId,
    /// Everything else.
    pub fields: ContactFields,
}

impl NewUser {
    /// Reads a `NewUser` object from JS.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "user")?;
        let user_id = fields.take("user_id").ok_or_else(|| {
            Error::invalid_argument("user.user_id is required: a user is a contact with a user_id")
        })?;
        let user = Self {
            user_id: UserId::from_value(&user_id)?,
            fields: ContactFields::read(&mut fields)?,
        };
        fields.finish()?;
        Ok(user)
    }
}

/// Changes to a user: any writable field, and optionally a new `user_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserChanges {
    /// A new user id.
    pub user_id: Option<UserId>,
    /// The fields to change.
    pub fields: ContactFields,
}

impl UserChanges {
    /// Reads a `UserChanges` object from JS.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "changes")?;
        let user_id = fields
            .take("user_id")
            .map(|v| UserId::from_value(&v))
            .transpose()?;
        let changes = Self {
            user_id,
            fields: ContactFields::read(&mut fields)?,
        };
        fields.finish()?;
        Ok(changes)
    }
}

/// Creates a user (`POST /contacts`; Gist updates the user when the `user_id` exists already).
pub async fn create_user<T: Transport>(
    client: &Client<'_, T>,
    user: &NewUser,
) -> Result<Record, Error> {
    let mut body = user.fields.to_body();
    body.insert("user_id".into(), Value::String(user.user_id.0.clone()));
    contacts::create(client, body).await
}

/// Changes an existing user; `not_found` when the reference matches no user.
pub async fn update_user<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
    changes: &UserChanges,
) -> Result<Record, Error> {
    let mut body = changes.fields.to_body();
    if let Some(user_id) = &changes.user_id {
        body.insert("user_id".into(), Value::String(user_id.0.clone()));
    }
    contacts::update(client, ContactType::User, reference, body).await
}

/// Fetches a user; `not_found` for a lead or no match.
pub async fn fetch_user<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
) -> Result<Record, Error> {
    contacts::fetch(client, ContactType::User, reference, "use fetchLead").await
}

/// Lists users only, page by page, up to `options.limit`.
pub async fn list_users<T: Transport>(
    client: &Client<'_, T>,
    options: &ListContactsOptions,
) -> Result<Vec<Record>, Error> {
    contacts::list(client, ContactType::User, options).await
}

/// Deletes a user; `not_found` for a lead or no match.
pub async fn delete_user<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
) -> Result<(), Error> {
    contacts::delete(client, ContactType::User, reference).await
}
