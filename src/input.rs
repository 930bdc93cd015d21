//! Reading caller input (already JSON) field by field, with an `invalid_argument` that names the field.
//!
//! Hand-written instead of serde derives: the messages are clearer, and the `.wasm` carries no serde
//! deserializer machinery (nor float formatting for serde's "invalid type" messages).

use crate::error::Error;
use crate::json::{Map, Value};
use crate::serde_util::as_whole;
use crate::text::text;

/// The most bytes of JSON text an options object is read from (a client's, a call's, a webhook's): far
/// more than any needs, so that one of a million keys is refused before it is read.
pub const MAX_OPTIONS_BYTES: usize = 64 * 1024;

/// The most bytes of JSON a method's argument may take: far past any request Gist takes, and short of
/// what, once percent-encoded into a URL, a JS string or the wasm's memory could not hold.
pub const MAX_ARGUMENT_BYTES: usize = 8 * 1024 * 1024;

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// A caller's JSON number as a whole number that a JS number holds exactly (0 to 2^53 - 1): one past
/// it was rounded before it got here, so it is not the number the caller wrote.
pub fn safe_whole(value: &Value) -> Option<u64> {
    matches!(value, Value::Number(_))
        .then(|| as_whole(value))
        .flatten()
        .filter(|n| *n <= MAX_SAFE_INTEGER)
}

/// A caller's id: a positive whole JSON number that a JS number holds exactly, never coerced from
/// anything else (a string of digits is not an id).
pub fn positive_id(value: &Value) -> Result<u64, Error> {
    safe_whole(value).filter(|id| *id > 0).ok_or_else(|| {
        Error::invalid_argument(
            "id must be a whole number from 1 to 9007199254740991 (2^53 - 1: the largest a JS number holds exactly)",
        )
    })
}

/// The most headers one `headers` object may set (a server takes about a hundred at most).
pub const MAX_HEADERS: usize = 100;

/// Reads the JSON text of an options object (`what` names it in messages), refusing a text longer than
/// [`MAX_OPTIONS_BYTES`] before reading it.
pub fn options_json(text: &str, what: &str) -> Result<Value, Error> {
    if text.len() > MAX_OPTIONS_BYTES {
        return Err(Error::invalid_argument(text!(
            "{}: {} bytes as JSON, more than the {} an options object may take",
            what,
            text.len(),
            MAX_OPTIONS_BYTES
        )));
    }
    crate::json::from_str(text)
        .map_err(|_| Error::invalid_argument(text!("{} cannot be read as JSON", what)))
}

/// The deepest an argument may nest: the JSON reader's depth, less the arguments' own array.
pub const MAX_ARGUMENT_DEPTH: usize = crate::json::MAX_DEPTH - 1;

/// The error of an argument nested past [`MAX_ARGUMENT_DEPTH`].
pub fn nested_too_deep() -> Error {
    Error::invalid_argument(text!(
        "the arguments cannot be read as JSON: an argument nests arrays and objects more than {} deep",
        MAX_ARGUMENT_DEPTH
    ))
}

/// The last Unix second [`Fields::unix_seconds`] takes (in the year 5138); a time in milliseconds is
/// past it from 1973 on.
pub const LAST_UNIX_SECOND: u64 = 100_000_000_000;

/// The fields of one input object, taken one by one; [`Fields::finish`] refuses any left over.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
    what: &'static str,
}

impl Fields {
    /// Starts reading `value`, which must be an object; `what` names it in messages.
    pub fn new(value: Value, what: &'static str) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Self { map, what }),
            _ => Err(Error::invalid_argument(text!("{} must be an object", what))),
        }
    }

    /// Like [`Fields::new`], but `null` or `undefined` reads as an empty object.
    pub fn optional(value: Value, what: &'static str) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(Self {
                map: Map::new(),
                what,
            }),
            value => Self::new(value, what),
        }
    }

    fn wrong(&self, key: &str, expected: &str) -> Error {
        Error::invalid_argument(text!("{}.{} must be {}", self.what, key, expected))
    }

    /// Takes a field out; `null` counts as absent.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    /// A string field.
    pub fn string(&mut self, key: &str) -> Result<Option<String>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }

    /// A boolean field.
    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong(key, "true or false")),
        }
    }

    /// A number field.
    pub fn number(&mut self, key: &str) -> Result<Option<f64>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n.as_f64())),
            Some(_) => Err(self.wrong(key, "a number")),
        }
    }

    /// A whole, non-negative number field (an id or a Unix time).
    pub fn whole(&mut self, key: &str) -> Result<Option<u64>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(value @ Value::Number(_)) => safe_whole(&value)
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a whole number from 0 to 2^53 - 1")),
            Some(_) => Err(self.wrong(key, "a whole number")),
        }
    }

    /// A time in Unix seconds (a whole number). One past [`LAST_UNIX_SECOND`] is refused: most likely
    /// milliseconds (`Date.now()`), or a `Date` past the year 5138, which Gist would store as a date
    /// thousands of years away; its message names the bound, right for both.
    pub fn unix_seconds(&mut self, key: &str) -> Result<Option<u64>, Error> {
        let seconds = self.whole(key)?;
        if seconds.is_some_and(|seconds| seconds > LAST_UNIX_SECOND) {
            return Err(self.wrong(
                key,
                "Unix seconds up to 10^11 (the year 5138), not milliseconds (Date.now()): divide those by 1000",
            ));
        }
        Ok(seconds)
    }

    /// One of a few strings.
    pub fn choice(
        &mut self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, Error> {
        let Some(given) = self.string(key)? else {
            return Ok(None);
        };
        match allowed.iter().find(|a| **a == given) {
            Some(found) => Ok(Some(*found)),
            None => Err(self.wrong(key, &text!("one of \"{}\"", allowed.join("\", \"")))),
        }
    }

    /// A list of strings.
    pub fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let items = match value {
            Value::Array(items) => items,
            _ => return Err(self.wrong(key, "an array of strings")),
        };
        let strings: Option<Vec<String>> = items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect();
        strings
            .map(Some)
            .ok_or_else(|| self.wrong(key, "an array of strings"))
    }

    /// An object whose values are strings, numbers, booleans or null.
    pub fn scalars(&mut self, key: &str) -> Result<Option<Map<String, Value>>, Error> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let Value::Object(map) = value else {
            return Err(self.wrong(key, "an object"));
        };
        if let Some((name, _)) = map.iter().find(|(_, v)| v.is_array() || v.is_object()) {
            return Err(Error::invalid_argument(text!(
                "{}.{}.{} must be a string, a number, a boolean or null",
                self.what,
                key,
                name
            )));
        }
        Ok(Some(map))
    }

    /// Extra request headers: an object of at most [`MAX_HEADERS`] strings, with names HTTP allows and
    /// values on one line. `Authorization` is refused: the client sends its own, from `apiKey`.
    pub fn headers(&mut self, key: &str) -> Result<Vec<(String, String)>, Error> {
        let Some(value) = self.take(key) else {
            return Ok(Vec::new());
        };
        let Value::Object(map) = value else {
            return Err(self.wrong(key, "an object of strings"));
        };
        if map.len() > MAX_HEADERS {
            return Err(self.wrong(key, &text!("at most {} headers", MAX_HEADERS)));
        }
        let what = self.what;
        let mut headers = Vec::with_capacity(map.len());
        for (name, value) in map {
            let refuse =
                |why: &str| Error::invalid_argument(text!("{}.{}.{}{}", what, key, name, why));
            if name.eq_ignore_ascii_case("authorization") {
                return Err(Error::invalid_argument(text!(
                    "{}.{}.Authorization: the client sends its own, from apiKey",
                    what,
                    key
                )));
            }
            if !is_header_name(&name) {
                return Err(refuse(" is not a header name HTTP allows"));
            }
            if RESERVED_HEADERS
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
            {
                return Err(refuse(
                    ": a call may not set it: it frames the request, routes it (with the key in it), or makes it another method",
                ));
            }
            match value {
                Value::String(text) if text.contains(['\r', '\n']) => {
                    return Err(refuse(" must be on one line"))
                }
                Value::String(text) if text.chars().any(|c| c != '\t' && !(' '..='~').contains(&c)) => {
                    return Err(refuse(
                        " must be ASCII text with no control characters (runtimes write other characters differently, or refuse them at send): percent-encode it",
                    ))
                }
                Value::String(text) => headers.push((name, text)),
                _ => return Err(refuse(" must be a string")),
            }
        }
        Ok(headers)
    }

    /// Ends the reading: a field nobody took is an error (a typo such as `emial`).
    pub fn finish(self) -> Result<(), Error> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => Err(Error::invalid_argument(text!(
                "{} has an unknown field `{}`",
                self.what,
                key
            ))),
        }
    }
}

/// Headers a caller may not set: HTTP's own, which say how the request is framed or where it goes, and
/// those a proxy may route by or read as another method.
const RESERVED_HEADERS: [&str; 15] = [
    "host",
    "forwarded",
    "x-forwarded-host",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "proxy-connection",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "expect",
];

/// Whether `name` may name an HTTP header (RFC 9110's `token`).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_token_byte)
}

/// Whether a byte may be in an HTTP header name (RFC 9110's `tchar`).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Checks an optional `limit` against `1..=max`.
pub fn limit(value: Option<f64>, default: Option<u32>, max: u32) -> Result<Option<u32>, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.fract() == 0.0 && v >= 1.0 && v <= f64::from(max) => Ok(Some(v as u32)),
        Some(_) => Err(Error::invalid_argument(text!(
            "limit must be a whole number from 1 to {}",
            max
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn each_reader_names_the_field_it_refuses() {
        let mut fields = Fields::new(json!({"a": 1, "b": "x", "c": [1], "d": {"e": []}}), "thing")
            .expect("object");
        assert_eq!(
            fields.string("a").map_err(|e| e.into_fields().message),
            Err("thing.a must be a string".into())
        );
        assert_eq!(
            fields.whole("b").map_err(|e| e.into_fields().message),
            Err("thing.b must be a whole number".into())
        );
        assert_eq!(
            fields.strings("c").map_err(|e| e.into_fields().message),
            Err("thing.c must be an array of strings".into())
        );
        assert_eq!(
            fields.scalars("d").map_err(|e| e.into_fields().message),
            Err("thing.d.e must be a string, a number, a boolean or null".into())
        );
    }

    #[test]
    fn a_time_in_milliseconds_is_refused_as_unix_seconds() {
        let now_ms = 1_764_720_000_000_u64;
        let mut fields = Fields::new(
            json!({"s": now_ms / 1000, "ms": now_ms, "last": LAST_UNIX_SECOND}),
            "user",
        )
        .expect("object");
        assert_eq!(fields.unix_seconds("s"), Ok(Some(now_ms / 1000)));
        assert_eq!(fields.unix_seconds("last"), Ok(Some(LAST_UNIX_SECOND)));
        let refused = fields.unix_seconds("ms").expect_err("milliseconds");
        assert!(refused.message.starts_with("user.ms must be Unix seconds"));
    }

    #[test]
    fn a_field_left_over_is_an_unknown_field() {
        let mut fields =
            Fields::new(json!({"email": "a@b.c", "emial": "x"}), "user").expect("object");
        assert_eq!(
            fields.string("email").ok().flatten().as_deref(),
            Some("a@b.c")
        );
        let error = fields.finish().expect_err("typo");
        assert_eq!(error.message, "user has an unknown field `emial`");
    }

    #[test]
    fn options_past_their_cap_are_refused_unread() {
        let wide = |n: usize| {
            let fields: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            format!("{{{}}}", fields.join(","))
        };
        let read = options_json(&wide(100), "request options").expect("under the cap");
        assert_eq!(read.as_object().map(Map::len), Some(100));
        let text = wide(10_000);
        let error = options_json(&text, "request options").expect_err("over the cap");
        assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
        assert_eq!(
            error.message,
            format!(
                "request options: {} bytes as JSON, more than the 65536 an options object may take",
                text.len()
            )
        );
        assert!(options_json("{", "options").is_err());
    }

    #[test]
    fn headers_http_sets_itself_or_with_control_characters_are_refused() {
        let read = |name: &str, value: &str| {
            let headers: Map<String, Value> = [(name.to_owned(), Value::from(value))]
                .into_iter()
                .collect();
            Fields::new(json!({ "headers": headers }), "options")
                .and_then(|mut fields| fields.headers("headers"))
        };
        for (name, value) in [
            ("Host", "attacker.example"),
            ("content-length", "0"),
            ("Transfer-Encoding", "chunked"),
            ("X-HTTP-Method-Override", "DELETE"),
            ("X-Forwarded-Host", "attacker.example"),
            ("x-a", "a\u{1}b"),
            ("x-a", "a\u{7f}"),
            ("x-a", "a\nb"),
            ("x-a", "café"),
            ("x-a", "€5"),
            ("x-a", "a\u{2028}"),
        ] {
            let error = read(name, value).expect_err(name);
            assert_eq!(
                error.code,
                crate::error::ErrorCode::InvalidArgument,
                "{name}"
            );
        }
        assert_eq!(read("x-a", "a\tb ~").map(|h| h.len()), Ok(1));
    }

    #[test]
    fn headers_are_capped() {
        let headers = |n: usize| {
            let map: Map<String, Value> = (0..n)
                .map(|i| (format!("x-h{i}"), Value::from("v")))
                .collect();
            Fields::new(json!({ "headers": map }), "request options").expect("object")
        };
        assert_eq!(
            headers(MAX_HEADERS).headers("headers").map(|h| h.len()),
            Ok(100)
        );
        let error = headers(MAX_HEADERS + 1)
            .headers("headers")
            .expect_err("too many");
        assert_eq!(
            error.message,
            "request options.headers must be at most 100 headers"
        );
    }

    #[test]
    fn null_reads_as_absent_and_choices_are_checked() {
        let mut fields = Fields::optional(Value::Null, "options").expect("null is empty");
        assert_eq!(fields.number("limit").ok(), Some(None));
        let mut fields =
            Fields::new(json!({"order": "up", "by": null}), "options").expect("object");
        assert!(fields.choice("order", &["asc", "desc"]).is_err());
        assert_eq!(fields.choice("by", &["asc"]).ok(), Some(None));
        assert!(Fields::new(json!([1]), "options").is_err());
    }
}
