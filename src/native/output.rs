//! What the client's methods resolve with, read from the core's values.

use super::input::NoEmails;
use crate::error::Error;
use crate::json::Value;
use crate::models::Tag;

/// What a method resolves with, read from the core's value of the call (a model, a list of them, ...).
/// Sealed: the crate's methods name each one it gives.
pub trait FromCall: Sized + sealed::Sealed {
    /// Reads the call's value.
    fn from_call(value: Value) -> Result<Self, Error>;
}

macro_rules! from_call_models {
    ($($model:ty),*) => {
        $(impl sealed::Sealed for $model {}
        impl FromCall for $model {
            fn from_call(value: Value) -> Result<Self, Error> {
                Self::from_value(value)
            }
        })*
    };
}

from_call_models!(
    crate::models::Contact,
    crate::models::Tag,
    crate::models::Segment,
    crate::models::Campaign,
    crate::models::TrackedEvent,
    TagResult,
    ApiResponse
);

mod sealed {
    /// Only the crate's own outputs are `FromCall`.
    pub trait Sealed {}
}

impl sealed::Sealed for () {}
impl<T: FromCall> sealed::Sealed for Vec<T> {}

impl FromCall for () {
    fn from_call(_: Value) -> Result<Self, Error> {
        Ok(())
    }
}

impl<T: FromCall> FromCall for Vec<T> {
    fn from_call(value: Value) -> Result<Self, Error> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_call).collect(),
            _ => Err(Error::invalid_response("a list call gave no list")),
        }
    }
}

/// A target `tag_contacts` could not tag or untag, and why. Its `Debug` shows no email: the target is
/// the caller's input, sent back.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TagFailure {
    /// The target, as sent (`{ id | user_id | email, untag? }`).
    pub target: Value,
    /// The stable code of its error (`"not_found"`, ...).
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// Its batch may have (un)tagged it: no answer, one the deadline cut off, a server error other
    /// than 503, an answer refused.
    pub may_have_acted: bool,
    /// The seconds to wait, where the error says (a rate limit past the call's deadline).
    pub retry_after: Option<f64>,
}

impl std::fmt::Debug for TagFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagFailure")
            .field("target", &NoEmails(&self.target))
            .field("code", &self.code)
            .field("message", &NoEmails(&self.message))
            .field("may_have_acted", &self.may_have_acted)
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

/// What `tag_contacts` did: one bad target or one failed batch does not lose the rest.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TagResult {
    /// The tag, as Gist answered.
    pub tag: Tag,
    /// Contacts tagged.
    pub tagged: u64,
    /// Contacts untagged.
    pub untagged: u64,
    /// The targets that failed.
    pub failed: Vec<TagFailure>,
}

impl TagResult {
    /// Reads `{ tag, tagged, untagged, failed: [{ target, error: { code, message, mayHaveActed,
    /// retryAfter? } }] }`.
    ///
    /// # Errors
    /// `invalid_response` when the tag is not one.
    pub fn from_value(mut value: Value) -> Result<Self, Error> {
        let count = |value: &Value, key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
        let text = |value: &Value, key: &str| {
            value
                .get("error")
                .and_then(|error| error.get(key))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let failed = match value.get_mut("failed").map(Value::take) {
            Some(Value::Array(failed)) => failed
                .into_iter()
                .map(|mut failure| TagFailure {
                    code: text(&failure, "code"),
                    message: super::wording::message_in_rust_terms(&text(&failure, "message")),
                    may_have_acted: failure
                        .get("error")
                        .and_then(|error| error.get("mayHaveActed"))
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    retry_after: failure
                        .get("error")
                        .and_then(|error| error.get("retryAfter"))
                        .and_then(Value::as_f64),
                    target: failure
                        .get_mut("target")
                        .map(Value::take)
                        .unwrap_or(Value::Null),
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            tagged: count(&value, "tagged"),
            untagged: count(&value, "untagged"),
            tag: Tag::from_value(value.get_mut("tag").map(Value::take).unwrap_or(Value::Null))?,
            failed,
        })
    }
}

/// The answer to `api_call`, whatever its status.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The parsed JSON, or the text when the answer is not JSON.
    pub body: Value,
}

impl ApiResponse {
    /// Reads `{ status, headers, body }`.
    ///
    /// # Errors
    /// Never in practice: a missing part reads as empty.
    pub fn from_value(mut value: Value) -> Result<Self, Error> {
        let headers = match value.get("headers") {
            Some(Value::Object(headers)) => headers
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap_or("").to_owned()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            status: value
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|status| u16::try_from(status).ok())
                .unwrap_or(0),
            headers,
            body: value
                .get_mut("body")
                .map(Value::take)
                .unwrap_or(Value::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_failure_s_message_names_this_crate_s_settings_as_a_call_s_error_does() {
        let message = "the request got no answer (connection reset): check the network, baseUrl, and CORS in a browser";
        let value = crate::json!({
            "tag": { "id": 7, "name": "vip" },
            "failed": [{ "target": { "id": 1 }, "error": { "code": "network_error", "message": message } }],
        });
        let result = TagResult::from_value(value).expect("a tag");
        let failure = result.failed.first().expect("one failure");
        assert_eq!(
            failure.message,
            "the request got no answer (connection reset): check the network, the base URL"
        );
    }
}
