//! Every async method ends here: one boxed future type, so `future_to_promise` is compiled once
//! for the whole API instead of once per method.

use super::convert::to_js;
use crate::error::Error;
use js_sys::Promise;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

type Call = Pin<Box<dyn Future<Output = Result<Value, Error>>>>;

/// Runs `run(args)` when the arguments were read, and rejects with their error when not.
pub fn settle<A, F>(args: Result<A, Error>, run: impl FnOnce(A) -> F) -> Promise
where
    F: Future<Output = Result<Value, Error>> + 'static,
{
    match args {
        Ok(args) => spawn(Box::pin(run(args))),
        Err(error) => Promise::reject(&error.into()),
    }
}

fn spawn(call: Call) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        match call.await {
            Ok(value) => to_js(&value),
            Err(error) => Err(error.into()),
        }
    })
}
