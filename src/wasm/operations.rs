//! The method table: a method's name and its arguments (JSON) become a [`Flow`], the future that runs
//! it over a [`StepTransport`]. Arguments are read here, before any step, so a bad one fails at once.

use super::step::{whole, Done, Flow, StepTransport};
use crate::call::CallOptions;
use crate::client::{Client, Progress};
use crate::config::Config;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::input::{self, Fields};
use crate::json;
use crate::json::Value;
use crate::models::normalize::{Model, CAMPAIGN, EVENT, SEGMENT, TAG};
use crate::models::{ContactType, Record};
use crate::pagination::Cursor;
use crate::resources::contacts::{self, ContactRef, ListContactsOptions};
use crate::resources::events::{self, NewEvent};
use crate::resources::leads::{self, LeadChanges, NewLead};
use crate::resources::segments::{self, SegmentOptions};
use crate::resources::tags::{self, TagRequest};
use crate::resources::users::{self, NewUser, UserChanges};
use crate::resources::{campaigns, every, limit_of, next_page, raw};
use std::rc::Rc;

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// What one call needs: the client's configuration, its transport, and its own options.
pub struct Call {
    /// The client's configuration.
    pub config: Rc<Config>,
    /// Where the call's requests and waits go.
    pub transport: StepTransport,
    /// This call's timeout, retries and headers, where it has its own.
    pub options: CallOptions,
}

impl Call {
    fn client(&self) -> Client<'_, StepTransport> {
        Client::with_options(&self.config, self.transport.clone(), self.options.clone())
    }
}

/// Runs `$body` with `$client`, a core client whose deadline starts when the flow first runs; the
/// flow ends with its value and what the last answer said.
macro_rules! flow {
    ($call:ident, |$client:ident| $body:expr) => {
        Box::pin(async move {
            let client = $call.client();
            let $client = &client;
            let value: Result<Value, Error> = $body;
            value.map(|value| Done {
                value,
                response: client.response(),
            })
        }) as Flow
    };
}

/// Reads an id: a positive whole JSON number, never coerced from anything else.
fn positive_id(value: &Value) -> Result<u64, Error> {
    value
        .as_u64()
        .filter(|id| (1..=MAX_SAFE_INTEGER).contains(id))
        .ok_or_else(|| Error::invalid_argument("id must be a positive whole number"))
}

fn tag_name(value: Value) -> Result<String, Error> {
    match value {
        Value::String(name) => Ok(name),
        _ => Err(Error::invalid_argument("the tag name must be a string")),
    }
}

fn user_ref(value: &Value) -> Result<ContactRef, Error> {
    ContactRef::from_value(value, ContactType::User, &[])
}

/// Reads `{ limit? }`.
fn limit_option(value: Value) -> Result<Option<f64>, Error> {
    let mut fields = Fields::optional(value, "options")?;
    let limit = fields.number("limit")?;
    fields.finish()?;
    Ok(limit)
}

/// A list call's progress as JSON: `{ timeoutMs, deadline, bytes }`, whole numbers.
fn progress_json(progress: Progress) -> Value {
    json!({
        "timeoutMs": whole(progress.timeout_ms),
        "deadline": whole(progress.deadline_ms),
        "bytes": progress.received_bytes,
    })
}

/// Reads what [`progress_json`] wrote; `null` is a call that starts now.
fn progress_of(value: &Value) -> Result<Option<Progress>, Error> {
    if value.is_null() {
        return Ok(None);
    }
    let number = |key: &str| value.get(key).and_then(Value::as_u64);
    match (number("timeoutMs"), number("deadline"), number("bytes")) {
        (Some(timeout_ms), Some(deadline_ms), Some(received_bytes)) => Ok(Some(Progress {
            timeout_ms: timeout_ms as f64,
            deadline_ms: deadline_ms as f64,
            received_bytes,
        })),
        _ => Err(Error::invalid_argument(
            "the list progress is not one this client made",
        )),
    }
}

/// The flow of `method` with `args` (its arguments but the per-call options, in order).
///
/// # Errors
/// `invalid_argument` for an unknown method or a bad argument.
pub fn flow(call: Call, method: &str, args: Vec<Value>) -> Result<Flow, Error> {
    let mut args = args.into_iter();
    let mut arg = move || args.next().unwrap_or(Value::Null);
    Ok(match method {
        "createUser" => {
            let user = NewUser::from_value(arg())?;
            flow!(call, |c| Ok(users::create_user(c, &user)
                .await?
                .into_value()))
        }
        "updateUser" => {
            let reference = user_ref(&arg())?;
            let changes = UserChanges::from_value(arg())?;
            flow!(call, |c| Ok(users::update_user(c, &reference, &changes)
                .await?
                .into_value()))
        }
        "fetchUser" => {
            let reference = user_ref(&arg())?;
            flow!(call, |c| Ok(users::fetch_user(c, &reference)
                .await?
                .into_value()))
        }
        "deleteUser" => {
            let reference = user_ref(&arg())?;
            flow!(call, |c| users::delete_user(c, &reference)
                .await
                .map(|()| Value::Null))
        }
        "createLead" => {
            let lead = NewLead::from_value(arg())?;
            flow!(call, |c| Ok(leads::create_lead(c, &lead)
                .await?
                .into_value()))
        }
        "updateLead" => {
            let reference = leads::lead_ref(&arg())?;
            let changes = LeadChanges::from_value(arg())?;
            flow!(call, |c| Ok(leads::update_lead(c, &reference, &changes)
                .await?
                .into_value()))
        }
        "fetchLead" => {
            let reference = leads::lead_ref(&arg())?;
            flow!(call, |c| Ok(leads::fetch_lead(c, &reference)
                .await?
                .into_value()))
        }
        "deleteLead" => {
            let reference = leads::lead_ref(&arg())?;
            flow!(call, |c| leads::delete_lead(c, &reference)
                .await
                .map(|()| Value::Null))
        }
        "createTag" => {
            let name = tag_name(arg())?;
            flow!(call, |c| Ok(tags::create_tag(c, &name).await?.into_value()))
        }
        "updateTag" => {
            let id = positive_id(&arg())?;
            let name = tag_name(arg())?;
            flow!(call, |c| Ok(tags::update_tag(c, id, &name)
                .await?
                .into_value()))
        }
        "tagContacts" => {
            let request = TagRequest::from_value(arg())?;
            flow!(call, |c| Ok(tags::tag_contacts(c, &request)
                .await?
                .to_value()))
        }
        "deleteTag" => {
            let id = positive_id(&arg())?;
            flow!(call, |c| tags::delete_tag(c, id)
                .await
                .map(|()| Value::Null))
        }
        "fetchSegment" => {
            let id = positive_id(&arg())?;
            let options = SegmentOptions::from_value(arg(), false)?;
            flow!(call, |c| Ok(segments::fetch_segment(
                c,
                id,
                options.include_count
            )
            .await?
            .into_value()))
        }
        "fetchCampaign" => {
            let id = positive_id(&arg())?;
            flow!(call, |c| Ok(campaigns::fetch_campaign(c, id)
                .await?
                .into_value()))
        }
        "recordEvent" => {
            let event = NewEvent::from_value(arg())?;
            flow!(call, |c| Ok(events::record_event(c, &event)
                .await?
                .into_value()))
        }
        "apiCall" => {
            let request = raw::read_call(arg())?;
            flow!(call, |c| raw::api_call(c, &request).await)
        }
        "page" => {
            let listing = List::from_args(&arg(), arg(), true)?;
            let mut cursor = listing.cursor(arg())?;
            flow!(call, |c| {
                let items = listing.list.page(c, &mut cursor).await?;
                Ok(json!({
                    "items": items,
                    "cursor": cursor.to_value(),
                    "resume": listing.resume(&cursor),
                }))
            })
        }
        "listPage" => {
            let listing = List::from_args(&arg(), arg(), false)?;
            let mut cursor = listing.cursor(arg())?;
            let progress = progress_of(&arg())?;
            Box::pin(async move {
                let client = match progress {
                    Some(progress) => Client::resume(
                        &call.config,
                        call.transport.clone(),
                        call.options.clone(),
                        progress,
                    ),
                    None => call.client(),
                };
                let items = listing.list.page(&client, &mut cursor).await?;
                Ok(Done {
                    value: json!({
                        "items": items,
                        "cursor": cursor.to_value(),
                        "resume": listing.resume(&cursor),
                        "progress": progress_json(client.progress()),
                        "limit": listing.limit,
                    }),
                    response: client.response(),
                })
            })
        }
        _ => return Err(Error::invalid_argument(format!("no method `{method}`"))),
    })
}

/// A `list*` or `iter*` call: what it reads, its limit (the JS runtime applies it), where it starts,
/// and what a resume token carries.
struct Listing {
    list: List,
    limit: Option<u32>,
    name: &'static str,
    filters: Value,
    start: Cursor,
}

impl Listing {
    /// The cursor a page step was given (`null` on the first page: where the call starts).
    fn cursor(&self, given: Value) -> Result<Cursor, Error> {
        match given {
            Value::Null => Ok(self.start.clone()),
            given => Cursor::from_value(&given),
        }
    }

    /// The token that resumes this listing after `cursor`'s page (`null` once it has ended).
    fn resume(&self, cursor: &Cursor) -> Value {
        cursor.to_token(self.name, &self.filters).into()
    }
}

/// Splits a list's options into what its reader takes, the filters a resume token carries, and where
/// the listing starts: a `cursor` (an earlier page's token) brings back its filters and its page.
fn start_of(name: &str, options: Value) -> Result<(Value, Value, Cursor), Error> {
    let Value::Object(mut map) = options else {
        return Ok((options, Value::Null, Cursor::new()));
    };
    let limit = map.remove("limit");
    let (filters, start) = match map.remove("cursor") {
        None | Some(Value::Null) => (Value::Object(map), Cursor::new()),
        Some(Value::String(token)) if map.is_empty() => Cursor::from_token(&token, name)?,
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
        Value::Null => crate::json::Map::new(),
        Value::Object(map) => map.clone(),
        _ => {
            return Err(Error::invalid_argument(
                "options.cursor is not one that this list gave",
            ))
        }
    };
    if let Some(limit) = limit {
        options.insert("limit".into(), limit);
    }
    Ok((Value::Object(options), filters, start))
}

/// What a `list*` or `iter*` call reads, with its options.
enum List {
    Contacts(ContactType, ListContactsOptions),
    Plain {
        request: HttpRequest,
        list: (&'static str, &'static Model),
    },
}

impl List {
    /// Reads a list's name (`users`, `leads`, `tags`, `segments`, `campaigns` or `events`) and options,
    /// for `iter{name}` (`iter`) or `list{name}`; the limit is none by default for an iterator, 100
    /// (at most 10000) for a list.
    fn from_args(name: &Value, options: Value, iter: bool) -> Result<Listing, Error> {
        let name = match name.as_str().unwrap_or_default() {
            "users" => "users",
            "leads" => "leads",
            "segments" => "segments",
            "tags" => "tags",
            "campaigns" => "campaigns",
            "events" => "events",
            other => return Err(Error::invalid_argument(format!("no list `{other}`"))),
        };
        let (options, filters, start) = start_of(name, options)?;
        let plain = |request, key, model| Self::Plain {
            request,
            list: (key, model),
        };
        let (list, limit) = match name {
            "users" | "leads" => {
                let options = ListContactsOptions::from_value(options)?;
                let kind = match name {
                    "users" => ContactType::User,
                    _ => ContactType::Lead,
                };
                let limit = options.limit;
                (Self::Contacts(kind, options), limit)
            }
            "segments" => {
                let options = SegmentOptions::from_value(options, true)?;
                (
                    plain(options.request(), "segments", &SEGMENT),
                    options.limit,
                )
            }
            _ => {
                let limit = limit_option(options)?;
                let list = match name {
                    "tags" => plain(HttpRequest::get("/tags"), "tags", &TAG),
                    "campaigns" => plain(HttpRequest::get("/campaigns"), "campaigns", &CAMPAIGN),
                    _ => plain(events::list_request(), "events", &EVENT),
                };
                (list, limit)
            }
        };
        let limit = match iter {
            true => input::limit(limit, None, u32::MAX)?,
            false => Some(limit_of(limit)?),
        };
        Ok(Listing {
            list,
            limit,
            name,
            filters,
            start,
        })
    }

    /// The items of the page the cursor points at (maybe none, when every item was filtered out).
    async fn page(
        &self,
        client: &Client<'_, StepTransport>,
        cursor: &mut Cursor,
    ) -> Result<Vec<Value>, Error> {
        match self {
            Self::Contacts(kind, options) => contacts::list_page(client, *kind, options, cursor)
                .await
                .map(values),
            Self::Plain { request, list } => next_page(client, request, *list, &every, cursor)
                .await
                .map(values),
        }
    }
}

/// Records as the values written out as their JSON text.
fn values(records: Vec<Record>) -> Vec<Value> {
    records.into_iter().map(Record::into_value).collect()
}
