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
        input = match call.step(input, clock(transport)) {
            Step::Send(request, timeout_ms) => {
                let request = request.clone();
                items.extend(fill(call.take_items(), &mut held));
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
            Step::Done(value, mut response) => {
                if let Some(fields) = response.as_object_mut() {
                    fields.set("headers", Value::Object(joined_headers(&last_headers)));
                }
                return Ok((finish(value, items, &mut held), response));
            }
            Step::Failed(error) => return Err(error),
        };
    }
}

/// Reads `response` when it is a 2xx page of the call's list: its kept items, held here while the
/// core gets the page's digest and hands out each one's index.
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

/// The core's items with the held ones in place of their indexes (`Record::held`).
fn fill(items: Vec<Value>, held: &mut [Value]) -> impl Iterator<Item = Value> + '_ {
    items.into_iter().map(|item| match item {
        Value::Text(text) => match text.as_str().parse::<usize>() {
            Ok(index) => held.get_mut(index).map(Value::take).unwrap_or_default(),
            Err(_) => Value::Text(text),
        },
        item => item,
    })
}

/// The call's value: a list's earlier pages (`before`) then its last, or a walk's page, with the
/// held items in place.
fn finish(value: Value, mut before: Vec<Value>, held: &mut [Value]) -> Value {
    match value {
        Value::Array(last) => {
            before.extend(fill(last, held));
            Value::Array(before)
        }
        Value::Object(mut page) => {
            if let Some(Value::Array(items)) = page.get_mut("items") {
                *items = fill(std::mem::take(items), held).collect();
            }
            Value::Object(page)
        }
        value => value,
    }
}
