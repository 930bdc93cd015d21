//! Leads: contacts without a `user_id` (the seed's Create / Update / Fetch / List / Delete Lead).
//! A lead is created with `"type": "lead"` and named by its Gist id or its email.

use super::contacts::{self, ContactFields, ContactRef, ListContactsOptions};
use crate::client::Client;
use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;
use crate::models::{ContactType, Record};
use crate::transport::Transport;

/// The writable fields of a lead; creating one needs an email.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead(pub ContactFields);

/// Changes to a lead.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadChanges(pub ContactFields);

fn read_fields(value: Value, what: &'static str) -> Result<ContactFields, Error> {
    let mut fields = Fields::new(value, what)?;
    if fields.take("user_id").is_some() {
        return Err(Error::invalid_argument(format!(
            "{what}.user_id: a lead has no user_id (a contact with one is a user: use the Users functions)"
        )));
    }
    let read = ContactFields::read(&mut fields)?;
    fields.finish()?;
    Ok(read)
}

impl NewLead {
    /// Reads a `NewLead` object from JS; it must have an email.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let fields = read_fields(value, "lead")?;
        if fields.email.is_none() {
            return Err(Error::invalid_argument(
                "lead.email is required: Gist names a lead by its email",
            ));
        }
        Ok(Self(fields))
    }
}

impl LeadChanges {
    /// Reads a `LeadChanges` object from JS.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        read_fields(value, "changes").map(Self)
    }
}

/// Reads `{id}` or `{email}`.
pub fn lead_ref(value: &Value) -> Result<ContactRef, Error> {
    ContactRef::from_value(value, ContactType::Lead, &[])
}

fn lead_body(fields: &ContactFields) -> crate::json::Map<String, Value> {
    let mut body = fields.to_body();
    body.insert("type".into(), Value::String("lead".into()));
    body
}

/// Creates a lead (`POST /contacts` with `"type": "lead"`).
pub async fn create_lead<T: Transport>(
    client: &Client<'_, T>,
    lead: &NewLead,
) -> Result<Record, Error> {
    contacts::create(client, lead_body(&lead.0)).await
}

/// Changes an existing lead; `not_found` when the reference matches no lead.
pub async fn update_lead<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
    changes: &LeadChanges,
) -> Result<Record, Error> {
    contacts::update(client, ContactType::Lead, reference, lead_body(&changes.0)).await
}

/// Fetches a lead; `not_found` for a user or no match.
pub async fn fetch_lead<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
) -> Result<Record, Error> {
    contacts::fetch(client, ContactType::Lead, reference, "use fetchUser").await
}

/// Lists leads only, page by page, up to `options.limit`.
pub async fn list_leads<T: Transport>(
    client: &Client<'_, T>,
    options: &ListContactsOptions,
) -> Result<Vec<Record>, Error> {
    contacts::list(client, ContactType::Lead, options).await
}

/// Deletes a lead; `not_found` for a user or no match.
pub async fn delete_lead<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
) -> Result<(), Error> {
    contacts::delete(client, ContactType::Lead, reference).await
}
