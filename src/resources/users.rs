//! Users: contacts with a `user_id` (the seed's Create / Update / Fetch / List / Delete User).

use super::contacts::{self, ContactFields, ContactRef, UserId};
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{Act, Flow, Listing};
use crate::input::Fields;
use crate::json::{Map, Value};
use crate::models::ContactType;

/// `createUser`, `updateUser`, `fetchUser`, `deleteUser`: `fetch`, `update` and `delete` find the user
/// first, and refuse a lead.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint! {
        /// Creates a user (`POST /contacts`). `user_id` must be a whole number, else `invalid_argument`.
        createUser("user: NewUser") -> "Contact",
        |args| Ok(contacts::create(NewUser::from_value(args.arg())?.body())),
    },
    endpoint! {
        /// Changes an existing user; never creates one: `not_found` when `ref` matches no user.
        updateUser("ref: ContactRef", "changes: UserChanges") -> "Contact",
        |args| {
            let user = user_ref(&args.arg())?;
            let changes = UserChanges::from_value(args.arg())?.body();
            Ok(found(user, "use updateLead", Act::Update(changes)))
        },
    },
    endpoint! {
        /// Fetches a user by `{id}`, `{user_id}` or `{email}`; a lead or no match is `not_found`.
        fetchUser("ref: ContactRef") -> "Contact",
        |args| Ok(found(user_ref(&args.arg())?, "use fetchLead", Act::Fetch)),
    },
    endpoint! {
        /// Deletes a user; a lead or no match is `not_found`.
        deleteUser("ref: ContactRef") -> "void",
        |args| Ok(found(user_ref(&args.arg())?, "use deleteLead", Act::Delete)),
    },
];

/// `listUsers(options)`: the contacts list, users only.
pub const LIST: Listing = contacts::listing("users", ContactType::User);

list_methods! {
    LIST("ListContactsOptions") -> "Contact",
    /// Lists users (never leads), paging until `limit` (default 100, at most 10000) or the end.
    list,
    /// Iterates over users one page at a time (`for await`); `limit` stops early, `break` stops fetching.
    iter,
}

/// Reads a user's reference: `{ id } | { user_id } | { email }`.
pub fn user_ref(value: &Value) -> Result<ContactRef, Error> {
    ContactRef::from_value(value, ContactType::User, &[])
}

fn found(user: ContactRef, instead: &'static str, act: Act) -> Flow {
    contacts::found(ContactType::User, user, instead, act)
}

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

    /// The body that creates it.
    pub fn body(&self) -> Map<String, Value> {
        let mut body = self.fields.to_body();
        body.set("user_id", Value::String(self.user_id.0.clone()));
        body
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
        Self::read(value, "changes")
    }

    /// Reads `{ user_id?, ...fields }`, which messages call `what`.
    pub fn read(value: Value, what: &'static str) -> Result<Self, Error> {
        let mut fields = Fields::new(value, what)?;
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

    /// The body that makes the changes.
    pub fn body(&self) -> Map<String, Value> {
        let mut body = self.fields.to_body();
        if let Some(user_id) = &self.user_id {
            body.set("user_id", Value::String(user_id.0.clone()));
        }
        body
    }
}
