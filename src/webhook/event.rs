//! [`WebhookEvent`]: what a webhook delivery is about, read tolerantly.

use crate::error::{Error, ErrorCode};
use crate::json::{Map, ParseError, Reader, Value};
use crate::models::normalize::{self, CONTACT};
use crate::models::{Contact, Record};
use crate::text::{text, without_bom};

const TOPIC_KEYS: [&str; 4] = ["topic", "event", "event_name", "event_type"];
const TOPIC_HEADERS: [&str; 3] = ["x-gist-topic", "x-gist-event", "x-gist-webhook-event"];

/// The shape of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    const ALL: [Self; 4] = [
        Self::Contact,
        Self::Automation,
        Self::Conversation,
        Self::Unknown,
    ];

    /// `"contact"`, `"automation"`, `"conversation"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Automation => "automation",
            Self::Conversation => "conversation",
            Self::Unknown => "unknown",
        }
    }

    /// The kind that [`Self::as_str`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
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
    /// Parses a delivery (a byte order mark before it is dropped); `headers` are (name, value)
    /// pairs, names in any case.
    ///
    /// # Errors
    /// `invalid_webhook` when the body is not a JSON object; never for an unknown shape (an object
    /// nested deeper than the JSON parser reads is [`Self::unreadable`]). `invalid_argument` when a
    /// header holds a line break, which no HTTP header can (JS's header reader refuses one).
    pub fn parse(body: &str, headers: &[(String, String)]) -> Result<Self, Error> {
        if breaks_a_line(headers) {
            return Err(Error::invalid_argument(
                "a header's name or value holds a line break, which HTTP headers cannot",
            ));
        }
        let body = without_bom(body);
        let not_an_object = || {
            Error::new(
                ErrorCode::InvalidWebhook,
                "the webhook body is not a JSON object",
            )
        };
        let payload = match crate::json::from_str(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(not_an_object()),
            Err(_) => return Self::unreadable(body, headers).ok_or_else(not_an_object),
        };
        let mut from_body = TOPIC_KEYS
            .iter()
            .filter_map(|key| payload.get(key).and_then(Value::as_str));
        let topic = topic(&mut from_body, headers);
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
    /// the JSON parser's limit of 128), with no payload: its topic from the object's top level, else a
    /// header. `None` when `body` is not one JSON object, or a header holds a line break.
    pub fn unreadable(body: &str, headers: &[(String, String)]) -> Option<Self> {
        if breaks_a_line(headers) {
            return None;
        }
        let topics = top_level_topics(body)?;
        Some(Self {
            kind: WebhookKind::Unknown,
            topic: topic(&mut topics.iter().filter_map(Option::as_deref), headers),
            contact: None,
            conversation: None,
            payload: Value::Null,
        })
    }

    /// The event as JSON: `{ kind, topic?, contact | conversation, payload }`.
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.set("kind", self.kind.as_str().into());
        if let Some(topic) = &self.topic {
            out.set("topic", topic.as_str().into());
        }
        if let Some(contact) = &self.contact {
            out.set("contact", contact.to_value());
        }
        if let Some(conversation) = &self.conversation {
            out.set("conversation", conversation.clone());
        }
        out.set("payload", self.payload.clone());
        Value::Object(out)
    }

    /// Reads back what [`Self::to_value`] wrote (a JS `WebhookEvent`, as stored or queued): `kind` and
    /// `payload` are required, `topic`, `contact` and `conversation` optional (`null` is none).
    ///
    /// # Errors
    /// `invalid_webhook` when it is not such an object, or its contact is not one (no numeric `id`).
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let invalid = |what: &str| {
            Error::new(
                ErrorCode::InvalidWebhook,
                text!("not a stored webhook event: {}", what),
            )
        };
        let Value::Object(mut event) = value else {
            return Err(invalid("not an object"));
        };
        let kind = event
            .get("kind")
            .and_then(Value::as_str)
            .and_then(WebhookKind::from_name)
            .ok_or_else(|| {
                invalid("its kind is not contact, automation, conversation or unknown")
            })?;
        let topic = match event.remove("topic") {
            None | Some(Value::Null) => None,
            Some(Value::String(topic)) => Some(topic),
            Some(_) => return Err(invalid("its topic is not a string")),
        };
        let contact = match event.remove("contact") {
            None | Some(Value::Null) => None,
            Some(contact) => Some(
                Contact::from_value(contact)
                    .map_err(|_| invalid("its contact is not a contact"))?,
            ),
        };
        let conversation = event
            .remove("conversation")
            .filter(|value| !value.is_null());
        let payload = event
            .remove("payload")
            .ok_or_else(|| invalid("it has no payload"))?;
        Ok(Self {
            kind,
            topic,
            contact,
            conversation,
            payload,
        })
    }
}

impl TryFrom<Value> for WebhookEvent {
    type Error = Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::from_value(value)
    }
}

/// `{ kind, topic?, contact?, payload: null }` of a delivery, as [`WebhookEvent::parse`] then
/// [`WebhookEvent::to_value`] give them (without the payload), read from the body's text in one pass by the streaming
/// normaliser, without a tree. A body that is not a JSON object, or is nested deeper than the
/// parser's limit, is `unknown`, its topic from the headers: for an object too deep, unlike
/// [`WebhookEvent::parse`], which reads its top level's topic first; the package's runtime, which has
/// that object parsed, hands its topic fields alone back here for them.
pub fn summary(body: &str, headers: &[(String, String)]) -> Value {
    let body = without_bom(body);
    let mut topics = Topics::default();
    let (mut contact, mut message, mut conversation) = (None, None, false);
    let read = normalize::answer(body, &mut |name, reader| {
        if let Some(slot) = topic_slot(&mut topics, name) {
            *slot = topic_value(reader)?;
            return Ok(true);
        }
        match name {
            "contact" => {
                contact = normalize::object(reader, 1, &CONTACT, String::new())?
                    .1
                    .ok()
            }
            "message" => message = Some(reader.skip(1)?),
            "conversation" => {
                conversation = reader.peek() == Some(b'{');
                return Ok(false);
            }
            _ => return Ok(false),
        }
        Ok(true)
    });
    let mut out = Map::new();
    let (kind, topic, contact) = match read {
        Ok(true) => {
            let mut from_body = topics.iter().filter_map(Option::as_deref);
            let (kind, contact) = match (contact, message.and_then(message_record)) {
                (Some(contact), _) => (WebhookKind::Contact, Some(contact)),
                (None, Some(contact)) => (WebhookKind::Automation, Some(contact)),
                (None, None) if conversation => (WebhookKind::Conversation, None),
                (None, None) => (WebhookKind::Unknown, None),
            };
            (kind, topic(&mut from_body, headers), contact)
        }
        _ => (
            WebhookKind::Unknown,
            topic(&mut std::iter::empty(), headers),
            None,
        ),
    };
    out.set("kind", kind.as_str().into());
    if let Some(topic) = topic {
        out.set("topic", topic.into());
    }
    if let Some(contact) = contact {
        out.set("contact", contact.into_value());
    }
    out.set("payload", Value::Null);
    Value::Object(out)
}

/// The topic fields of a body's top level, in [`TOPIC_KEYS`]' order.
type Topics = [Option<String>; TOPIC_KEYS.len()];

/// The slot in `topics` of the field `name`, when it is a topic field.
fn topic_slot<'t>(topics: &'t mut Topics, name: &str) -> Option<&'t mut Option<String>> {
    TOPIC_KEYS
        .iter()
        .position(|key| *key == name)
        .and_then(|i| topics.get_mut(i))
}

/// A topic field's value: its text when it is a string, else none (the last one given counts, as in
/// a tree).
fn topic_value(reader: &mut Reader) -> Result<Option<String>, ParseError> {
    Ok(match reader.value(1)? {
        Value::String(topic) => Some(topic),
        _ => None,
    })
}

/// The topic fields of `body`'s top level, read without building it, however deeply it nests; `None`
/// when `body` is not one JSON object.
fn top_level_topics(body: &str) -> Option<Topics> {
    let mut topics = Topics::default();
    crate::json::read_object_unbounded(body, &mut |name, reader| {
        let Some(slot) = topic_slot(&mut topics, name) else {
            return Ok(false);
        };
        // Anything but a string is no topic, and may nest past the reader's limit: skipped.
        let string = reader.peek() == Some(b'"');
        *slot = if string { topic_value(reader)? } else { None };
        Ok(string)
    })
    .then_some(topics)
}

/// The contact of an automation delivery's `message` (its JSON text), as [`message_contact`] reads it.
fn message_record(message: &str) -> Option<Record> {
    let (mut contact, mut looks_like_contact) = (None, false);
    let is_object = normalize::answer(message, &mut |name, reader| {
        match name {
            "contact" => contact = Some(normalize::object(reader, 1, &CONTACT, String::new())?.1),
            _ => looks_like_contact |= CONTACT_HINTS.contains(&name),
        }
        Ok(name == "contact")
    })
    .ok()?;
    match contact {
        Some(Ok(contact)) => Some(contact),
        _ if is_object && looks_like_contact => {
            normalize::object(&mut Reader::new(message), 0, &CONTACT, String::new())
                .ok()?
                .1
                .ok()
        }
        _ => None,
    }
}

/// The fields that make an automation's `message` itself a contact.
const CONTACT_HINTS: [&str; 3] = ["email", "user_id", "type"];

/// The topic: the first of the body's topic fields (`from_body`), then of the topic headers (each
/// name's lines joined, as a Fetch `Headers` joins them), that is not blank, trimmed.
fn topic(
    from_body: &mut dyn Iterator<Item = &str>,
    headers: &[(String, String)],
) -> Option<String> {
    let not_blank = |topic: &str| {
        Some(topic.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    for topic in from_body {
        if let Some(topic) = not_blank(topic) {
            return Some(topic);
        }
    }
    TOPIC_HEADERS
        .iter()
        .filter_map(|name| super::header_value(headers, name))
        .find_map(|value| not_blank(&value))
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
    let looks_like_contact = CONTACT_HINTS.iter().any(|k| message.get(k).is_some());
    looks_like_contact.then(|| as_contact(message)).flatten()
}

/// Whether a header's name or value holds a line break, which no HTTP header can.
pub(crate) fn breaks_a_line(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(name, value)| name.contains(['\r', '\n']) || value.contains(['\r', '\n']))
}
