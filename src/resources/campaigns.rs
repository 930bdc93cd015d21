//! Campaigns (read-only here): `GET /campaigns` and `GET /campaigns/{id}`.

use super::limit_only;
use crate::endpoints::Endpoint;
use crate::flows::{single_of, Listing, Read};
use crate::http::HttpRequest;
use crate::models::normalize::CAMPAIGN;
use crate::text::text;

/// `fetchCampaign(id)`.
pub const ENDPOINTS: &[Endpoint] = &[endpoint! {
    /// Fetches a campaign.
    fetchCampaign("id: number") -> "Campaign",
    |args| {
        let id = args.id()?;
        Ok(single_of(
            HttpRequest::get(text!("/campaigns/{}", id)),
            Read::Model("campaign", &CAMPAIGN),
            id,
        ))
    },
}];

/// `listCampaigns({ limit? })`.
pub const LIST: Listing = Listing {
    name: "campaigns",
    key: "campaigns",
    model: &CAMPAIGN,
    keep: None,
    options: |options| limit_only("/campaigns", options),
};

list_methods! {
    LIST("LimitOptions") -> "Campaign",
    /// Lists campaigns, paging until `limit` (default 100, at most 10000) or the end.
    list,
    /// Iterates over campaigns, one page at a time; `limit` stops early, `cursor` resumes.
    iter,
}
