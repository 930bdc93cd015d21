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
use crate::json::Value;
use crate::pagination::Cursor;
use crate::transport::Transport;

/// Fetches the page the cursor points at: `base` plus `page` and `per_page`, the items under `key`.
pub async fn next_page<T: Transport>(
    client: &Client<'_, T>,
    base: &HttpRequest,
    key: &str,
    cursor: &mut Cursor,
) -> Result<Vec<Value>, Error> {
    let per_page = client.config().per_page;
    let request = base
        .clone()
        .query("page", cursor.next_page)
        .query("per_page", per_page);
    let body = client.send_json(&request).await?;
    cursor
        .read_page(body, key, per_page)
        .map_err(|e| e.at(request.method, &request.path))
}

/// Reads pages until `limit` items are kept or the list ends; `read` normalises one item, or skips it
/// with `None`.
pub async fn list<T: Transport, M>(
    client: &Client<'_, T>,
    base: &HttpRequest,
    key: &str,
    limit: u32,
    read: impl Fn(Value) -> Result<Option<M>, Error>,
) -> Result<Vec<M>, Error> {
    let limit = limit as usize;
    let mut cursor = Cursor::new();
    let mut items = Vec::new();
    while !cursor.done && items.len() < limit {
        for item in next_page(client, base, key, &mut cursor).await? {
            if let Some(item) = read(item).map_err(|e| e.at(base.method, &base.path))? {
                items.push(item);
            }
        }
    }
    items.truncate(limit);
    Ok(items)
}

/// Reads `{<key>: {...}}` from an answer.
pub fn single(answer: &Value, key: &str) -> Result<Value, Error> {
    answer
        .get(key)
        .cloned()
        .ok_or_else(|| Error::invalid_response(format!("Gist's answer has no `{key}` object")))
}

/// Checks a `{ limit? }` option: default 100, at most 10000.
pub fn limit_of(limit: Option<f64>) -> Result<u32, Error> {
    crate::input::limit(limit, Some(contacts::DEFAULT_LIMIT), contacts::MAX_LIMIT)
        .map(|l| l.unwrap_or(contacts::DEFAULT_LIMIT))
}
