//! Sans-IO HTTP values: what a call wants sent, and what came back.

use crate::json::{Map, Value};
use crate::text::{text, Piece};
use std::fmt;

/// Headers as one object, by their name in lower case: a name given twice (in any case) once, its
/// values joined with `, `, as HTTP reads a repeated field and `Headers.get` gives it.
pub fn joined_headers(headers: &[(String, String)]) -> Map<String, Value> {
    let mut joined = Map::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match joined.get_mut(&name) {
            Some(Value::String(earlier)) => {
                earlier.push_str(", ");
                earlier.push_str(value);
            }
            _ => {
                joined.insert(name, Value::from(value.as_str()));
            }
        }
    }
    joined
}

/// Whether an answer's status says Gist refused the request and did not act on it: a 4xx (429
/// included) or a 503. A write so answered did not happen (JS: `refusedAnswer` in the runtime).
pub fn refused_unheard(status: u16) -> bool {
    (400..500).contains(&status) || status == 503
}

/// An HTTP method that Gist's API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Parses an upper-case method name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "GET" => Some(Self::Get),
            "POST" => Some(Self::Post),
            "PUT" => Some(Self::Put),
            "PATCH" => Some(Self::Patch),
            "DELETE" => Some(Self::Delete),
            _ => None,
        }
    }

    /// Whether repeating the request can do no harm (reads and deletes).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Self::Get | Self::Delete)
    }
}

/// One API request, relative to the client's base URL.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The path, starting with `/`; every dynamic segment already percent-encoded.
    pub path: String,
    /// Query parameters, not yet encoded.
    pub query: Vec<(String, String)>,
    /// Extra request headers (never `Authorization`).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<Value>,
}

impl HttpRequest {
    /// A request with no query, headers or body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A GET request.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// A POST request with a JSON body.
    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::Post, path).body(body)
    }

    /// A DELETE request.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Adds one query parameter.
    pub fn query(mut self, name: &str, value: impl Piece) -> Self {
        self.query.push((name.to_owned(), text!("{}", value)));
        self
    }

    /// Adds a query parameter when the value is present.
    pub fn query_opt(self, name: &str, value: Option<impl Piece>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Sets the JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The path and the encoded query string, as appended to the base URL.
    pub fn path_and_query(&self) -> String {
        let mut out = self.path.clone();
        let mut separator = if out.contains('?') { '&' } else { '?' };
        for (name, value) in &self.query {
            out.push(separator);
            separator = '&';
            out.push_str(&percent_encode(name));
            out.push('=');
            out.push_str(&percent_encode(value));
        }
        out
    }
}

/// The request as it goes on the wire. Its `Debug` hides the `Authorization` header.
#[derive(Clone, PartialEq)]
pub struct WireRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// The API path, without the query and with any email scrubbed: what hooks and logs may show.
    pub path: String,
    /// Every header, `Authorization` included.
    pub headers: Vec<(String, String)>,
    /// The serialised body.
    pub body: Option<String>,
}

/// Headers as a `Debug` shows them: their names, and no value (`Authorization` holds the key, and any
/// header a caller sets, `User-Agent` too, may hold a secret or an email).
pub fn shown_headers(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(name, _)| (name.as_str(), "[redacted]"))
        .collect()
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("url", &"[not shown: queries carry emails]")
            .field("headers", &shown_headers(&self.headers))
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

/// An answer from the server. Its `Debug` shows the status, how many headers it has and the body's
/// length: a server may echo the key or an email in any header's name or value, or in the body.
#[derive(Clone, PartialEq, Default)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body text, decoded as `fetch`'s `text()` decodes it (a byte order mark before it dropped).
    pub body: String,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters (as `encodeURIComponent`, plus `!'()*`).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0xF));
        }
    }
    out
}

/// The upper-case hex digit of a nibble.
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).map_or('0', |c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        let request = HttpRequest::get("/contacts")
            .query("email", "a+b@example.com")
            .query("x y", "ü&=");
        assert_eq!(
            request.path_and_query(),
            "/contacts?email=a%2Bb%40example.com&x%20y=%C3%BC%26%3D"
        );
    }

    #[test]
    fn wire_request_debug_hides_the_key_and_the_url() {
        let wire = WireRequest {
            method: Method::Get,
            url: "https://api.getgist.com/contacts?email=a%40b.c".into(),
            path: "/contacts".into(),
            headers: vec![("Authorization".into(), "Bearer sk_secret".into())],
            body: None,
        };
        let shown = format!("{wire:?}");
        assert!(!shown.contains("sk_secret"), "{shown}");
        assert!(!shown.contains("a%40b.c"), "{shown}");
    }
}
