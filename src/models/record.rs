//! Reading and writing Gist's objects leniently: take the known fields out, normalised, and keep
//! every other field as Gist sent it.

use crate::error::Error;
use crate::json::{Map, Value};
use crate::serde_util;

/// An object from Gist whose known fields are being taken out.
#[derive(Debug)]
pub(crate) struct Raw(Map<String, Value>);

impl Raw {
    /// Starts reading a `what` (named in the error when `value` is not an object).
    pub fn new(value: Value, what: &str) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(Error::invalid_response(format!(
                "Gist sent a {what} that is not a JSON object"
            ))),
        }
    }

    /// The required numeric `id`.
    pub fn id(&mut self, what: &str) -> Result<u64, Error> {
        self.0
            .remove("id")
            .as_ref()
            .and_then(serde_util::as_whole)
            .ok_or_else(|| {
                Error::invalid_response(format!("Gist sent a {what} without a numeric id"))
            })
    }

    /// A string field (numbers become strings; `""` and null become `None`).
    pub fn string(&mut self, key: &str) -> Option<String> {
        serde_util::string(self.0.remove(key))
    }

    /// A whole-number field.
    pub fn whole(&mut self, key: &str) -> Option<u64> {
        self.0.remove(key).as_ref().and_then(serde_util::as_whole)
    }

    /// A Unix-seconds field.
    pub fn timestamp(&mut self, key: &str) -> Option<i64> {
        serde_util::timestamp(self.0.remove(key).as_ref())
    }

    /// A boolean field ("true"/"false" accepted).
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        serde_util::boolean(self.0.remove(key).as_ref())
    }

    /// Every field not taken.
    pub fn rest(self) -> Map<String, Value> {
        self.0
    }
}

/// Writes a normalised object: the fields not modelled first, then the modelled ones over them.
#[derive(Debug)]
pub(crate) struct Out(Map<String, Value>);

impl Out {
    /// Starts from the fields that were kept.
    pub fn new(other: Map<String, Value>) -> Self {
        Self(other)
    }

    /// Sets a field.
    pub fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Sets a field to its value, or null.
    pub fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(value) => self.put(key, value),
            None => self.put(key, Value::Null),
        }
    }

    /// The finished object.
    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}
