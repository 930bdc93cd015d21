//! One file per Gist resource: each builds its requests and reads the answers. This file holds the
//! paging they share.

pub mod campaigns;
pub mod contacts;
pub mod events;
pub mod leads;
pub mod raw;
pub mod segments;
pub mod tags;
pub mod users;

use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::models::normalize::{self, Model};
use crate::models::Record;
use crate::pagination::Cursor;
use crate::transport::Transport;

/// Fetches the page the cursor points at: `base` plus `page` and `per_page`, the `model` items under
/// `key` that `keep` accepts.
pub async fn next_page<T: Transport>(
    client: &Client<'_, T>,
    base: &HttpRequest,
    (key, model): (&str, &'static Model),
    keep: &dyn Fn(&Record) -> bool,
    cursor: &mut Cursor,
) -> Result<Vec<Record>, Error> {
    let per_page = client.config().per_page;
    let request = base
        .clone()
        .query("page", cursor.next_page)
        .query("per_page", per_page);
    let (items, pages) = client
        .send_reading(&request, &|text| normalize::list(text, key, model, keep))
        .await?;
    cursor
        .read_page(items, pages.as_ref(), key, per_page)
        .map_err(|e| e.at(request.method, &request.path))
}

/// Reads pages until `limit` items are kept or the list ends.
pub async fn list<T: Transport>(
    client: &Client<'_, T>,
    base: &HttpRequest,
    list: (&str, &'static Model),
    keep: &dyn Fn(&Record) -> bool,
    limit: u32,
) -> Result<Vec<Record>, Error> {
    let limit = limit as usize;
    let mut cursor = Cursor::new();
    let mut items = Vec::new();
    while !cursor.done && items.len() < limit {
        items.extend(next_page(client, base, list, keep, &mut cursor).await?);
    }
    items.truncate(limit);
    Ok(items)
}

/// Sends `request` and reads the `model` object under `key` of its answer.
pub async fn single<T: Transport>(
    client: &Client<'_, T>,
    request: &HttpRequest,
    key: &str,
    model: &'static Model,
) -> Result<Record, Error> {
    client
        .send_reading(request, &|text| normalize::single(text, key, model))
        .await?
        .map_err(|e| e.at(request.method, &request.path))
}

/// Keeps every item of a list.
pub fn every(_: &Record) -> bool {
    true
}

/// Checks a `{ limit? }` option: default 100, at most 10000.
pub fn limit_of(limit: Option<f64>) -> Result<u32, Error> {
    crate::input::limit(limit, Some(contacts::DEFAULT_LIMIT), contacts::MAX_LIMIT)
        .map(|l| l.unwrap_or(contacts::DEFAULT_LIMIT))
}
