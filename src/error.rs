//! The one error type of the crate: a stable [`ErrorCode`] plus what the server said.

use crate::http::Method;
use crate::json::Value;
use crate::redact::scrub;
use crate::text::text;
use std::fmt;

/// The stable category of an [`Error`]; its string form is the `code` of a JS `GistError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 401: the API key was refused.
    Unauthorized,
    /// 403: the key may not do this.
    Forbidden,
    /// 404, Gist's `not_found`, or a reference that matches no contact of the asked type.
    NotFound,
    /// 400, 422 and other 4xx answers.
    InvalidRequest,
    /// 429.
    RateLimited,
    /// 5xx.
    ServerError,
    /// The request never got an answer (DNS, refused connection, CORS).
    NetworkError,
    /// The call's deadline passed.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The input was rejected before any request was sent.
    InvalidArgument,
    /// A 2xx answer whose body is not what Gist documents.
    InvalidResponse,
    /// A webhook body that is not a JSON object, or one that failed verification.
    InvalidWebhook,
}

/// Writes the stable snake_case name, as [`ErrorCode::as_str`].
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorCode {
    /// The stable snake_case name (`"not_found"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::InvalidRequest => "invalid_request",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::NetworkError => "network_error",
            Self::Timeout => "timeout",
            Self::Aborted => "aborted",
            Self::InvalidArgument => "invalid_argument",
            Self::InvalidResponse => "invalid_response",
            Self::InvalidWebhook => "invalid_webhook",
        }
    }

    /// The code for a non-2xx HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            400..=499 => Self::InvalidRequest,
            _ => Self::InvalidResponse,
        }
    }
}

/// One item of Gist's error body `{"errors": [{"code", "message"}]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErrorItem {
    /// Gist's own code, such as `not_found`.
    pub code: String,
    /// Gist's text.
    pub message: String,
}

/// Every failure of the client. What reaches a caller has passed [`Error::scrubbed`]: no API key, no
/// email address. Its fields ([`ErrorFields`]) are read through it (`error.code`, `error.status`); they
/// sit behind one pointer, so that a `Result` of the crate is small to return and move.
#[derive(Clone, PartialEq)]
pub struct Error(Box<ErrorFields>);

impl std::ops::Deref for Error {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

/// Prints the fields, as [`ErrorFields`]'s `Debug` does.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What an [`Error`] says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorFields {
    /// The stable category.
    pub code: ErrorCode,
    /// What went wrong and what to do about it.
    pub message: String,
    /// The HTTP status, when an answer came (for a refused webhook: the status to answer it with).
    pub status: Option<u16>,
    /// Gist's error items, when the body had them.
    pub errors: Vec<ApiErrorItem>,
    /// The request id header of the answer, when there was one.
    pub request_id: Option<String>,
    /// Seconds to wait, from the `Retry-After` header (at most a day).
    pub retry_after: Option<f64>,
    /// The HTTP method of the failed request.
    pub method: Option<Method>,
    /// The path of the failed request, without its query string (queries carry emails).
    pub path: Option<String>,
    /// Whether a request of the call that writes may have been acted on (JS's `mayHaveActed`): `false`
    /// when none was sent (refused first, held by the client's pacing until the deadline, or its
    /// connection never made) or each one sent was refused (a 4xx, 429 included, or a 503), so a retry
    /// cannot make the write twice; `true` after no answer, a timeout or another 5xx. Set by the
    /// client's calls; `false` elsewhere.
    pub may_have_acted: bool,
}

impl Error {
    /// The stable category (`error.code().as_str()` is the JS `GistError`'s `code`).
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// An error with a code and a message and nothing else.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorFields {
            code,
            message: message.into(),
            status: None,
            errors: Vec::new(),
            request_id: None,
            retry_after: None,
            method: None,
            path: None,
            may_have_acted: false,
        }))
    }

    /// Its fields, owned.
    pub fn into_fields(self) -> ErrorFields {
        *self.0
    }

    /// Input rejected before any request.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// A 2xx answer of the wrong shape.
    pub fn invalid_response(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidResponse, message)
    }

    /// No contact of the asked type matches the reference.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// Records which request failed (the path without any query string).
    pub fn at(mut self, method: Method, path: &str) -> Self {
        self.method = Some(method);
        self.path = Some(crate::redact::shown_path(path, &[])); // and of the key, in `scrubbed`
        self
    }

    /// The error for a non-2xx answer: the code from the status (or, for a 4xx of no code of its own,
    /// Gist's `not_found`), Gist's items kept.
    pub fn from_status(status: u16, body: &str) -> Self {
        let errors = parse_error_items(body);
        // A 401, 403, 429 or 5xx keeps its code whatever the body says: whether to retry rests on it.
        let code = match ErrorCode::from_status(status) {
            ErrorCode::InvalidRequest if errors.iter().any(|e| e.code == "not_found") => {
                ErrorCode::NotFound
            }
            code => code,
        };
        let mut message = match code {
            ErrorCode::Unauthorized => {
                "Gist refused the API key (401): check it under Settings > API key".to_owned()
            }
            ErrorCode::Forbidden => {
                "Gist refused access (403): the key lacks this permission".to_owned()
            }
            ErrorCode::NotFound => "Gist found nothing there (not_found)".to_owned(),
            ErrorCode::RateLimited => {
                "Gist rate-limited the request (429): slow down and retry later".to_owned()
            }
            ErrorCode::ServerError => {
                text!(
                    "Gist failed with a server error ({}): retry later (a write: see mayHaveActed)",
                    status
                )
            }
            ErrorCode::InvalidResponse => text!(
                "Gist answered with a status that is no HTTP error status ({}): check baseUrl",
                status
            ),
            _ => text!(
                "Gist rejected the request ({}): check the arguments",
                status
            ),
        };
        if let Some(first) = errors.first().filter(|e| !e.message.is_empty()) {
            message.push_str(": ");
            message.push_str(&first.message);
        }
        let mut error = Self::new(code, message);
        error.status = Some(status);
        error.errors = errors;
        error
    }
}

impl Error {
    /// Notes the status and request id of the answer the error was found in, where it has none.
    pub(crate) fn note_answer(&mut self, status: u16, request_id: Option<String>) {
        self.status.get_or_insert(status);
        if self.request_id.is_none() {
            self.request_id = request_id;
        }
    }

    /// The error with every text it holds scrubbed of `secrets` and of email addresses, then its
    /// message and Gist's items cut to 1,000 bytes each (to a character's edge, then `…`).
    pub fn scrubbed(mut self, secrets: &[&str]) -> Self {
        let clean = |text: &mut String| {
            *text = scrub(text, secrets);
            cut(text);
        };
        clean(&mut self.message);
        for item in &mut self.errors {
            clean(&mut item.code);
            clean(&mut item.message);
        }
        if let Some(text) = &mut self.request_id {
            clean(text);
        }
        if let Some(text) = &mut self.path {
            clean(text);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// The most of Gist's error items an error keeps.
const MAX_ERROR_ITEMS: usize = 100;
/// The most bytes of an error's message, or of an item's code or message, that it keeps (cut at a
/// character's edge, then `…`), once scrubbed.
const MAX_TEXT: usize = 1000;

/// The longest error body read for Gist's items: theirs are a few hundred bytes, and a JSON body's
/// tree takes several times its size in memory (wasm memory, once grown, stays grown). The JS runtime
/// does not hand the core a longer one.
pub const MAX_ERROR_BODY: usize = 256 << 10;

/// Gist's `errors` items from an error body (the first [`MAX_ERROR_ITEMS`]; their texts are cut by
/// [`Error::scrubbed`], after the scrub, so that no cut leaves part of a secret); anything unreadable
/// or longer than [`MAX_ERROR_BODY`] gives none, and a `code` or `message` that is no text is kept as
/// its JSON.
fn parse_error_items(body: &str) -> Vec<ApiErrorItem> {
    if body.len() > MAX_ERROR_BODY {
        return Vec::new();
    }
    let Ok(body) = crate::json::from_str(body) else {
        return Vec::new();
    };
    // A text as sent; any other value as its JSON (a number, an object of field errors), not dropped.
    let text = |item: &Value, key: &str| match item.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_json(),
    };
    body.get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_ERROR_ITEMS)
        .map(|item| ApiErrorItem {
            code: text(item, "code"),
            message: text(item, "message"),
        })
        .collect()
}

/// Cuts `text` to its first [`MAX_TEXT`] bytes (to a character's edge) and `…`, if it is longer.
fn cut(text: &mut String) {
    if text.len() > MAX_TEXT {
        let end = (0..=MAX_TEXT)
            .rev()
            .find(|&at| text.is_char_boundary(at))
            .unwrap_or(0);
        text.truncate(end);
        text.push('…');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_error_keeps_of_gists_items_is_bounded() {
        let item = |i: usize| format!(r#"{{"code":"c{i}","message":"{}"}}"#, "é".repeat(600));
        let items: Vec<String> = (0..150).map(item).collect();
        let body = format!(r#"{{"errors":[{}]}}"#, items.join(","));
        let error = Error::from_status(422, &body).scrubbed(&[]);
        assert_eq!(error.errors.len(), MAX_ERROR_ITEMS);
        let first = &error.errors[0];
        assert_eq!(
            (first.code.as_str(), first.message.len()),
            ("c0", 1000 + '…'.len_utf8())
        );
        assert!(first.message.ends_with("é…"));
        assert!(error.message.len() < 1200, "{}", error.message.len());
    }

    #[test]
    fn an_error_body_past_its_cap_is_not_read_for_items() {
        let body = |pad: usize| {
            format!(
                r#"{{"errors":[{{"code":"bad"}}],"pad":"{}"}}"#,
                "x".repeat(pad)
            )
        };
        assert_eq!(Error::from_status(422, &body(1000)).errors.len(), 1);
        let past = Error::from_status(422, &body(MAX_ERROR_BODY));
        assert_eq!(
            (past.code, past.errors.len()),
            (ErrorCode::InvalidRequest, 0)
        );
    }

    #[test]
    fn an_item_whose_code_or_message_is_no_text_keeps_it_as_json() {
        let body = r#"{"errors":[{"code":42,"message":{"email":["is taken"]}},{"code":null}]}"#;
        let error = Error::from_status(422, body).scrubbed(&[]);
        assert_eq!(error.errors[0].code, "42");
        assert_eq!(error.errors[0].message, r#"{"email":["is taken"]}"#);
        assert_eq!(error.errors[1].code, "");
        assert!(error.message.ends_with(r#": {"email":["is taken"]}"#));
    }

    #[test]
    fn a_secret_or_an_email_at_the_cut_is_scrubbed_whole() {
        let key = "sk_live_0123456789abcdefghijklmnopqrstuvwxyz";
        for (echoed, secret) in [(key, key), ("ada.lovelace@example.com", "ada.lovelace")] {
            let message = format!("{}{echoed}", "x".repeat(MAX_TEXT - 20));
            let body = format!(r#"{{"errors":[{{"message":"{message}"}}]}}"#);
            let error = Error::from_status(422, &body).scrubbed(&[key]);
            for text in [&error.message, &error.errors[0].message] {
                assert!(!text.contains(&secret[..12]), "{text}");
            }
        }
    }

    #[test]
    fn a_code_prints_and_hashes_as_its_name() {
        assert_eq!(ErrorCode::NotFound.to_string(), "not_found");
        let seen: std::collections::HashSet<ErrorCode> =
            [ErrorCode::Timeout, ErrorCode::Timeout, ErrorCode::Aborted].into();
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn status_maps_to_code() {
        let cases = [
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (400, "invalid_request"),
            (422, "invalid_request"),
            (409, "invalid_request"),
            (429, "rate_limited"),
            (500, "server_error"),
            (503, "server_error"),
            (302, "invalid_response"),
            (600, "invalid_response"),
            (999, "invalid_response"),
        ];
        for (status, code) in cases {
            let error = Error::from_status(status, "");
            assert_eq!(error.code.as_str(), code, "status {status}");
            if status >= 600 {
                assert!(
                    error.message.contains("no HTTP error status"),
                    "{}",
                    error.message
                );
            }
        }
    }

    #[test]
    fn gist_not_found_item_wins_over_a_4xx_of_no_code_of_its_own() {
        let body = r#"{"errors":[{"code":"not_found","message":"Contact not found"}]}"#;
        for status in [400, 404, 422] {
            let error = Error::from_status(status, body);
            assert_eq!(error.code, ErrorCode::NotFound);
            assert_eq!(error.errors.len(), 1);
            assert!(error.message.contains("Contact not found"));
        }
        for (status, code) in [
            (401, ErrorCode::Unauthorized),
            (403, ErrorCode::Forbidden),
            (429, ErrorCode::RateLimited),
            (500, ErrorCode::ServerError),
            (503, ErrorCode::ServerError),
        ] {
            assert_eq!(Error::from_status(status, body).code, code, "{status}");
        }
    }

    #[test]
    fn emails_in_gist_messages_are_redacted() {
        let body =
            r#"{"errors":[{"code":"parameter_invalid","message":"a+b@example.com is taken"}]}"#;
        let error = Error::from_status(422, body).scrubbed(&[]);
        assert!(!error.message.contains("example.com"), "{}", error.message);
        assert!(!error.errors.iter().any(|e| e.message.contains('@')));
        assert_eq!(
            error.errors.first().map(|e| e.code.as_str()),
            Some("parameter_invalid")
        );
    }

    #[test]
    fn unreadable_error_body_keeps_the_status_code() {
        let error = Error::from_status(502, "<html>bad gateway</html>");
        assert_eq!(error.code, ErrorCode::ServerError);
        assert_eq!(error.status, Some(502));
        assert!(error.errors.is_empty());
    }
}
