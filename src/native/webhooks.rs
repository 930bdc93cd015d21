//! The webhook side of the JS API as plain functions: verify, parse, sign (for tests), and Gist's
//! storage form of an event name.

use crate::error::Error;
use crate::webhook::{self, breaks_a_line, VerifyOptions, WebhookEvent};

/// Whether a delivery carries a valid token or signature for one of the secrets (JS's
/// `verifyWebhook`). A missing or wrong one is `false`, and so are headers that hold a line break
/// (which JS refuses); comparisons take the same time whatever the bytes. Header names in any case.
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
    !breaks_a_line(headers) && webhook::verify(body, headers, options)
}

/// A request's headers as the (name, value) pairs that [`verify_webhook`] and [`parse_webhook`] take:
/// from an `http::HeaderMap` (axum's, hyper's, reqwest's) or any iterator of name and value pairs. A
/// value that is not UTF-8 reads as latin-1, as Node reads it: a repeated header's lines are joined
/// and verify nothing, even when one of them is not UTF-8.
///
/// ```
/// use getgist::header_pairs;
///
/// let headers = header_pairs([("X-Gist-Topic", "user.created"), ("content-type", "application/json")]);
/// assert_eq!(headers[0], ("X-Gist-Topic".to_string(), "user.created".to_string()));
/// ```
pub fn header_pairs<K: AsRef<str>, V: AsRef<[u8]>>(
    headers: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let bytes = value.as_ref();
            let value = std::str::from_utf8(bytes).map_or_else(
                |_| bytes.iter().copied().map(char::from).collect(),
                str::to_owned,
            );
            (name.as_ref().to_owned(), value)
        })
        .collect()
}

/// Parses a delivery (JS's `parseWebhook`): any JSON object parses, its kind and topic read
/// tolerantly.
///
/// # Errors
/// `invalid_webhook` when the body is not a JSON object; `invalid_argument` when a header holds a
/// line break.
pub fn parse_webhook(body: &str, headers: &[(String, String)]) -> Result<WebhookEvent, Error> {
    WebhookEvent::parse(body, headers)
}

/// The headers that make [`verify_webhook`] accept `body` with `options` (its first secret): for
/// tests of a receiver (JS's `signWebhook`).
pub fn sign_webhook(body: &[u8], options: &VerifyOptions) -> Vec<(String, String)> {
    webhook::sign(body, options)
}
