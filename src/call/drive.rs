//! [`drive`]: runs a [`Call`] to its end over a [`Transport`], for Rust callers and host tests.

use super::{page, Call, Clock, Input, Step};
use crate::error::Error;
use crate::http::joined_headers;
use crate::http::HttpResponse;
use crate::json::Value;
use crate::transport::Transport;

/// Runs `call` over `transport`: sends what it asks for, waits what it asks, and resolves with its
/// value (a `list*` call's: every page's items) and what its last answer said, with that answer's
/// headers (names in lower case). A list's 2xx pages are read here, once, as the JS runtime reads
/// them (`call/page.rs`).
///
/// # Errors
/// The call's [`Error`].
pub async fn drive<T: Transport>(mut call: Call, transport: &T) -> Result<(Value, Value), Error> {
    let clock = |transport: &T| Clock {
        now_ms: transport.now_ms(),
        random: transport.random(),
    };
    let mut input = Input::Start;
    let mut items = Vec::new();
    let mut held = Vec::new();
    let mut last_headers = Vec::new();
    loop {
        let now = clock(transport);
        input = match call.step(input, now) {
            Step::Send(request, timeout_ms, _) => {
                let request = request.clone();
                if let Some(taken) = call.take_items() {
                    items.extend(fill(taken, &mut held));
                }
                let mut answer = transport.send(&request, timeout_ms).await;
                if let Ok(response) = &mut answer {
                    last_headers.clone_from(&response.headers);
                    held = read_page(&mut call, response);
                }
                Input::Answer(answer)
            }
            Step::Wait(ms, retry) => {
                if let Some((attempt, status)) = retry {
                    transport.retrying(attempt, status);
                }
                Input::Woke(transport.sleep(ms).await)
            }
            Step::Done(value) => {
                let mut response = call.response(now.now_ms);
                if let Some(fields) = response.as_object_mut() {
                    fields.set("headers", Value::Object(joined_headers(&last_headers)));
                }
                let value = match call.listing() {
                    Some(_) => finish(value, items, &mut held),
                    None => value,
                };
                return Ok((value, response));
            }
            Step::Failed(error) => return Err(error),
        };
    }
}

/// Reads `response` when it is a 2xx page of the call's list: its kept items, held here while the
/// core gets the page's digest and hands out the range of them it takes.
fn read_page(call: &mut Call, response: &mut HttpResponse) -> Vec<Value> {
    let Some(listing) = call
        .listing()
        .filter(|_| (200..300).contains(&response.status))
    else {
        return Vec::new();
    };
    let Some((items, digest)) = page::read(listing, &response.body) else {
        return Vec::new();
    };
    call.read_elsewhere(response.body.len() as u64, Some(digest));
    response.body = String::new();
    items
}

/// The core's items: its own (an array), or those of `held` in the range it names
/// ([`crate::flows::held`]).
fn fill(items: Value, held: &mut [Value]) -> Vec<Value> {
    match items {
        Value::Array(items) => items,
        range => {
            let bound = |at: usize| {
                let ends = range.get("held").and_then(Value::as_array);
                let index = ends.and_then(|ends| ends.get(at));
                index
                    .and_then(Value::as_u64)
                    .map_or(0, |index| index as usize)
            };
            let (from, to) = (bound(0), bound(1));
            held.get_mut(from..to.max(from))
                .map(|range| range.iter_mut().map(Value::take).collect())
                .unwrap_or_default()
        }
    }
}

/// A list call's value: a list's earlier pages (`before`) then its last, or a walk's page, with the
/// held items in place.
fn finish(value: Value, mut before: Vec<Value>, held: &mut [Value]) -> Value {
    match value {
        Value::Object(mut page) if page.get("items").is_some() => {
            if let Some(items) = page.get_mut("items") {
                *items = Value::Array(fill(items.take(), held));
            }
            Value::Object(page)
        }
        value if value.is_array() || value.get("held").is_some() => {
            before.extend(fill(value, held));
            Value::Array(before)
        }
        value => value,
    }
}
