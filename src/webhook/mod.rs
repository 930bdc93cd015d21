//! Receiving Gist's webhooks (the seed's "Watch Events"): a tolerant parser and an optional verifier.
//!
//! Gist's delivery envelope and signing are largely unknown (docs/gist-api.md, "Webhooks"), so:
//! - any JSON object parses; a top-level `contact` is a contact event, a contact under `message` an
//!   automation event, a top-level `conversation` a conversation event, anything else `unknown`, with
//!   the whole body kept as `payload`. Only a body that is not a JSON object is `invalid_webhook`.
//! - the topic is read from the body (`topic`, `event`, `event_name` or `event_type`) or else from a
//!   header (`x-gist-topic`, `x-gist-event`, `x-gist-webhook-event`), when one carries it. An HMAC
//!   signs the body alone, so after one is checked, parse with no headers: a topic header is unsigned.
//! - verification is the user's choice: a shared secret in a custom header (Gist's webhook settings let
//!   you add headers), or an HMAC of the raw body, with several secrets for rotation.
//!
//! ```
//! use getgist::{WebhookEvent, WebhookKind};
//!
//! let body = r#"{"topic": "contact.tagged", "contact": {"id": 179351, "type": "user", "user_id": "100488",
//!                "email": "ada@example.com", "tags": [{"id": 3, "name": "VIP"}]}}"#;
//! let event = WebhookEvent::parse(body, &[]).expect("a JSON object always parses");
//! assert_eq!(event.kind, WebhookKind::Contact);
//! assert_eq!(event.topic.as_deref(), Some("contact.tagged"));
//! assert_eq!(event.contact.map(|c| c.id), Some(179351));
//! ```

mod event;
mod verify;

use std::borrow::Cow;

/// A header's value: every line of that name (in any letter case) in order, joined with `, ` as a Fetch
/// `Headers` or Node's `IncomingMessage` joins them, so that one delivery reads the same however its
/// headers were handed in (a lone line is not copied); `None` when it has no such line.
fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<Cow<'a, str>> {
    let mut lines = headers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str());
    let first = Cow::Borrowed(lines.next()?);
    Some(lines.fold(first, |mut joined, value| {
        let joined_text = joined.to_mut();
        joined_text.push_str(", ");
        joined_text.push_str(value);
        joined
    }))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use event::breaks_a_line;
pub use event::{summary, WebhookEvent, WebhookKind};
pub use verify::{check, sign, verify, Check, Encoding, Scheme, Signing, VerifyOptions};
