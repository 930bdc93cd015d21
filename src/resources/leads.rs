//! Leads: contacts without a `user_id` (the seed's Create / Update / Fetch / List / Delete Lead).
//! A lead is created with `"type": "lead"` and named by its Gist id or its email.

use super::contacts::{self, ContactFields, ContactRef};
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{Act, Flow, Listing};
use crate::input::Fields;
use crate::json::Value;
use crate::models::ContactType;
use crate::text::text;

/// `createLead`, `updateLead`, `fetchLead`, `deleteLead`: `fetch`, `update` and `delete` find the lead
/// first, and refuse a user.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint! {
        /// Creates a lead (`POST /contacts` with `"type": "lead"`); it needs an email. Gist's upsert by
        /// email: a user's email posts to that user (check with `fetchUser({ email })` first).
        createLead("lead: NewLead") -> "Contact",
        |args| {
            Ok(contacts::create(lead_body(
                &NewLead::from_value(args.arg())?.0,
            )))
        },
    },
    endpoint! {
        /// Changes an existing lead; never creates one: `not_found` when `ref` matches no lead.
        updateLead("ref: LeadRef", "changes: LeadChanges") -> "Contact",
        |args| {
            let lead = lead_ref(&args.arg())?;
            let changes = lead_body(&LeadChanges::from_value(args.arg())?.0);
            Ok(found(lead, "use updateUser", Act::Update(changes)))
        },
    },
    endpoint! {
        /// Fetches a lead by `{id}` or `{email}`; a user or no match is `not_found`.
        fetchLead("ref: LeadRef") -> "Contact",
        |args| Ok(found(lead_ref(&args.arg())?, "use fetchUser", Act::Fetch)),
    },
    endpoint! {
        /// Deletes a lead; a user or no match is `not_found`.
        deleteLead("ref: LeadRef") -> "void",
        |args| Ok(found(lead_ref(&args.arg())?, "use deleteUser", Act::Delete)),
    },
];

/// `listLeads(options)`: the contacts list, leads only.
pub const LIST: Listing = contacts::listing("leads", ContactType::Lead);

list_methods! {
    LIST("ListContactsOptions") -> "Contact",
    /// Lists leads (never users), paging until `limit` (default 100, at most 10000) or the end.
    list,
    /// Iterates over leads one page at a time (`for await`); `limit` stops early, `break` stops fetching.
    iter,
}

fn found(lead: ContactRef, instead: &'static str, act: Act) -> Flow {
    contacts::found(ContactType::Lead, lead, instead, act)
}

/// The writable fields of a lead; creating one needs an email.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead(pub ContactFields);

/// Changes to a lead.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadChanges(pub ContactFields);

fn read_fields(value: Value, what: &'static str) -> Result<ContactFields, Error> {
    let mut fields = Fields::new(value, what)?;
    if fields.take("user_id").is_some() {
        return Err(Error::invalid_argument(text!(
            "{}.user_id: a lead has no user_id (a contact with one is a user: use the Users functions)",
            what
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
    body.set("type", Value::String("lead".into()));
    body
}
