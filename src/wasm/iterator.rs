//! The async iterator behind `iterUsers` and friends: one page fetched per empty buffer.

use super::client::Call;
use super::convert::to_js;
use super::glue;
use crate::models::ContactType;
use crate::pagination::Cursor;
use crate::resources::contacts::{self, ListContactsOptions};
use js_sys::{Object, Reflect};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// What an iterator lists.
pub(super) enum Source {
    /// Contacts of one type, with list options.
    Contacts(ContactType, ListContactsOptions),
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

fn result(value: Option<JsValue>) -> JsValue {
    let object = Object::new();
    let done = value.is_none();
    let _ = Reflect::set(&object, &"done".into(), &done.into());
    let _ = Reflect::set(
        &object,
        &"value".into(),
        &value.unwrap_or(JsValue::UNDEFINED),
    );
    object.into()
}

async fn fill(state: &mut State) -> Result<(), JsValue> {
    while state.buffer.is_empty() && !state.cursor.done {
        let client = state.call.client();
        let page = match &state.source {
            Source::Contacts(kind, options) => {
                contacts::list_page(&client, *kind, options, &mut state.cursor).await?
            }
        };
        for item in page {
            state
                .buffer
                .push_back(serde_json::to_value(item).unwrap_or(Value::Null));
        }
    }
    Ok(())
}

#[wasm_bindgen(js_class = GistIterator)]
impl JsGistIterator {
    /// The next item, fetching a page when the buffer is empty.
    pub async fn next(&self) -> Result<JsValue, JsValue> {
        let taken = self.state.borrow_mut().take();
        let Some(mut state) = taken else {
            return Ok(result(None));
        };
        if state.remaining == Some(0) {
            return Ok(result(None));
        }
        fill(&mut state).await?;
        let Some(item) = state.buffer.pop_front() else {
            return Ok(result(None));
        };
        state.remaining = state.remaining.map(|n| n.saturating_sub(1));
        *self.state.borrow_mut() = Some(state);
        Ok(result(Some(to_js(&item)?)))
    }

    /// Ends the iteration (`break` in `for await` calls it): no more pages are fetched.
    #[wasm_bindgen(js_name = "return")]
    pub fn finish(&self) -> JsValue {
        self.state.borrow_mut().take();
        js_sys::Promise::resolve(&result(None)).into()
    }
}
