//! A tracked event (docs/gist-api.md, "Tracked events"). Gist's event object is mostly unknown:
//! `name` is confirmed; `id` and `occurred_at` are normalised when present; everything else is kept
//! as sent.

use super::record::{Out, Raw};
use crate::error::Error;
use crate::json::{Map, Value};

/// A tracked event.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedEvent {
    /// Gist's id of the event, when it sends one.
    pub id: Option<u64>,
    /// The event's name as stored (`.` and `$` already turned into `-`).
    pub name: Option<String>,
    /// When it happened, Unix seconds.
    pub occurred_at: Option<i64>,
    /// Every other field, as Gist sent it.
    pub other: Map<String, Value>,
}

impl TrackedEvent {
    /// Reads an event object from Gist; `name` falls back to `event_name`.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut raw = Raw::new(value, "event")?;
        let id = raw.whole("id");
        let name = raw.string("name");
        let occurred_at = raw.timestamp("occurred_at");
        let other = raw.rest();
        let name = name.or_else(|| {
            other
                .get("event_name")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Ok(Self {
            id,
            name,
            occurred_at,
            other,
        })
    }

    /// The event as JSON (`id` only when known).
    pub fn into_value(self) -> Value {
        let out = Out::new(self.other)
            .opt("name", self.name)
            .opt("occurred_at", self.occurred_at);
        match self.id {
            Some(id) => out.put("id", id).done(),
            None => out.done(),
        }
    }

    /// [`Self::into_value`] of a copy.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }
}

/// Gist's storage form of an event name: every `.` and `$` becomes `-`, nothing else changes.
pub fn normalize_event_name(name: &str) -> String {
    name.chars()
        .map(|c| if c == '.' || c == '$' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_and_dollars_become_hyphens_and_nothing_else_changes() {
        assert_eq!(normalize_event_name("completed.order"), "completed-order");
        assert_eq!(normalize_event_name("$pay.ment$"), "-pay-ment-");
        assert_eq!(
            normalize_event_name("Ünïcode-name_1 ok"),
            "Ünïcode-name_1 ok"
        );
        assert_eq!(normalize_event_name(""), "");
    }
}
