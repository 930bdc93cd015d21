//! The webhook side of the JS API as plain functions: verify, parse, sign (for tests), and Gist's
//! storage form of an event name.

use crate::error::Error;
use crate::webhook::{self, VerifyOptions, WebhookEvent};

/// Whether a delivery carries a valid token or signature for one of the secrets (JS's
/// `verifyWebhook`). A missing or wrong one is `false`; comparisons take the same time whatever the
/// bytes. Header names in any case.
///
/// ```
/// use getgist::{sign_webhook, verify_webhook, Encoding, Scheme, VerifyOptions};
///
/// let options = VerifyOptions::new(vec!["s3cret".into()], Scheme::HmacSha256, None, Encoding::Hex)?;
/// let body = br#"{"topic":"contact.created"}"#;
/// let headers = sign_webhook(body, &options);
/// assert!(verify_webhook(body, &headers, &options));
/// assert!(!verify_webhook(b"{}", &headers, &options));
/// # Ok::<(), getgist::Error>(())
/// ```
pub fn verify_webhook(body: &[u8], headers: &[(String, String)], options: &VerifyOptions) -> bool {
    webhook::verify(body, headers, options)
}

/// Parses a delivery (JS's `parseWebhook`): any JSON object parses, its kind and topic read
/// tolerantly.
///
/// # Errors
/// `invalid_webhook` when the body is not a JSON object.
pub fn parse_webhook(body: &str, headers: &[(String, String)]) -> Result<WebhookEvent, Error> {
    WebhookEvent::parse(body, headers)
}

/// The headers that make [`verify_webhook`] accept `body` with `options` (its first secret): for
/// tests of a receiver (JS's `signWebhook`).
pub fn sign_webhook(body: &[u8], options: &VerifyOptions) -> Vec<(String, String)> {
    webhook::sign(body, options)
}
