//! Tracked events: `POST /events` to record one, `GET /events?event_type=all` to list them.
//!
//! Gist stores an event name with every `.` and `$` turned into `-`; the client sends the name
//! already normalised, so what it records is what Gist stores. The contact is sent as `email`
//! (confirmed) or `user_id` (inferred); a contact named by its Gist id is fetched first, which also
//! checks that it is of the asked type.

use super::contacts::{self, ContactRef};
use super::{every, limit_of, list, single};
use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json::{Map, Value};
use crate::models::normalize::EVENT;
use crate::models::{normalize_event_name, ContactType, Record};
use crate::transport::Transport;

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
            occurred_at: fields.whole("occurred_at")?,
        };
        fields.finish()?;
        Ok(event)
    }
}

/// Records a tracked event for a user or a lead.
pub async fn record_event<T: Transport>(
    client: &Client<'_, T>,
    event: &NewEvent,
) -> Result<Record, Error> {
    let mut body = Map::new();
    body.insert(
        "event_name".into(),
        normalize_event_name(&event.event_name).into(),
    );
    match &event.contact {
        ContactRef::Email(email) => {
            body.insert("email".into(), email.as_str().into());
        }
        ContactRef::UserId(user_id) => {
            body.insert("user_id".into(), user_id.as_str().into());
        }
        ContactRef::Id(_) => {
            let instead = match event.kind {
                ContactType::User => "name it as event.lead",
                ContactType::Lead => "name it as event.user",
            };
            let contact = contacts::fetch(client, event.kind, &event.contact, instead).await?;
            for key in ["id", "user_id", "email"] {
                let value = contact.get(key);
                if !value.is_null() {
                    body.insert(key.into(), value.clone());
                }
            }
        }
    }
    if let Some(properties) = &event.properties {
        body.insert("properties".into(), Value::Object(properties.clone()));
    }
    if let Some(occurred_at) = event.occurred_at {
        body.insert("occurred_at".into(), occurred_at.into());
    }
    let request = HttpRequest::post("/events", Value::Object(body));
    single(client, &request, "event", &EVENT).await
}

/// The list request, without its page parameters.
pub fn list_request() -> HttpRequest {
    HttpRequest::get("/events").query("event_type", "all")
}

/// Lists tracked events, page by page, up to `limit` (default 100, at most 10000).
pub async fn list_events<T: Transport>(
    client: &Client<'_, T>,
    limit: Option<f64>,
) -> Result<Vec<Record>, Error> {
    let limit = limit_of(limit)?;
    list(client, &list_request(), ("events", &EVENT), &every, limit).await
}
