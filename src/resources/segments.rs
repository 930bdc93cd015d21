//! Segments (read-only): `GET /segments` and `GET /segments/{id}`, with `include_count`.

use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{single_of, Listing, Read};
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json::Value;
use crate::models::normalize::SEGMENT;
use crate::text::text;

/// `fetchSegment(id, { include_count? })`.
pub const ENDPOINTS: &[Endpoint] = &[endpoint! {
    /// Fetches a segment; with `include_count`, its contact count too.
    fetchSegment("id: number", "options?: SegmentOptions | null") -> "Segment",
    |args| {
        let id = args.id()?;
        let options = SegmentOptions::from_value(args.arg(), false)?;
        let request = with_count(
            HttpRequest::get(text!("/segments/{}", id)),
            options.include_count,
        );
        Ok(single_of(request, Read::Model("segment", &SEGMENT), id))
    },
}];

/// `listSegments({ limit?, include_count? })`.
pub const LIST: Listing = Listing {
    name: "segments",
    key: "segments",
    model: &SEGMENT,
    keep: None,
    options: |options| {
        let options = SegmentOptions::from_value(options, true)?;
        Ok((options.request(), options.limit))
    },
};

list_methods! {
    LIST("ListSegmentsOptions") -> "Segment",
    /// Lists segments, paging until `limit` (default 100, at most 10000) or the end.
    list,
    /// Iterates over segments one page at a time; `limit` stops early.
    iter,
}

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
