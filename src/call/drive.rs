//! [`drive`]: runs a [`Call`] to its end over a [`Transport`], for Rust callers and host tests.

use super::{Call, Clock, Input, Step};
use crate::error::Error;
use crate::json::Value;
use crate::transport::Transport;

/// Runs `call` over `transport`: sends what it asks for, waits what it asks, and resolves with its
/// value (a `list*` call's: every page's items) and what its last answer said.
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
    loop {
        input = match call.step(input, clock(transport)) {
            Step::Send(request, timeout_ms) => {
                let request = request.clone();
                items.extend(call.take_items());
                Input::Answer(transport.send(&request, timeout_ms).await)
            }
            Step::Wait(ms, retry) => {
                if let Some((attempt, status)) = retry {
                    transport.retrying(attempt, status);
                }
                Input::Woke(transport.sleep(ms).await.is_err())
            }
            Step::Done(Value::Array(last), response) if !items.is_empty() => {
                items.extend(last);
                return Ok((Value::Array(items), response));
            }
            Step::Done(value, response) => return Ok((value, response)),
            Step::Failed(error) => return Err(error),
        };
    }
}
