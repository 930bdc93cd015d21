//! [`Pages`]: a list read page by page (`page` and `per_page`), the one paging loop. A `list*` call
//! reads pages until its limit within one deadline, and hands each page's items to its host as it goes
//! (so that it holds one page at a time), the last with its value; an `iter*` walk reads one page per
//! call and resolves with the page and where the walk goes on.

use super::{not_json, Next};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::json;
use crate::json::Value;
use crate::models::normalize::{self, Model, Record};
use crate::models::ContactType;
use crate::pagination::{Cursor, MAX_PAGES};
use crate::resources::contacts::is_of_kind;
use crate::text::text;
use std::ops::Range;

/// A range of the items of a page that the host read and holds (see [`PageDigest`]), as the core hands
/// them out where it would the items: `{"held": [from, to]}`, for the host to put those of its own.
pub fn held(range: &Range<usize>) -> Value {
    json!({ "held": [range.start as u64, range.end as u64] })
}

/// A list endpoint, declared by its resource: its name (`listUsers` is `users`), the key and model of
/// its answer's items, the contact type it keeps (when the API mixes users and leads), and how its
/// options are read into the request of its first page and a limit.
#[derive(Debug)]
pub struct Listing {
    /// The list's name, as `list{Name}`/`iter{Name}` and resume tokens name it.
    pub name: &'static str,
    /// The key of the answer's array.
    pub key: &'static str,
    /// Its items' model.
    pub model: &'static Model,
    /// The only contact type kept, when the list is of contacts.
    pub keep: Option<ContactType>,
    /// Reads the list's options (without `cursor`): the base request and the `limit` given.
    pub options: fn(Value) -> Result<FirstPage, Error>,
}

/// A list's base request (its filters, without `page` and `per_page`) and the `limit` given.
pub type FirstPage = (HttpRequest, Option<f64>);

/// What the paging loop reads from a page, where its host read the page itself (the JS runtime, with
/// the same rules: `normalize.js`) and holds its items: the items the page held, the first one's `id`
/// and the last `id` (not null) of them as Gist sent them, how many the list keeps, and the page's
/// `pages`. The kept items handed out are a
/// range of the host's (see [`held`]): the core holds none of them.
#[derive(Debug, Clone, PartialEq)]
pub struct PageDigest {
    /// How many items the page's array held.
    pub count: usize,
    /// The first item's `id`, as Gist sent it.
    pub first_id: Option<Value>,
    /// The last `id` (not null) of its items, as Gist sent it.
    pub last_id: Option<Value>,
    /// A hash of the items that have no id, if any (the host's own, see
    /// [`crate::pagination::idless`]: a page the host read and one the core read are never alike).
    pub idless: Option<Value>,
    /// How many of them the list keeps (all but those of the other contact type).
    pub kept: usize,
    /// Whether the page's `pages` names a next page (`normalize::paging`), if it is an object.
    pub next: Option<bool>,
}

impl PageDigest {
    /// Reads a digest from its JSON: `{count, firstId?, lastId?, idless?, kept, next?}`.
    pub fn from_value(value: &Value) -> Option<Self> {
        let count = |key| value.get(key).and_then(Value::as_u64).map(|n| n as usize);
        Some(Self {
            count: count("count")?,
            first_id: value.get("firstId").cloned(),
            last_id: value.get("lastId").cloned(),
            idless: value.get("idless").cloned(),
            kept: count("kept")?,
            next: value.get("next").and_then(Value::as_bool),
        })
    }
}

/// Whether a call reads the whole list or one page of a walk.
#[derive(Debug)]
enum Mode {
    /// `list*`: pages until this many items are kept; the value is the last page's items, the
    /// others handed out before ([`Pages::take_items`]).
    List(usize),
    /// `iter*`: one page, resolved with the resume token's filters and where the page starts.
    Page { filters: Value, at: Cursor },
}

/// A list being read.
#[derive(Debug)]
pub struct Pages {
    listing: &'static Listing,
    request: HttpRequest,
    cursor: Cursor,
    mode: Mode,
    items: Vec<Value>,
    /// The items to hand out of a page its host read and holds: a range of its kept items.
    held: Range<usize>,
    /// Items already handed out (a `list*` call's earlier pages).
    handed: usize,
    pages_read: u32,
    /// What the next answer's page holds, where its host read it.
    digest: Option<PageDigest>,
}

impl Pages {
    /// A `list*` call: `options` are the list's (a `cursor` among them resumes a walk), the limit 100 by
    /// default, at most 10000.
    pub fn list(listing: &'static Listing, options: Value) -> Result<Self, Error> {
        let (request, limit, _, cursor) = start(listing, options)?;
        let limit = crate::resources::limit_of(limit)? as usize;
        Ok(Self::new(listing, request, cursor, Mode::List(limit)))
    }

    /// One page of an `iter*` walk: the page `cursor` points at (`null`: where `options` start). Its
    /// value is `{items, cursor, resume, at}`: the page's items, the cursor and token of the page after
    /// it, and the cursor it started at (a host that stops within the page resumes there, with `skip`
    /// raised by the items it handed out).
    /// The walk's limit (none by default) is checked here and applied by its runtime.
    pub fn page(listing: &'static Listing, options: Value, cursor: &Value) -> Result<Self, Error> {
        let (request, limit, filters, start) = start(listing, options)?;
        crate::input::limit(limit, None, u32::MAX)?;
        let cursor = match cursor {
            Value::Null => start,
            given => Cursor::from_value(given)?,
        };
        let at = cursor.clone();
        Ok(Self::new(
            listing,
            request,
            cursor,
            Mode::Page { filters, at },
        ))
    }

    fn new(listing: &'static Listing, request: HttpRequest, cursor: Cursor, mode: Mode) -> Self {
        Self {
            listing,
            request,
            cursor,
            mode,
            items: Vec::new(),
            held: 0..0,
            handed: 0,
            pages_read: 0,
            digest: None,
        }
    }

    /// The list being read.
    pub fn listing(&self) -> &'static Listing {
        self.listing
    }

    /// The next answer's page was read by the host: `digest` is what it holds.
    pub fn read_elsewhere(&mut self, digest: PageDigest) {
        self.digest = Some(digest);
    }

    /// How many items of the last page are still to be handed out.
    fn kept(&self) -> usize {
        self.items.len() + self.held.len()
    }

    /// The last page's items still to be handed out, as a value: its own, or the range the host holds.
    fn page_items(&mut self) -> Value {
        match std::mem::replace(&mut self.held, 0..0) {
            range if !range.is_empty() => held(&range),
            _ => Value::Array(std::mem::take(&mut self.items)),
        }
    }

    /// The next page's request, or the call's value when it has read enough.
    pub fn next(&mut self, config: &Config) -> Next {
        let enough = match self.mode {
            Mode::List(limit) => self.handed + self.kept() >= limit,
            Mode::Page { .. } => self.pages_read > 0,
        };
        let per_page = *self.cursor.per_page.get_or_insert(config.per_page);
        if !(self.cursor.done || enough) {
            let request = self
                .request
                .clone()
                .query("page", self.cursor.next_page)
                .query("per_page", per_page);
            return Next::Send(request);
        }
        if let Mode::List(limit) = self.mode {
            self.items.truncate(limit.saturating_sub(self.handed));
        }
        let items = self.page_items();
        Next::Done(match &self.mode {
            Mode::List(_) => items,
            Mode::Page { filters, at } => {
                let mut at = at.clone();
                at.per_page.get_or_insert(per_page);
                json!({
                    "items": items,
                    "cursor": self.cursor.to_value(),
                    "resume": self.cursor.to_token(self.listing.name, filters),
                    "at": at.to_value(),
                })
            }
        })
    }

    /// The items read so far that a `list*` call can hand out now, as a value (see [`Pages::next`]);
    /// none for an `iter*` page, whose value holds them.
    pub fn take_items(&mut self) -> Option<Value> {
        match self.mode {
            Mode::List(_) if self.kept() > 0 => {
                self.handed += self.kept();
                Some(self.page_items())
            }
            _ => None,
        }
    }

    /// The token that resumes a walk where this page call stands (before its page is read: at that
    /// page, with the walk's filters); `None` for a `list*` call.
    pub fn resume(&self) -> Option<String> {
        match &self.mode {
            Mode::Page { filters, .. } => Some(self.cursor.to_token(self.listing.name, filters)),
            Mode::List(_) => None,
        }
    }

    /// Reads a page's answer, then says what comes next.
    pub fn answered(
        &mut self,
        config: &Config,
        answer: Result<HttpResponse, Error>,
    ) -> Result<Next, Error> {
        let response = answer?;
        let Listing {
            key, model, keep, ..
        } = *self.listing;
        let per_page = self.cursor.per_page.unwrap_or(config.per_page);
        if let Some(digest) = self.digest.take() {
            // A `list*` call takes no more of a page than its limit still does.
            let wanted = match self.mode {
                Mode::List(limit) => limit.saturating_sub(self.handed + self.kept()),
                Mode::Page { .. } => usize::MAX,
            };
            let start = self.cursor.read_facts(
                digest.count,
                (digest.first_id, digest.last_id, digest.idless),
                digest.next,
                per_page,
            );
            if let Some(start) = start.filter(|&start| start < digest.kept) {
                self.held = start..digest.kept.min(start.saturating_add(wanted));
            }
        } else {
            let kept = |record: &Record| keep.is_none_or(|kind| is_of_kind(record, kind));
            let (items, next) = normalize::list(&response.body, key, model, &kept)
                .map_err(|_| not_json(response.status))?;
            let records = self.cursor.read_page(items, next, key, per_page)?;
            self.items
                .extend(records.into_iter().map(Record::into_value));
        }
        self.pages_read += 1;
        // A walk's page can hold none of its kind (users and leads come in one list).
        let found = self.kept() > 0;
        if self.cursor.done {
            return Ok(self.next(config));
        }
        match self.mode {
            Mode::Page { .. } if self.cursor.empty_in_a_row(found) => {
                Err(Error::invalid_response(text!(
                    "Gist sent {} pages in a row with no item of this list",
                    MAX_PAGES
                )))
            }
            // A list that neither ends nor fills its limit in as many pages fails, as a walk does: a
            // short list handed out as if it were the whole would be a wrong answer.
            Mode::List(limit)
                if self.pages_read >= MAX_PAGES && self.handed + self.kept() < limit =>
            {
                Err(Error::invalid_response(text!(
                    "Gist sent {} pages without the list's end or its limit",
                    MAX_PAGES
                )))
            }
            _ => Ok(self.next(config)),
        }
    }
}

/// Reads a list's options: its base request and limit, the filters a resume token carries, and where
/// it starts: a `cursor` (an earlier page's token) brings back its filters and its page.
fn start(
    listing: &Listing,
    options: Value,
) -> Result<(HttpRequest, Option<f64>, Value, Cursor), Error> {
    let Value::Object(mut map) = options else {
        let (request, limit) = (listing.options)(options)?;
        return Ok((request, limit, Value::Null, Cursor::new()));
    };
    let limit = map.remove("limit");
    let (filters, start) = match map.remove("cursor") {
        None | Some(Value::Null) => (Value::Object(map), Cursor::new()),
        // A filter given as null is not given (JS writes an `undefined` one as null): beside a cursor,
        // which carries the filters, none is given.
        Some(Value::String(token)) if map.values().all(Value::is_null) => {
            Cursor::from_token(&token, listing.name)?
        }
        Some(Value::String(_)) => {
            return Err(Error::invalid_argument(
                "options.cursor carries the list's filters: pass only limit with it",
            ))
        }
        Some(_) => {
            return Err(Error::invalid_argument(
                "options.cursor must be the string an earlier page gave",
            ))
        }
    };
    let mut options = match &filters {
        Value::Null => json::Map::new(),
        Value::Object(map) => map.clone(),
        _ => {
            return Err(Error::invalid_argument(
                "options.cursor is not one that this list gave",
            ))
        }
    };
    if let Some(limit) = limit {
        options.set("limit", limit);
    }
    let (request, limit) = (listing.options)(Value::Object(options))?;
    Ok((request, limit, filters, start))
}
