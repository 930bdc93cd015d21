//! Campaigns (read-only here): `GET /campaigns` and `GET /campaigns/{id}`.

use super::{every, limit_of, list, single};
use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::models::normalize::CAMPAIGN;
use crate::models::Record;
use crate::transport::Transport;

/// Fetches one campaign.
pub async fn fetch_campaign<T: Transport>(
    client: &Client<'_, T>,
    id: u64,
) -> Result<Record, Error> {
    let request = HttpRequest::get(format!("/campaigns/{id}"));
    single(client, &request, "campaign", &CAMPAIGN).await
}

/// Lists campaigns, page by page, up to `limit` (default 100, at most 10000).
pub async fn list_campaigns<T: Transport>(
    client: &Client<'_, T>,
    limit: Option<f64>,
) -> Result<Vec<Record>, Error> {
    let limit = limit_of(limit)?;
    let request = HttpRequest::get("/campaigns");
    list(client, &request, ("campaigns", &CAMPAIGN), &every, limit).await
}
