//! A tracked event (docs/gist-api.md, "Tracked events"). Gist's event object is mostly unknown:
//! `name` is confirmed; `id` and `occurred_at` are normalised when present; everything else is kept
//! as sent.

model! {
    /// A tracked event. Gist's event object is mostly unknown (docs/gist-api.md, "Tracked events"): every
    /// field but these three is kept as Gist sent it.
    pub struct TrackedEvent as EVENT, "event" {
        /// The event's name as stored (Gist's `name`, else its `event_name`).
        name: TextOr("event_name"),
        /// When it happened, Unix seconds.
        occurred_at: Timestamp,
        /// Gist's id of the event, when it sends one.
        id: WholeIfKnown,
    }
    as_sent {}
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
