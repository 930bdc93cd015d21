//! Segments (read-only): `GET /segments` and `GET /segments/{id}`, with `include_count`.

use super::{every, limit_of, list, single};
use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json::Value;
use crate::models::normalize::SEGMENT;
use crate::models::Record;
use crate::transport::Transport;

/// Options of the segment calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentOptions {
    /// The most segments to list (default 100, at most 10000).
    pub limit: Option<f64>,
    /// Ask Gist for each segment's contact count.
    pub include_count: bool,
}

impl SegmentOptions {
    /// Reads `{ limit?, include_count? }` (`limit` only where `with_limit`).
    pub fn from_value(value: Value, with_limit: bool) -> Result<Self, Error> {
        let mut fields = Fields::optional(value, "options")?;
        let options = Self {
            limit: if with_limit {
                fields.number("limit")?
            } else {
                None
            },
            include_count: fields.boolean("include_count")?.unwrap_or(false),
        };
        fields.finish()?;
        Ok(options)
    }

    /// The list request, without its page parameters.
    pub fn request(&self) -> HttpRequest {
        with_count(HttpRequest::get("/segments"), self.include_count)
    }
}

fn with_count(request: HttpRequest, include_count: bool) -> HttpRequest {
    if include_count {
        request.query("include_count", "true")
    } else {
        request
    }
}

/// Fetches one segment.
pub async fn fetch_segment<T: Transport>(
    client: &Client<'_, T>,
    id: u64,
    include_count: bool,
) -> Result<Record, Error> {
    let request = with_count(HttpRequest::get(format!("/segments/{id}")), include_count);
    single(client, &request, "segment", &SEGMENT).await
}

/// Lists segments, page by page, up to `options.limit`.
pub async fn list_segments<T: Transport>(
    client: &Client<'_, T>,
    options: &SegmentOptions,
) -> Result<Vec<Record>, Error> {
    let limit = limit_of(options.limit)?;
    let list_of = ("segments", &SEGMENT);
    list(client, &options.request(), list_of, &every, limit).await
}
