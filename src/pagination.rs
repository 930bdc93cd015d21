//! Page-number paging (docs/gist-api.md, "Paging"): `page`/`per_page`, ending on an empty page, on
//! a `pages` object without `next`, or (when Gist sends no `pages`) on a short page.

use crate::base64;
use crate::error::Error;
use crate::json::Value;
use crate::models::normalize::Items;
use crate::models::Record;
use crate::text::text;

/// Pages read in one `list*` call at the most, so a server that never ends cannot loop forever. A walk
/// reads a page a call, and goes on as long as its caller asks, but past at most this many pages in a
/// row that hold none of its items.
pub const MAX_PAGES: u32 = 10_000;

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in Gist's order.
    pub items: Vec<T>,
    /// Whether another page may follow.
    pub has_more: bool,
}

/// Where a paged listing stands: the next page number, how many of its items were already handed
/// out (a walk stopped within a page), and what the last page seen is known by (its first and last ids).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cursor {
    /// The 1-based number of the next page to fetch.
    pub next_page: u32,
    /// How many of the next page's items were handed out before: reading it drops them.
    pub skip: u32,
    /// The page size its pages are read with, once one was asked for: page numbers mean nothing
    /// with another, so a walk resumed in a client of another `perPage` keeps this one.
    pub per_page: Option<u32>,
    last_page: Option<Value>,
    /// The last page read whose number is a power of two: a later page that is it again means the
    /// server goes round pages it has given (see [`Cursor::read_page`]).
    landmark: Option<Value>,
    /// Whether a page since the landmark's started with it (see [`Cursor::read_page`]).
    landmark_met: bool,
    /// Whether the last page read repeated the one before it (see [`Cursor::read_page`]).
    repeated: bool,
    /// Pages a walk read in a row that held none of its items (see [`Cursor::empty_in_a_row`]).
    empty_run: u32,
    /// Whether the listing has ended.
    pub done: bool,
}

impl Cursor {
    /// A cursor at page 1.
    pub fn new() -> Self {
        Self {
            next_page: 1,
            skip: 0,
            per_page: None,
            last_page: None,
            landmark: None,
            landmark_met: false,
            repeated: false,
            empty_run: 0,
            done: false,
        }
    }

    /// The cursor as JSON, `{ page, first, done, skip?, perPage?, repeated?, empty?, mark? | met? }`
    /// (`first`: the last page's first and last ids; `skip` and `empty` when not 0, `repeated` when
    /// true; the landmark's ids, when there is one, as `mark`, or as `met` once a page was it again),
    /// for a host that keeps it between calls.
    pub fn to_value(&self) -> Value {
        Value::Object(self.fields(crate::json::Map::new()))
    }

    /// `map` with the cursor's fields added.
    fn fields(&self, mut map: crate::json::Map<String, Value>) -> crate::json::Map<String, Value> {
        map.set("page", self.next_page.into());
        map.set("first", self.last_page.clone().unwrap_or(Value::Null));
        map.set("done", self.done.into());
        if self.skip > 0 {
            map.set("skip", self.skip.into());
        }
        if let Some(per_page) = self.per_page {
            map.set("perPage", per_page.into());
        }
        if self.repeated {
            map.set("repeated", true.into());
        }
        if self.empty_run > 0 {
            map.set("empty", self.empty_run.into());
        }
        if let Some(landmark) = &self.landmark {
            map.set(
                if self.landmark_met { "met" } else { "mark" },
                landmark.clone(),
            );
        }
        map
    }

    /// Reads what [`Cursor::to_value`] wrote; `null` is a new cursor.
    ///
    /// # Errors
    /// `invalid_argument` for anything else.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        if value.is_null() {
            return Ok(Self::new());
        }
        let whole = |key| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
        };
        let skip = match value.get("skip") {
            None => Some(0),
            Some(_) => whole("skip"),
        };
        let per_page = match value.get("perPage") {
            None => Some(None),
            Some(_) => whole("perPage")
                .filter(|n| (1..=crate::config::MAX_PER_PAGE).contains(n))
                .map(Some),
        };
        let done = value.get("done").and_then(Value::as_bool);
        let repeated = match value.get("repeated") {
            None => Some(false),
            Some(repeated) => repeated.as_bool(),
        };
        // The landmark under `met` once a page started with it.
        let (landmark, landmark_met) = match value.get("met").filter(|m| !m.is_null()) {
            Some(met) => (Some(met), true),
            None => (value.get("mark").filter(|m| !m.is_null()), false),
        };
        let empty_run = match value.get("empty") {
            None => Some(0),
            Some(_) => whole("empty"),
        };
        match (
            whole("page"),
            skip.zip(empty_run),
            per_page,
            done.zip(repeated),
        ) {
            (Some(next_page), Some((skip, empty_run)), Some(per_page), Some((done, repeated)))
                if next_page > 0 =>
            {
                Ok(Self {
                    next_page,
                    skip,
                    per_page,
                    last_page: value.get("first").filter(|f| !f.is_null()).cloned(),
                    landmark: landmark.cloned(),
                    landmark_met,
                    repeated,
                    empty_run,
                    done,
                })
            }
            _ => Err(Error::invalid_argument(
                "the cursor is not one this client made",
            )),
        }
    }

    /// Counts a walk's page that held none of its items (`found`: it held some, which starts the count
    /// again); true once [`MAX_PAGES`] such pages came in a row, so that a walk over a server that
    /// never ends cannot loop forever.
    pub fn empty_in_a_row(&mut self, found: bool) -> bool {
        self.empty_run = match found {
            true => 0,
            false => self.empty_run.saturating_add(1),
        };
        self.empty_run >= MAX_PAGES
    }

    /// Where this listing goes on, as an opaque token (URL-safe base64 of JSON) that names the list
    /// and its filters. An ended listing's token says so: resumed, it reads nothing, so that a walk kept
    /// after its last page never starts over as another (unfiltered) walk.
    pub fn to_token(&self, list: &str, filters: &Value) -> String {
        let mut token = crate::json::Map::new();
        token.set("list", list.into());
        token.set("filters", filters.clone());
        let text = Value::Object(self.fields(token)).to_json();
        base64::encode(text.as_bytes(), base64::URL_SAFE)
    }

    /// Reads what [`Cursor::to_token`] wrote for `list`: the filters and the cursor.
    ///
    /// # Errors
    /// `invalid_argument` for a token this client did not make, or one of another list.
    pub fn from_token(token: &str, list: &str) -> Result<(Value, Self), Error> {
        let refused = || Error::invalid_argument("cursor is not one that this list gave");
        let text = base64::decode(token, base64::URL_SAFE)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(refused)?;
        let mut token = match crate::json::from_str(&text) {
            Ok(token @ Value::Object(_)) => token,
            _ => return Err(refused()),
        };
        if token.get("list").and_then(Value::as_str) != Some(list) {
            return Err(refused());
        }
        let filters = token
            .get_mut("filters")
            .map(Value::take)
            .unwrap_or_default();
        let cursor = Self::from_value(&token).map_err(|_| refused())?;
        Ok((filters, cursor))
    }

    /// Takes a list answer's `items` (`None`: the answer had no array under `key`) and its `pages`,
    /// and moves the cursor on; gives the items not handed out before (see `skip`).
    ///
    /// A page whose first and last items are the previous page's repeats it: the list grew by exactly
    /// a page since (each item moved one page on), or the server ignores `page`. Its items are not
    /// given again and the listing goes on, unless the page before was a repeat too (a server that
    /// ignores `page`) or nothing follows: then it ends there. So too for a page that is the
    /// landmark again, an earlier page further back (the last one read whose number is a power of
    /// two): the list grew by whole pages, and goes on; met a second time, the server goes round
    /// pages it gave (alternating replicas, say) and would never end, so the listing ends (within
    /// about six rounds of such pages). A page whose first item has no id (or one its model drops)
    /// repeats nothing; one that starts as an earlier page did but ends otherwise (a sort with ties),
    /// or whose items without an id differ, is new.
    ///
    /// # Errors
    /// `invalid_response` when `key` is not an array, or an item is refused.
    pub fn read_page(
        &mut self,
        items: Option<Items>,
        next: Option<bool>,
        key: &str,
        per_page: u32,
    ) -> Result<Vec<Record>, Error> {
        let Some(items) = items else {
            return Err(Error::invalid_response(text!(
                "Gist's list answer has no `{}` array",
                key
            )));
        };
        let ids = (items.first_id, items.last_id, items.idless.map(Value::from));
        let Some(skip) = self.read_facts(items.count, ids, next, per_page) else {
            return Ok(Vec::new());
        };
        match items.error {
            Some(error) => Err(error),
            None => {
                let mut records = items.records;
                records.drain(..skip.min(records.len()));
                Ok(records)
            }
        }
    }

    /// [`Cursor::read_page`] of a page its host read and holds: from how many items its array held
    /// (`count`), its first and last ones' ids and the hash of those [`idless`], where its kept
    /// items start (a resumed walk's `skip`), or `None` for a page that repeats one read before (none
    /// of it is kept).
    pub fn read_facts(
        &mut self,
        count: usize,
        (first_id, last_id, idless): (Option<Value>, Option<Value>, Option<Value>),
        next: Option<bool>,
        per_page: u32,
    ) -> Option<usize> {
        let mark = first_id.filter(|id| !id.is_null()).map(|first| {
            let last = last_id
                .filter(|id| !id.is_null())
                .map_or(Value::Null, kept_id);
            let mut mark = vec![kept_id(first), last];
            if let Some(idless) = idless {
                mark.push(idless);
            }
            Value::Array(mark)
        });
        let starts_with = |earlier: &Option<Value>| match (&mark, earlier) {
            (Some(mark), Some(earlier)) => same_page(mark, earlier),
            _ => false,
        };
        let page = self.next_page;
        self.next_page = self.next_page.saturating_add(1);
        let met_before = match starts_with(&self.last_page) {
            true => Some(std::mem::replace(&mut self.repeated, true)),
            false if starts_with(&self.landmark) => {
                Some(std::mem::replace(&mut self.landmark_met, true))
            }
            false => None,
        };
        if let Some(met_before) = met_before {
            self.done = met_before || !has_more(count, per_page, next);
            self.skip = 0;
            return None;
        }
        if page.is_power_of_two() {
            self.landmark = mark.clone();
            self.landmark_met = false;
        }
        self.repeated = false;
        self.last_page = mark;
        self.done = !has_more(count, per_page, next);
        Some(std::mem::take(&mut self.skip) as usize)
    }
}

/// Whether a page known by `mark` (its first id and the last one it holds, as [`kept_id`] keeps them,
/// and the hash of its items that have none, [`idless`], if any) is the `earlier` one again. A mark of one id (a cursor
/// written before pages were known by their last item) repeats nothing: a page may come twice after
/// such a cursor, but none is lost.
fn same_page(mark: &Value, earlier: &Value) -> bool {
    match (mark, earlier) {
        (Value::Array(ids), Value::Array(earlier)) => {
            ids.len() >= 2
                && ids.len() == earlier.len()
                && ids.iter().zip(earlier).all(|(id, was)| same_id(id, was))
        }
        _ => false,
    }
}

/// A hash of a page's items that have no id (their JSON, each given to it in turn from `None`), so that
/// pages alike in their ids but not in the items that have none (a tie on the first item, then events
/// without ids) are not taken for one another.
pub fn idless(hash: Option<u64>, item: &str) -> Option<u64> {
    Some(fnv(hash.unwrap_or(FNV_START), item.as_bytes()) >> 11)
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a of `bytes`, going on from `hash`.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a cursor keeps of a page's first or last id, to compare with later pages' (kept as they are): a number
/// as it is, anything else as a 53-bit FNV-1a hash of its JSON (a number JS reads exactly), so that an id
/// a server made of the key or an email, or of a megabyte, never stands in a cursor that a caller stores.
fn kept_id(id: Value) -> Value {
    if matches!(id, Value::Number(_)) {
        return id;
    }
    Value::from(fnv(FNV_START, id.to_json().as_bytes()) >> 11)
}

/// Whether two ids a cursor keeps are the same: numbers by their value (`1e2` is `100`, as JS
/// reads them) up to 2^53, past it as written (JS leaves those pages to the core, which reads them
/// as Gist wrote them); anything else as written.
fn same_id(first: &Value, last: &Value) -> bool {
    match (first, last) {
        (Value::Number(a), Value::Number(b)) if first != last => {
            let value = a.as_f64();
            value.abs() < 9_007_199_254_740_992.0 && value == b.as_f64()
        }
        _ => first == last,
    }
}

/// Whether another page may follow one that held `received` items.
///
/// A `pages` object is trusted when present (`next`, as [`crate::models::normalize::paging`] reads
/// it: null, `""` or missing ends the list, even after a full page; a `next` after a short page
/// continues, since Gist may cap `per_page` below what was asked).
pub fn has_more(received: usize, per_page: u32, next: Option<bool>) -> bool {
    received > 0 && next.unwrap_or(received >= per_page as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::models::normalize::{self, EVENT, TAG};

    /// Reads a page of tags from `page` (the answer, as a value) into `cursor`: how many it gave.
    fn read(cursor: &mut Cursor, page: &Value, key: &str, per_page: u32) -> Result<usize, Error> {
        let model = if key == "events" { &EVENT } else { &TAG };
        let (items, next) = normalize::list(&page.to_json(), key, model, &|_| true)
            .map_err(|_| Error::invalid_response("not JSON"))?;
        cursor
            .read_page(items, next, key, per_page)
            .map(|items| items.len())
    }

    #[test]
    fn a_token_resumes_the_same_list_at_the_same_page_with_its_filters() {
        let mut cursor = Cursor::new();
        let page = json!({"contacts": [{"id": 7}], "pages": {"next": "p2"}});
        read(&mut cursor, &page, "contacts", 1).expect("a page");
        let filters = json!({"tag_id": 3});
        let token = cursor.to_token("users", &filters);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let (read, resumed) = Cursor::from_token(&token, "users").expect("valid");
        assert_eq!(read, filters);
        assert_eq!(resumed, cursor);
        for (bad, list) in [
            (token.as_str(), "leads"),
            ("bm90IGpzb24", "users"),
            ("!!", "users"),
            ("", "users"),
        ] {
            let error = Cursor::from_token(bad, list).expect_err("refused");
            assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn an_ended_list_gives_a_token_that_resumes_ended_with_its_filters() {
        let mut cursor = Cursor::new();
        let last = json!({"contacts": [{"id": 7}], "pages": {"next": null}});
        read(&mut cursor, &last, "contacts", 60).expect("a page");
        assert!(cursor.done);
        let filters = json!({"tag_id": 3});
        let token = cursor.to_token("users", &filters);
        let (read, resumed) = Cursor::from_token(&token, "users").expect("valid");
        assert_eq!(read, filters);
        assert!(resumed.done, "an ended list's token resumes ended");
        assert_eq!(resumed, cursor);
    }

    #[test]
    fn an_empty_page_ends_the_list() {
        assert!(!has_more(0, 60, Some(true)));
    }

    #[test]
    fn a_pages_object_decides_by_next() {
        let next = |pages: &str| normalize::paging(pages).unwrap();
        for ended in [r#"{"next": null}"#, r#"{"next": ""}"#, r#"{"first": "u"}"#] {
            assert_eq!(next(ended), Some(false), "{ended}");
            assert!(!has_more(60, 60, next(ended)));
        }
        for more in [r#"{"next": "https://x/contacts?page=2"}"#, r#"{"next": 2}"#] {
            assert!(has_more(60, 60, next(more)), "{more}");
            assert!(has_more(50, 60, next(more)), "{more}");
        }
        assert_eq!(next(r#"[{"next": 1}]"#), None, "not an object: as if none");
    }

    #[test]
    fn without_pages_a_short_page_ends_the_list() {
        assert!(!has_more(59, 60, None));
        assert!(has_more(60, 60, None));
    }

    #[test]
    fn a_server_that_ignores_page_ends_the_list_after_two_repeats_without_repeating_items() {
        let mut cursor = Cursor::new();
        let page = json!({"tags": [{"id": 1}, {"id": 2}]});
        assert_eq!(read(&mut cursor, &page, "tags", 2), Ok(2));
        assert_eq!(cursor.next_page, 2);
        assert!(!cursor.done);
        assert_eq!(read(&mut cursor, &page, "tags", 2), Ok(0));
        assert!(!cursor.done, "one repeat may be a list grown by a page");
        let resumed = Cursor::from_value(&cursor.to_value()).expect("its JSON form");
        assert_eq!(resumed, cursor);
        cursor = resumed;
        assert_eq!(read(&mut cursor, &page, "tags", 2), Ok(0));
        assert!(cursor.done);
    }

    #[test]
    fn tied_pages_whose_other_items_have_no_id_are_new_and_the_same_page_again_repeats() {
        let page = |names: [&str; 2]| json!({"events": [{"id": 1}, {"name": names[0]}, {"name": names[1]}], "pages": {"next": "more"}});
        let mut cursor = Cursor::new();
        for names in [["a", "b"], ["c", "d"], ["e", "f"]] {
            assert_eq!(
                read(&mut cursor, &page(names), "events", 3),
                Ok(3),
                "{names:?}"
            );
            cursor = Cursor::from_value(&cursor.to_value()).expect("its JSON form");
        }
        assert_eq!(read(&mut cursor, &page(["e", "f"]), "events", 3), Ok(0));
        assert_eq!(read(&mut cursor, &page(["e", "f"]), "events", 3), Ok(0));
        assert!(cursor.done, "a server that ignores `page` ends the list");
    }

    #[test]
    fn a_server_that_goes_round_pages_ends_the_list_within_six_rounds() {
        let tags = |first: u32| json!({"tags": [{"id": first}, {"id": first + 1}], "pages": {"next": "more"}});
        for round in 2..=9u32 {
            let mut cursor = Cursor::new();
            let mut pages = 0;
            while !cursor.done && pages < 100 {
                let first = 10 * (pages % round) + 1;
                read(&mut cursor, &tags(first), "tags", 2).expect("a page");
                cursor = Cursor::from_value(&cursor.to_value()).expect("its JSON form");
                pages += 1;
            }
            assert!(cursor.done, "a round of {round} pages never ended");
            assert!(pages <= 6 * round, "a round of {round}: {pages} pages");
        }
        let mut cursor = Cursor::new();
        for first in [1, 11, 21, 31, 41, 51, 61, 71, 81] {
            read(&mut cursor, &tags(first), "tags", 2).expect("a page");
        }
        assert!(!cursor.done, "pages that never come back go on");
    }

    #[test]
    fn a_list_grown_by_whole_pages_goes_on_past_the_landmark_without_giving_it_again() {
        let tags = |first: u32| json!({"tags": [{"id": first}, {"id": first - 1}]});
        let mut cursor = Cursor::new();
        // Pages of 2 from 100 down; after page 2 (the landmark, 98), two pages were added in front.
        for first in [100, 98] {
            assert_eq!(read(&mut cursor, &tags(first), "tags", 2), Ok(2));
        }
        assert_eq!(
            read(&mut cursor, &tags(100), "tags", 2),
            Ok(2),
            "given again, as before"
        );
        assert_eq!(
            read(&mut cursor, &tags(98), "tags", 2),
            Ok(0),
            "the landmark: not again"
        );
        assert!(!cursor.done, "a list grown by whole pages goes on");
        for first in [96, 94, 92] {
            assert_eq!(read(&mut cursor, &tags(first), "tags", 2), Ok(2), "{first}");
        }
        assert!(!cursor.done);
    }

    #[test]
    fn a_page_whose_first_item_has_a_null_id_repeats_nothing_in_a_list_or_a_walk() {
        let page = json!({"events": [{"id": null, "event_name": "a"}, {"event_name": "b"}]});
        let read = |cursor: &mut Cursor| {
            let (items, next) = normalize::list(&page.to_json(), "events", &EVENT, &|_| true)
                .map_err(|_| Error::invalid_response("not JSON"))?;
            cursor
                .read_page(items, next, "events", 2)
                .map(|items| items.len())
        };
        let (mut listed, mut walked) = (Cursor::new(), Cursor::new());
        for _ in 0..4 {
            assert_eq!(read(&mut listed), Ok(2));
            assert_eq!(read(&mut walked), Ok(2));
            walked = Cursor::from_value(&walked.to_value()).expect("its JSON form");
        }
        assert_eq!(listed, walked);
    }

    #[test]
    fn a_list_grown_by_exactly_a_page_goes_on_without_repeating_or_losing_items() {
        let mut cursor = Cursor::new();
        let tags = |[a, b]: [u32; 2]| json!({"tags": [{"id": a}, {"id": b}]});
        assert_eq!(read(&mut cursor, &tags([9, 8]), "tags", 2), Ok(2));
        // Two tags were added in front: page 2 is now what page 1 was.
        assert_eq!(read(&mut cursor, &tags([9, 8]), "tags", 2), Ok(0));
        assert!(!cursor.done);
        assert_eq!(read(&mut cursor, &tags([7, 6]), "tags", 2), Ok(2));
        assert_eq!(
            read(&mut cursor, &json!({"tags": [{"id": 5}]}), "tags", 2),
            Ok(1)
        );
        assert!(cursor.done);
    }

    #[test]
    fn pages_whose_first_ids_differ_past_2_to_the_53_are_not_a_repeat() {
        let mut cursor = Cursor::new();
        let page = |text: &str| json::from_str(text).expect("JSON");
        let first = page(r#"{"tags": [{"id": 9007199254740992}, {"id": 1}]}"#);
        let second = page(r#"{"tags": [{"id": 9007199254740993}, {"id": 2}]}"#);
        assert_eq!(read(&mut cursor, &first, "tags", 2), Ok(2));
        assert_eq!(read(&mut cursor, &second, "tags", 2), Ok(2));
        assert_eq!(read(&mut cursor, &second, "tags", 2), Ok(0), "a repeat");
        // An event's id may be negative: past -2^53 too.
        let id = |text: &str| json::from_str(text).expect("JSON");
        assert!(!same_id(&id("-9007199254740992"), &id("-9007199254740993")));
        assert!(same_id(&id("-100"), &id("-1e2")));
        // Below 2^53 a number is read by its value, as JS reads it: `1e2` is `100`.
        let mut cursor = Cursor::new();
        assert_eq!(
            read(&mut cursor, &page(r#"{"tags": [{"id": 100}]}"#), "tags", 1),
            Ok(1)
        );
        assert_eq!(
            read(&mut cursor, &page(r#"{"tags": [{"id": 1e2}]}"#), "tags", 1),
            Ok(0)
        );
    }

    #[test]
    fn a_cursor_keeps_no_id_its_model_drops() {
        let mut cursor = Cursor::new();
        let secret = "Bearer sk_live_9fQ2 ada@example.com";
        let huge = "x".repeat(1 << 20);
        for (id, next) in [(secret, "next"), (huge.as_str(), "after")] {
            let page = json!({"events": [{"id": id, "name": "a"}, {"id": next, "name": "b"}]});
            let (items, next) = normalize::list(&page.to_json(), "events", &EVENT, &|_| true)
                .expect("a page of events");
            let read = cursor.read_page(items, next, "events", 2);
            assert_eq!(read.map(|items| items.len()), Ok(2));
            let kept = cursor.to_value().to_json();
            assert!(
                !kept.contains("sk_live") && !kept.contains("example.com") && kept.len() < 200,
                "{kept}"
            );
            // Ids the model drops (not whole numbers) name nothing: the page has no mark.
            assert_eq!(cursor.to_value().get("first"), Some(&Value::Null), "{kept}");
        }
    }

    #[test]
    fn a_page_that_starts_as_the_one_before_but_ends_otherwise_is_new() {
        let mut cursor = Cursor::new();
        let page = |ids: &[u64]| json!({"tags": ids.iter().map(|&id| json!({"id": id})).collect::<Vec<_>>()});
        assert_eq!(read(&mut cursor, &page(&[1, 2, 3]), "tags", 3), Ok(3));
        assert_eq!(read(&mut cursor, &page(&[1, 5, 6]), "tags", 3), Ok(3));
        assert_eq!(read(&mut cursor, &page(&[1, 9, 10]), "tags", 3), Ok(3));
        assert_eq!(read(&mut cursor, &page(&[1, 9, 10]), "tags", 3), Ok(0));
        assert!(!cursor.done, "one repeat goes on");
        // A page whose last items have no id is known by the last id it holds.
        let mut cursor = Cursor::new();
        let tied = |cursor: &mut Cursor, id: u64| {
            let page = json!({"events": [{"id": 1}, {"id": id}, {"name": "no id"}]});
            let (items, next) =
                normalize::list(&page.to_json(), "events", &normalize::EVENT, &|_| true)
                    .expect("a page of events");
            cursor
                .read_page(items, next, "events", 3)
                .map(|items| items.len())
        };
        assert_eq!(tied(&mut cursor, 2), Ok(3));
        assert_eq!(tied(&mut cursor, 5), Ok(3));
        assert_eq!(tied(&mut cursor, 5), Ok(0));
        // A cursor written before pages were known by their last item repeats nothing: none is lost.
        let mut old = Cursor::from_value(&json!({"page": 2, "first": 1, "done": false})).unwrap();
        assert_eq!(read(&mut old, &page(&[1, 5, 6]), "tags", 3), Ok(3));
        assert_eq!(read(&mut old, &page(&[1, 5, 6]), "tags", 3), Ok(0));
        assert_eq!(Cursor::from_value(&cursor.to_value()), Ok(cursor));
    }

    #[test]
    fn a_cursor_survives_its_json_form() {
        let mut cursor = Cursor::new();
        assert!(read(&mut cursor, &json!({"tags": [{"id": 7}]}), "tags", 1).is_ok());
        assert_eq!(Cursor::from_value(&cursor.to_value()), Ok(cursor));
        assert_eq!(Cursor::from_value(&Value::Null), Ok(Cursor::new()));
        assert!(Cursor::from_value(&json!({"page": 0, "done": false})).is_err());
    }

    #[test]
    fn a_walk_goes_on_past_any_number_of_pages() {
        for page in [MAX_PAGES, MAX_PAGES + 1, u32::MAX - 1, u32::MAX] {
            let mut cursor = Cursor::from_value(&json!({"page": page, "done": false}))
                .expect("a cursor at any page");
            let full = json!({"tags": [{"id": page}]});
            assert_eq!(read(&mut cursor, &full, "tags", 1), Ok(1));
            assert!(!cursor.done, "{page}");
            assert_eq!(cursor.next_page, page.saturating_add(1));
        }
    }

    #[test]
    fn a_cursor_within_a_page_drops_the_items_handed_out_and_survives_its_token() {
        let mut cursor = Cursor::from_value(&json!({"page": 1, "done": false, "skip": 2}))
            .expect("a cursor within page 1");
        let token = cursor.to_token("tags", &Value::Null);
        assert_eq!(
            Cursor::from_token(&token, "tags").map(|(_, c)| c),
            Ok(cursor.clone())
        );
        let page = json!({"tags": [{"id": 1}, {"id": 2}, {"id": 3}]});
        assert_eq!(read(&mut cursor, &page, "tags", 3), Ok(1));
        assert_eq!((cursor.next_page, cursor.skip), (2, 0));
        assert_eq!(
            cursor.to_value().get("skip"),
            None,
            "no skip once the page is read"
        );
        for skip in [
            json!(-1),
            json!(1.5),
            json!("2"),
            json!(u64::from(u32::MAX) + 1),
        ] {
            assert!(Cursor::from_value(&json!({"page": 1, "done": false, "skip": skip})).is_err());
        }
        for (key, bad) in [
            ("perPage", json!(0)),
            ("perPage", json!(1001)),
            ("repeated", json!("yes")),
        ] {
            let mut value = json!({"page": 1, "done": false});
            if let Value::Object(map) = &mut value {
                map.insert(key.into(), bad);
            }
            assert!(Cursor::from_value(&value).is_err(), "{key}");
        }
    }

    #[test]
    fn a_missing_list_key_is_an_invalid_response() {
        let mut cursor = Cursor::new();
        assert!(read(&mut cursor, &json!({"users": []}), "contacts", 60).is_err());
    }
}
