//! Campaigns (read-only here): `GET /campaigns` and `GET /campaigns/{id}`.

use super::{limit_of, list, single};
use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::models::Campaign;
use crate::transport::Transport;

/// Fetches one campaign.
pub async fn fetch_campaign<T: Transport>(
    client: &Client<'_, T>,
    id: u64,
) -> Result<Campaign, Error> {
    let request = HttpRequest::get(format!("/campaigns/{id}"));
    let answer = client.send_json(&request).await?;
    single(&answer, "campaign")
        .and_then(Campaign::from_value)
        .map_err(|e| e.at(request.method, &request.path))
}

/// Lists campaigns, page by page, up to `limit` (default 100, at most 10000).
pub async fn list_campaigns<T: Transport>(
    client: &Client<'_, T>,
    limit: Option<f64>,
) -> Result<Vec<Campaign>, Error> {
    let limit = limit_of(limit)?;
    list(
        client,
        &HttpRequest::get("/campaigns"),
        "campaigns",
        limit,
        |v| Campaign::from_value(v).map(Some),
    )
    .await
}
