//! A list page read by its Rust host, as the JS runtime reads it (`normalize.js`'s `readPage`): the
//! page parsed once into a tree, each item read by its model's rules, and the core given only what
//! its paging loop reads ([`PageDigest`]). Where the host is unsure, the core reads the page.

use crate::flows::{Listing, PageDigest};
use crate::json::{self, Value};
use crate::models::{declare, normalize};
use crate::pagination;

/// The items `listing` keeps from the page `text` (normalised, in order) and the page's digest;
/// `None` for anything the core should read itself (not JSON, no array, an item its model refuses).
pub fn read(listing: &Listing, text: &str) -> Option<(Vec<Value>, PageDigest)> {
    let Ok(Value::Object(mut page)) = json::from_str(text) else {
        return None;
    };
    let Some(Value::Array(raw)) = page.remove(listing.key) else {
        return None;
    };
    if raw.len() > normalize::MAX_PAGE_ITEMS {
        return None; // the core refuses it
    }
    let count = raw.len();
    let (mut first_id, mut last_id) = (None, None);
    let mut items = Vec::with_capacity(count);
    let mut idless = None;
    for (at, item) in raw.into_iter().enumerate() {
        let id = item.get("id").cloned();
        let (values, other) = declare::read(listing.model, item).ok()?;
        let item = declare::write(listing.model, values, other);
        // An id counts where the model keeps it: one it drops ("", false) names nothing.
        let id = id.filter(|_| item.get("id").is_some_and(|kept| !kept.is_null()));
        if at == 0 {
            first_id = id.clone();
        }
        match id {
            Some(id) => last_id = Some(id),
            None => idless = pagination::idless(idless, &item.to_json()),
        }
        let kind = item.get("type").and_then(Value::as_str);
        if listing.keep.is_none_or(|keep| kind == Some(keep.as_str())) {
            items.push(item);
        }
    }
    let digest = PageDigest {
        count,
        first_id,
        last_id,
        idless: idless.map(Value::from),
        kept: items.len(),
        next: match page.remove("pages") {
            Some(pages) => normalize::paging(&pages.to_json()).ok()?,
            None => None,
        },
    };
    Some((items, digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::normalize::Record;
    use crate::resources::{campaigns, contacts::is_of_kind, events, users};

    /// What the core reads of `text` itself: the kept items as trees, and the digest's facts.
    fn core_read(listing: &Listing, text: &str) -> (Vec<Value>, PageDigest) {
        let keep = |record: &Record| listing.keep.is_none_or(|kind| is_of_kind(record, kind));
        let (items, next) = normalize::list(text, listing.key, listing.model, &keep).unwrap();
        let items = items.unwrap();
        let digest = PageDigest {
            count: items.count,
            first_id: items.first_id,
            last_id: items.last_id,
            idless: items.idless.map(Value::from),
            kept: items.records.len(),
            next,
        };
        (items.records.iter().map(Record::to_value).collect(), digest)
    }

    #[test]
    fn a_page_reads_as_the_core_reads_it() {
        let text = r#"{"contacts":[
            {"id":"7","type":"user","user_id":5,"email":"a@example.com","created_at":"2023-11-14T22:13:20Z","x":{"y":[1,2.50]}},
            {"id":8,"email":"lead@example.com","name":"","signed_up_at":1700000000000},
            {"id":9,"user_id":"42","unsubscribed_from_emails":"true","id":10,"tags":[]}
        ],"pages":{"page":1,"total_pages":3}}"#;
        let (items, digest) = read(&users::LIST, text).unwrap();
        assert_eq!((items, digest), core_read(&users::LIST, text));
        assert_eq!(read(&users::LIST, text).unwrap().1.kept, 2);
        let text =
            r#"{"events":[{"id":1},{"name":"a","x":[1,2.50,"\u00e9é"]},{"id":null,"name":"b"}]}"#;
        let (items, mut digest) = read(&events::LIST, text).unwrap();
        let (core_items, mut core_digest) = core_read(&events::LIST, text);
        // Each reader hashes the items without an id its own way: both do.
        assert!(digest.idless.take().is_some() && core_digest.idless.take().is_some());
        assert_eq!((items, digest), (core_items, core_digest));
        let text = r#"{"campaigns":[{"id":3,"name":"Welcome","extra":null}]}"#;
        assert_eq!(
            read(&campaigns::LIST, text).unwrap(),
            core_read(&campaigns::LIST, text)
        );
    }

    #[test]
    fn the_core_reads_what_the_host_is_unsure_of() {
        for text in [
            r#"{"contacts":[{"id":1},{"email":"no-id@example.com"}]}"#,
            r#"{"contacts":[{"id":1},[]]}"#,
            r#"{"contacts":{"id":1}}"#,
            r#"{"contacts":[{"id":1}]"#,
            "[]",
        ] {
            assert_eq!(read(&users::LIST, text), None, "{text}");
        }
    }
}
