//! `Core`: one client's checked configuration, and where its calls start.

use super::calls;
use super::error::thrown;
use super::step::Call;
use crate::call::CallOptions;
use crate::config::{ApiKey, ClientOptions, Config};
use crate::error::Error;
use crate::input::options_json;
use crate::json::Value;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// A client's core: the JS `GistClient` holds one. Errors are thrown as their JSON text.
#[wasm_bindgen]
pub struct Core {
    config: Arc<Config>,
}

/// Reads the JSON text of a method's arguments: an array, which the JS client writes with `JSON`, so
/// that what the reader refuses in it is nesting past its depth.
fn arguments(args: &str) -> Result<Vec<Value>, Error> {
    match crate::json::from_str(args) {
        Ok(Value::Array(args)) => Ok(args),
        _ => Err(crate::input::nested_too_deep()),
    }
}

impl Core {
    fn call(&self, method: &str, args: &str, options: &str) -> Result<Call, Error> {
        let options = options_json(options, "request options").and_then(CallOptions::from_value)?;
        let config = Arc::clone(&self.config);
        let call = crate::call::Call::new(Arc::clone(&config), method, arguments(args)?, options)?;
        Ok(Call::new(call, config))
    }

    /// `error` thrown without the client's key.
    fn refused(&self, error: Error) -> JsValue {
        refused(error, &self.config.api_key)
    }
}

/// `error` thrown without `key`: scrubbed before its texts are cut, or a field named by a long key
/// would leave the part of it before the cut.
fn refused(error: Error, key: &ApiKey) -> JsValue {
    thrown(error.scrubbed(&key.forms()))
}

#[wasm_bindgen]
impl Core {
    /// Checks the client's options (their JSON text, without `fetch`); `in_browser` refuses Gist's own
    /// host unless the options opt in; `runtime` (`Node.js/22.1.0`), where given, goes in the
    /// `User-Agent`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str, in_browser: bool, runtime: Option<String>) -> Result<Core, JsValue> {
        let options = options_json(options, "options").map_err(thrown)?;
        let key = options.get("apiKey").and_then(Value::as_str).unwrap_or("");
        let key = ApiKey::new(key.to_owned());
        let mut config = ClientOptions::from_value(options)
            .and_then(|options| Config::from_options(options, in_browser))
            .map_err(|error| refused(error, &key))?;
        if let Some(runtime) = runtime {
            config.identify(&runtime);
        }
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// Starts `method` with its arguments (a JSON array) and the call's own options (JSON:
    /// `{ timeoutMs?, maxRetries?, headers? }` or `null`), as the call `id` (see `callRespond` and the
    /// rest), at `now` with `random` (as a call's steps take them): its first step. `list` and `page`
    /// take a list's name, its options and (`page`) the walk's cursor.
    pub fn start(
        &self,
        id: u32,
        method: &str,
        args: &str,
        options: &str,
        now: f64,
        random: f64,
    ) -> Result<String, JsValue> {
        let mut call = self
            .call(method, args, options)
            .map_err(|error| self.refused(error))?;
        let step = call.step(now, random);
        calls::keep(id, call);
        Ok(step)
    }

    /// The client's `timeoutMs`: how long a call may take where its own options do not say.
    #[wasm_bindgen(getter = timeoutMs)]
    pub fn timeout_ms(&self) -> f64 {
        self.config.timeout_ms
    }

    /// `text` without the client's key (in any form the scrubber knows) or any email: for what the runtime
    /// writes from a caller's own values, such as the error a hook threw.
    pub fn scrub(&self, text: &str) -> String {
        crate::redact::scrub(text, &self.config.api_key.forms())
    }

    /// Checks `method`'s arguments and options without starting it (an `iter*` function's, at once);
    /// for `page`, returns the token that resumes the walk where it starts.
    pub fn check(
        &self,
        method: &str,
        args: &str,
        options: &str,
    ) -> Result<Option<String>, JsValue> {
        self.call(method, args, options)
            .map(|call| call.resume())
            .map_err(|error| self.refused(error))
    }
}
