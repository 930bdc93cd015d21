//! A Gist segment: a saved filter of contacts.

use super::record::{Out, Raw};
use crate::error::Error;
use crate::json::{Map, Value};

/// A segment; `count` is set when asked for with `include_count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Gist's id of the segment.
    pub id: u64,
    /// Its name.
    pub name: Option<String>,
    /// How many contacts it holds, when `include_count` was asked.
    pub count: Option<u64>,
    /// When it was created, Unix seconds.
    pub created_at: Option<i64>,
    /// When it last changed, Unix seconds.
    pub updated_at: Option<i64>,
    /// Every other field, as Gist sent it.
    pub other: Map<String, Value>,
}

impl Segment {
    /// Reads a segment object from Gist.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut raw = Raw::new(value, "segment")?;
        Ok(Self {
            id: raw.id("segment")?,
            name: raw.string("name"),
            count: raw.whole("count"),
            created_at: raw.timestamp("created_at"),
            updated_at: raw.timestamp("updated_at"),
            other: raw.rest(),
        })
    }

    /// The segment as JSON (`count` only when known).
    pub fn into_value(self) -> Value {
        let out = Out::new(self.other)
            .put("id", self.id)
            .opt("name", self.name)
            .opt("created_at", self.created_at)
            .opt("updated_at", self.updated_at);
        match self.count {
            Some(count) => out.put("count", count).done(),
            None => out.done(),
        }
    }

    /// [`Self::into_value`] of a copy.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }
}
