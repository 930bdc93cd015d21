//! Campaigns (read-only here): `GET /campaigns` and `GET /campaigns/{id}`.

use super::limit_only;
use crate::endpoints::Endpoint;
use crate::flows::{get, Listing};
use crate::models::normalize::CAMPAIGN;

/// `fetchCampaign(id)`.
pub const ENDPOINTS: &[Endpoint] = &[Endpoint {
    name: "fetchCampaign",
    start: |args| {
        Ok(get(
            format!("/campaigns/{}", args.id()?),
            "campaign",
            &CAMPAIGN,
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
