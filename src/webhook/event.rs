//! [`WebhookEvent`]: what a webhook delivery is about, read tolerantly.

use crate::error::{Error, ErrorCode};
use crate::json::{Map, Value};
use crate::models::Contact;

const TOPIC_KEYS: [&str; 4] = ["topic", "event", "event_name", "event_type"];
const TOPIC_HEADERS: [&str; 3] = ["x-gist-topic", "x-gist-event", "x-gist-webhook-event"];

/// The shape of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookKind {
    /// A top-level `contact` object (user, lead and tag topics).
    Contact,
    /// A contact under `message` (Gist automations' "send webhook" step).
    Automation,
    /// A top-level `conversation` object.
    Conversation,
    /// Anything else: only the payload is known.
    Unknown,
}

impl WebhookKind {
    /// `"contact"`, `"automation"`, `"conversation"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Automation => "automation",
            Self::Conversation => "conversation",
            Self::Unknown => "unknown",
        }
    }
}

/// A parsed delivery: its kind, its topic when one is given, the typed contact or conversation, and
/// the whole body.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// What the delivery is about.
    pub kind: WebhookKind,
    /// The topic, from the body or a header.
    pub topic: Option<String>,
    /// The contact, for `Contact` and `Automation`.
    pub contact: Option<Contact>,
    /// The conversation, for `Conversation`.
    pub conversation: Option<Value>,
    /// The whole body.
    pub payload: Value,
}

impl WebhookEvent {
    /// Parses a delivery; `headers` are (name, value) pairs, names in any case.
    ///
    /// # Errors
    /// `invalid_webhook` when the body is not a JSON object; never for an unknown shape.
    pub fn parse(body: &str, headers: &[(String, String)]) -> Result<Self, Error> {
        let payload = match crate::json::from_str(body) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidWebhook,
                    "the webhook body is not a JSON object",
                ))
            }
        };
        let topic = topic(&payload, headers);
        let mut event = Self {
            kind: WebhookKind::Unknown,
            topic,
            contact: None,
            conversation: None,
            payload: Value::Null,
        };
        if let Some(contact) = payload.get("contact").and_then(as_contact) {
            event.kind = WebhookKind::Contact;
            event.contact = Some(contact);
        } else if let Some(contact) = payload.get("message").and_then(message_contact) {
            event.kind = WebhookKind::Automation;
            event.contact = Some(contact);
        } else if let Some(conversation) = payload.get("conversation").filter(|c| c.is_object()) {
            event.kind = WebhookKind::Conversation;
            event.conversation = Some(conversation.clone());
        }
        event.payload = Value::Object(payload);
        Ok(event)
    }

    /// An `unknown` event for a JSON object that this parser cannot read in full (nesting deeper than
    /// the JSON parser's limit of 128): its topic can still come from a header.
    pub fn unreadable(headers: &[(String, String)]) -> Self {
        Self {
            kind: WebhookKind::Unknown,
            topic: topic(&Map::new(), headers),
            contact: None,
            conversation: None,
            payload: Value::Null,
        }
    }

    /// The event as JSON: `{ kind, topic?, contact | conversation, payload }`.
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.insert("kind".into(), self.kind.as_str().into());
        if let Some(topic) = &self.topic {
            out.insert("topic".into(), topic.as_str().into());
        }
        if let Some(contact) = &self.contact {
            out.insert("contact".into(), contact.to_value());
        }
        if let Some(conversation) = &self.conversation {
            out.insert("conversation".into(), conversation.clone());
        }
        out.insert("payload".into(), self.payload.clone());
        Value::Object(out)
    }
}

fn topic(payload: &Map<String, Value>, headers: &[(String, String)]) -> Option<String> {
    let from_body = TOPIC_KEYS
        .iter()
        .find_map(|key| payload.get(key).and_then(Value::as_str));
    let from_header = || {
        TOPIC_HEADERS.iter().find_map(|name| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        })
    };
    from_body
        .or_else(from_header)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A contact object that has an id; anything else is not a contact.
fn as_contact(value: &Value) -> Option<Contact> {
    value
        .is_object()
        .then(|| Contact::from_value(value.clone()).ok())
        .flatten()
}

/// The contact of an automation delivery: `message.contact`, or `message` itself when it looks like one.
fn message_contact(message: &Value) -> Option<Contact> {
    if let Some(contact) = message.get("contact").and_then(as_contact) {
        return Some(contact);
    }
    let looks_like_contact = ["email", "user_id", "type"]
        .iter()
        .any(|k| message.get(k).is_some());
    looks_like_contact.then(|| as_contact(message)).flatten()
}
