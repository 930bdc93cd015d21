//! [`ContactFlow`]: find a contact by id, `user_id` or email, check that it is of the asked type, then
//! act on it (return it, update it, delete it, or record an event for it).
//!
//! Gist's `POST /contacts` is an upsert, so an update first makes sure the contact exists and is of
//! the asked type, then posts the changes with the contact's `id` (and, for a user, its current
//! `user_id`; for a lead, its email) as the match keys. A delete checks the type the same way and
//! deletes by id, so `deleteUser` can never remove a lead.

use super::{not_json, Read, Single};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Map, Value};
use crate::models::normalize::{Record, EVENT};
use crate::models::ContactType;
use crate::resources::contacts::{check_kind, find_request, read_single, ContactRef};
use crate::text::text;

/// What is done with the contact once found.
#[derive(Debug)]
pub enum Act {
    /// Nothing: the call resolves with it.
    Fetch,
    /// Post these changes to it.
    Update(Map<String, Value>),
    /// Delete it.
    Delete,
    /// Record this event (its body without the contact) for it.
    Event(Map<String, Value>),
}

/// A contact to find, of the asked type, and what to do with it.
#[derive(Debug)]
pub struct ContactFlow {
    kind: ContactType,
    reference: ContactRef,
    /// What the caller should use instead when the contact is of the other type.
    instead: &'static str,
    act: Act,
}

/// What finding the contact leads to.
pub enum Found {
    /// The call's value.
    Done(Value),
    /// The request that acts on it.
    Then(Single),
}

impl ContactFlow {
    /// Finds the contact of `kind` that `reference` names, then does `act`; `instead` says what to
    /// use when it is of the other type.
    pub fn new(kind: ContactType, reference: ContactRef, instead: &'static str, act: Act) -> Self {
        Self {
            kind,
            reference,
            instead,
            act,
        }
    }

    /// The request that finds the contact.
    pub fn start(&mut self) -> super::Next {
        super::Next::Send(find_request(&self.reference))
    }

    /// What follows the answer to the find.
    pub fn answered(&mut self, answer: Result<HttpResponse, Error>) -> Result<Found, Error> {
        let contact = self.found(answer).map_err(|error| self.no_match(error))?;
        check_kind(&contact, &self.reference, self.kind).map_err(|mut error| {
            error.message = text!("{}: {}", error.message, self.instead);
            error
        })?;
        let act = std::mem::replace(&mut self.act, Act::Fetch);
        Ok(match act {
            Act::Fetch => Found::Done(contact.into_value()),
            Act::Update(mut changes) => {
                changes.set("id", contact.get("id").clone());
                let key = match self.kind {
                    ContactType::User => "user_id",
                    ContactType::Lead => "email",
                };
                let current = contact.get(key);
                if !changes.contains_key(key) && current.is_string() {
                    changes.insert(key.into(), current.clone());
                }
                let id = contact.get("id").as_u64().map(ContactRef::Id);
                let request = HttpRequest::post("/contacts", Value::Object(changes));
                Found::Then(Single::writing(request, id))
            }
            Act::Delete => {
                let id = contact.get("id").as_u64().unwrap_or_default();
                let request = HttpRequest::delete(text!("/contacts/{}", id));
                Found::Then(Single::new(request, Read::Nothing))
            }
            Act::Event(mut body) => {
                // Its `user_id` and email name it, as Gist reads an event's contact; its Gist id
                // only where it has neither (what Gist makes of an `id` is unknown: docs/gist-api.md).
                let mut named = false;
                for key in ["user_id", "email"] {
                    let value = contact.get(key);
                    if !value.is_null() {
                        body.insert(key.into(), value.clone());
                        named = true;
                    }
                }
                if !named {
                    body.insert("id".into(), contact.get("id").clone());
                }
                let request = HttpRequest::post("/events", Value::Object(body));
                Found::Then(Single::new(request, Read::Model("event", &EVENT)))
            }
        })
    }

    fn found(&self, answer: Result<HttpResponse, Error>) -> Result<Record, Error> {
        let response = answer?;
        read_single(&response.body, &self.reference, self.kind)
            .map_err(|_| not_json(response.status))?
    }

    /// A miss says which contact was missed (never its email).
    fn no_match(&self, mut error: Error) -> Error {
        if error.code == ErrorCode::NotFound {
            error.message = text!(
                "no {} matches {}",
                self.kind.as_str(),
                self.reference.describe()
            );
        }
        error
    }
}
