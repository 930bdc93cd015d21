//! Tracked events: `POST /events` to record one, `GET /events?event_type=all` to list them.
//!
//! Gist stores an event name with every `.` and `$` turned into `-`; the client sends the name
//! already normalised, so what it records is what Gist stores. The contact is sent as `email`
//! (confirmed) or `user_id` (inferred); a contact named by its Gist id is fetched first, which also
//! checks that it is of the asked type.

use super::contacts::{self, ContactRef};
use super::limit_only;
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{single, Act, Flow, Listing, Read};
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json::{Map, Value};
use crate::models::normalize::EVENT;
use crate::models::{normalize_event_name, ContactType};

/// `recordEvent(event)`.
pub const ENDPOINTS: &[Endpoint] = &[endpoint! {
    /// Records a tracked event for a user or a lead; the name is normalised first (`.`/`$` -> `-`).
    recordEvent("event: NewEvent") -> "TrackedEvent",
    |args| Ok(NewEvent::from_value(args.arg())?.record()),
}];

/// `listEvents({ limit? })`: every event type.
pub const LIST: Listing = Listing {
    name: "events",
    key: "events",
    model: &EVENT,
    keep: None,
    options: |options| {
        let (request, limit) = limit_only("/events", options)?;
        Ok((request.query("event_type", "all"), limit))
    },
};

list_methods! {
    LIST("LimitOptions") -> "TrackedEvent",
    /// Lists tracked events (`GET /events?event_type=all`), paging until `limit` or the end.
    list,
    /// Iterates over tracked events, one page at a time; `limit` stops early, `cursor` resumes.
    iter,
}

/// An event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The name, as given (normalised when sent).
    pub event_name: String,
    /// Whether the contact is a user or a lead.
    pub kind: ContactType,
    /// The contact it belongs to.
    pub contact: ContactRef,
    /// Free-form properties.
    pub properties: Option<Map<String, Value>>,
    /// When it happened, Unix seconds; default now (Gist's side).
    pub occurred_at: Option<u64>,
}

impl NewEvent {
    /// Reads `{ event_name, user | lead, properties?, occurred_at? }`: exactly one of `user` and `lead`.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "event")?;
        let event_name = fields
            .string("event_name")?
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                Error::invalid_argument("event.event_name is required and must not be empty")
            })?;
        let (kind, reference) = match (fields.take("user"), fields.take("lead")) {
            (Some(user), None) => (ContactType::User, user),
            (None, Some(lead)) => (ContactType::Lead, lead),
            _ => {
                return Err(Error::invalid_argument(
                    "an event belongs to exactly one of event.user or event.lead",
                ))
            }
        };
        let properties = match fields.take("properties") {
            None => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                return Err(Error::invalid_argument(
                    "event.properties must be an object",
                ))
            }
        };
        let event = Self {
            event_name,
            kind,
            contact: ContactRef::from_value(&reference, kind, &[])?,
            properties,
            occurred_at: fields.unix_seconds("occurred_at")?,
        };
        fields.finish()?;
        Ok(event)
    }
}

impl NewEvent {
    /// The flow that records it: the contact goes as `email` or `user_id`; one named by its Gist id
    /// is fetched first (which also checks its type), and sent with its `user_id` and email (its id
    /// where it has neither).
    pub fn record(self) -> Flow {
        let mut body = Map::new();
        body.set("event_name", normalize_event_name(&self.event_name).into());
        if let Some(properties) = self.properties {
            body.set("properties", Value::Object(properties));
        }
        if let Some(occurred_at) = self.occurred_at {
            body.set("occurred_at", occurred_at.into());
        }
        match self.contact {
            ContactRef::Email(email) => {
                body.set("email", email.into());
            }
            ContactRef::UserId(user_id) => {
                body.set("user_id", user_id.into());
            }
            id @ ContactRef::Id(_) => {
                let instead = match self.kind {
                    ContactType::User => "name it as event.lead",
                    ContactType::Lead => "name it as event.user",
                };
                return contacts::found(self.kind, id, instead, Act::Event(body));
            }
        }
        single(
            HttpRequest::post("/events", Value::Object(body)),
            Read::Model("event", &EVENT),
        )
    }
}
