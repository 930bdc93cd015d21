//! One file per Gist resource: each declares its endpoints (method, path, how the arguments are read,
//! the model of the answer, the flow that runs it) and its list, as data that [`crate::endpoints`]
//! finds by name.

pub mod campaigns;
pub mod contacts;
pub mod events;
pub mod leads;
pub mod raw;
pub mod segments;
pub mod tags;
pub mod users;

use crate::error::Error;
use crate::http::HttpRequest;
use crate::json::Value;

/// Checks a `{ limit? }` option: default 100, at most 10000.
pub fn limit_of(limit: Option<f64>) -> Result<u32, Error> {
    crate::input::limit(limit, Some(contacts::DEFAULT_LIMIT), contacts::MAX_LIMIT)
        .map(|l| l.unwrap_or(contacts::DEFAULT_LIMIT))
}

/// Reads the options `{ limit? }` of a list whose first page is `GET path`.
pub fn limit_only(path: &str, value: Value) -> Result<(HttpRequest, Option<f64>), Error> {
    let mut fields = crate::input::Fields::optional(value, "options")?;
    let limit = fields.number("limit")?;
    fields.finish()?;
    Ok((HttpRequest::get(path), limit))
}
