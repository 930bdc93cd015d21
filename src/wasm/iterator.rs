//! The async iterator behind `iterUsers` and friends: one page fetched per empty buffer.

use super::client::Call;
use super::glue;
use super::promise::settle;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::models::ContactType;
use crate::pagination::Cursor;
use crate::resources::contacts::{self, ListContactsOptions};
use crate::resources::next_page;
use js_sys::Promise;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// What an iterator lists.
pub(super) enum Source {
    /// Contacts of one type, with list options.
    Contacts(ContactType, ListContactsOptions),
    /// Any other list: its request, the key of its items, and how to read one.
    Plain {
        request: HttpRequest,
        key: &'static str,
        read: fn(Value) -> Result<Value, Error>,
    },
}

struct State {
    call: Call,
    source: Source,
    cursor: Cursor,
    buffer: VecDeque<Value>,
    remaining: Option<u32>,
}

/// An `AsyncIterableIterator` over list items (JS sees only that interface).
#[wasm_bindgen(js_name = GistIterator, skip_typescript)]
pub struct JsGistIterator {
    state: Rc<RefCell<Option<State>>>,
}

impl std::fmt::Debug for JsGistIterator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GistIterator")
    }
}

impl JsGistIterator {
    /// A JS async iterator for `source`, stopping after `limit` items when given.
    pub(super) fn start(call: Call, source: Source, limit: Option<u32>) -> JsValue {
        let state = State {
            call,
            source,
            cursor: Cursor::new(),
            buffer: VecDeque::new(),
            remaining: limit,
        };
        let iterator = Self {
            state: Rc::new(RefCell::new(Some(state))),
        };
        glue::async_iterable(iterator.into())
    }
}

/// An iterator result `{ done, value }`, as JSON.
fn step(value: Option<Value>) -> Value {
    let mut object = Map::new();
    object.insert("done".into(), value.is_none().into());
    if let Some(value) = value {
        object.insert("value".into(), value);
    }
    Value::Object(object)
}

/// Fetches pages until there is an item to give, or the listing ends.
async fn fill(state: &mut State) -> Result<(), Error> {
    while state.buffer.is_empty() && !state.cursor.done {
        let client = state.call.client();
        match &state.source {
            Source::Contacts(kind, options) => {
                let page = contacts::list_page(&client, *kind, options, &mut state.cursor).await?;
                state.buffer.extend(page.iter().map(|item| item.to_value()));
            }
            Source::Plain { request, key, read } => {
                for item in next_page(&client, request, key, &mut state.cursor).await? {
                    let item = read(item).map_err(|e| e.at(request.method, &request.path))?;
                    state.buffer.push_back(item);
                }
            }
        }
    }
    Ok(())
}

#[wasm_bindgen(js_class = GistIterator)]
impl JsGistIterator {
    /// The next item, fetching a page when the buffer is empty.
    pub fn next(&self) -> Promise {
        let shared = Rc::clone(&self.state);
        settle(Ok(()), |()| async move {
            let taken = shared.borrow_mut().take();
            let Some(mut state) = taken.filter(|s| s.remaining != Some(0)) else {
                return Ok(step(None));
            };
            fill(&mut state).await?;
            let Some(item) = state.buffer.pop_front() else {
                return Ok(step(None));
            };
            state.remaining = state.remaining.map(|n| n.saturating_sub(1));
            *shared.borrow_mut() = Some(state);
            Ok(step(Some(item)))
        })
    }

    /// Ends the iteration (`break` in `for await` calls it): no more pages are fetched.
    #[wasm_bindgen(js_name = "return")]
    pub fn finish(&self) -> Promise {
        self.state.borrow_mut().take();
        settle(Ok(()), |()| async { Ok(step(None)) })
    }
}
