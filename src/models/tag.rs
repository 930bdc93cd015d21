//! A Gist tag: a case-sensitive name through the API ("TAG" and "tag" are two tags).

use super::record::{Out, Raw};
use crate::error::Error;
use crate::json::{Map, Value};

/// A tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Gist's id of the tag.
    pub id: u64,
    /// The name, exactly as stored.
    pub name: String,
    /// Every other field, as Gist sent it.
    pub other: Map<String, Value>,
}

impl Tag {
    /// Reads a tag object from Gist.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut raw = Raw::new(value, "tag")?;
        Ok(Self {
            id: raw.id("tag")?,
            name: raw.string("name").unwrap_or_default(),
            other: raw.rest(),
        })
    }

    /// The tag as JSON.
    pub fn into_value(self) -> Value {
        Out::new(self.other)
            .put("id", self.id)
            .put("name", self.name.as_str())
            .done()
    }

    /// [`Self::into_value`] of a copy.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }
}
