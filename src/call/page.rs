//! A list page read by its Rust host, as the JS runtime reads it (`normalize.js`'s `readPage`): the
//! page parsed once into a tree, each item read by its model's rules, and the core given only what
//! its paging loop reads ([`PageDigest`]). Where the host is unsure, the core reads the page.

use crate::flows::{Listing, PageDigest};
use crate::json::{self, Value};
use crate::models::declare;

/// The items `listing` keeps from the page `text` (normalised, in order) and the page's digest;
/// `None` for anything the core should read itself (not JSON, no array, an item its model refuses).
pub fn read(listing: &Listing, text: &str) -> Option<(Vec<Value>, PageDigest)> {
    let Ok(Value::Object(mut page)) = json::from_str(text) else {
        return None;
    };
    let Some(Value::Array(raw)) = page.remove(listing.key) else {
        return None;
    };
    let count = raw.len();
    let first_id = raw.first().and_then(|first| first.get("id")).cloned();
    let mut items = Vec::with_capacity(count);
    for item in raw {
        let (values, other) = declare::read(listing.model, item).ok()?;
        let item = declare::write(listing.model, values, other);
        let kind = item.get("type").and_then(Value::as_str);
        if listing.keep.is_none_or(|keep| kind == Some(keep.as_str())) {
            items.push(item);
        }
    }
    let digest = PageDigest {
        count,
        first_id,
        kept: items.len(),
        pages: page.remove("pages"),
    };
    Some((items, digest))
}
