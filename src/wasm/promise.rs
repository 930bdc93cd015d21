//! Every async method ends here: one boxed future type, so `future_to_promise` is compiled once
//! for the whole API instead of once per method.

use super::convert::to_js;
use crate::error::Error;
use js_sys::Promise;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;

type Call = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// What a call resolves with: JSON (handed to JS through `JSON.parse`) or a JS value as it is.
pub trait Resolved {
    /// The value for JS.
    fn into_js(self) -> Result<JsValue, Error>;
}

impl Resolved for Value {
    fn into_js(self) -> Result<JsValue, Error> {
        to_js(&self)
    }
}

impl Resolved for JsValue {
    fn into_js(self) -> Result<JsValue, Error> {
        Ok(self)
    }
}

/// Runs `run(args)` when the arguments were read, and rejects with their error when not.
pub fn settle<A, R, F>(args: Result<A, Error>, run: impl FnOnce(A) -> F) -> Promise
where
    R: Resolved,
    F: Future<Output = Result<R, Error>> + 'static,
{
    match args {
        Ok(args) => {
            let call = run(args);
            spawn(Box::pin(async move { call.await?.into_js() }))
        }
        Err(error) => Promise::reject(&error.into()),
    }
}

fn spawn(call: Call) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move { call.await.map_err(Into::into) })
}
