//! The calls the runtime drives, each kept under the id it started it with (a small number the runtime
//! gives again once that call has ended), so that a call is no JS object: such an object's finalizer
//! would be registered and unregistered once a call, which cost `fetchUser` about 1%. The runtime
//! hands each answer to the call by its id.

use super::error::error_json;
use super::step::Call;
use crate::error::Error;
use crate::json;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The running calls, by id. Taken out of its cell while it is read (see [`with_call`]): a trap
    /// then loses the table (the calls it held fail as ended), not every call after it.
    static CALLS: Cell<Vec<Option<Box<Call>>>> = const { Cell::new(Vec::new()) };
}

/// Keeps `call` under `id` (replacing any call still there).
pub fn keep(id: u32, call: Call) {
    put(id, Box::new(call));
}

/// Puts `call` under `id` in the table.
fn put(id: u32, call: Box<Call>) {
    let id = id as usize;
    CALLS.with(|calls| {
        let mut table = calls.take();
        if table.len() <= id {
            table.resize_with(id + 1, || None);
        }
        if let Some(slot) = table.get_mut(id) {
            *slot = Some(call);
        }
        calls.set(table);
    });
}

/// The call kept under `id`, taken out of the table.
fn take(id: u32) -> Option<Box<Call>> {
    CALLS.with(|calls| {
        let mut table = calls.take();
        let call = table.get_mut(id as usize).and_then(Option::take);
        calls.set(table);
        call
    })
}

/// What `read` gives of the call `id`, which is kept again after it (out of the table meanwhile: a trap
/// in `read` loses that call only); `None` where there is no such call.
fn with_call<T>(id: u32, read: impl FnOnce(&mut Call) -> T) -> Option<T> {
    let mut call = take(id)?;
    let out = read(&mut call);
    put(id, call);
    Some(out)
}

/// The step of a call that is not running (ended, or lost to a trap).
fn ended() -> String {
    let error =
        Error::invalid_argument("this call has ended: gist-wasm's runtime drove it past its end");
    json!({ "error": error_json(error) }).to_json()
}

/// The next step of the call `id` after `step`, or an error step where there is no such call.
fn step_of(id: u32, step: impl FnOnce(&mut Call) -> String) -> String {
    with_call(id, step).unwrap_or_else(ended)
}

/// The answer to the call `id`'s `send` step ([`Call::respond`]).
#[wasm_bindgen(js_name = callRespond)]
pub fn call_respond(
    id: u32,
    status: u16,
    headers: &str,
    body: String,
    now: f64,
    random: f64,
) -> String {
    step_of(id, |call| call.respond(status, headers, body, now, random))
}

/// [`Call::respond_read`] of the call `id`.
#[wasm_bindgen(js_name = callRespondRead)]
pub fn call_respond_read(
    id: u32,
    status: u16,
    headers: &str,
    digest: &str,
    read: u32,
    now: f64,
    random: f64,
) -> String {
    step_of(id, |call| {
        call.respond_read(status, headers, digest, read, now, random)
    })
}

/// [`Call::respond_bytes`] of the call `id`: nothing where the runtime is to decode the body itself.
#[wasm_bindgen(js_name = callRespondBytes)]
pub fn call_respond_bytes(
    id: u32,
    status: u16,
    headers: &str,
    body: Vec<u8>,
    now: f64,
    random: f64,
) -> Option<String> {
    with_call(id, |call| {
        call.respond_bytes(status, headers, body, now, random)
    })
    .unwrap_or_else(|| Some(ended()))
}

/// [`Call::fail`] of the call `id`.
#[wasm_bindgen(js_name = callFail)]
pub fn call_fail(id: u32, kind: &str, message: &str, now: f64, random: f64) -> String {
    step_of(id, |call| call.fail(kind, message, now, random))
}

/// [`Call::woke`] of the call `id`.
#[wasm_bindgen(js_name = callWoke)]
pub fn call_woke(id: u32, aborted: bool, now: f64, random: f64) -> String {
    step_of(id, |call| call.woke(aborted, now, random))
}

/// `text` without the key of the call `id`'s client ([`Call::without_key`]); nothing of it where there is
/// no such call.
#[wasm_bindgen(js_name = callWithoutKey)]
pub fn call_without_key(id: u32, text: &str) -> String {
    with_call(id, |call| call.without_key(text)).unwrap_or_default()
}

/// Ends the call `id`, freeing what it holds.
#[wasm_bindgen(js_name = callEnd)]
pub fn call_end(id: u32) {
    drop(take(id));
}
