//! `GistClient`, the JS class: each method reads its arguments, runs the core, and settles a Promise.

use super::convert::{from_js, from_js_without};
use super::fetch::FetchTransport;
use super::glue;
use crate::client::Client;
use crate::config::{check_timeout, ClientOptions, Config};
use crate::error::Error;
use crate::input::Fields;
use crate::resources::contacts::ListContactsOptions;
use js_sys::Reflect;
use serde_json::Value;
use std::rc::Rc;

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `GistClientOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "GistClientOptions")]
    pub type JsClientOptions;
    /// `RequestOptions` in TypeScript: `{ signal?, timeoutMs? }`.
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptions;
    /// `ListContactsOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ListContactsOptions")]
    pub type ListOptions;
    /// `LimitOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "LimitOptions")]
    pub type LimitOptions;
}

/// A client of the Gist API. Every method returns a Promise that rejects only with a `GistError`.
#[wasm_bindgen(js_name = GistClient)]
#[derive(Debug)]
pub struct JsGistClient {
    config: Rc<Config>,
    fetch: JsValue,
}

/// What one call needs: the shared configuration, a transport with the call's signal, its timeout.
pub(super) struct Call {
    config: Rc<Config>,
    transport: FetchTransport,
    timeout_ms: Option<f64>,
}

impl Call {
    /// The core client for this call; its deadline starts now.
    pub(super) fn client(&self) -> Client<'_, FetchTransport> {
        Client::new(&self.config, self.transport.clone(), self.timeout_ms)
    }
}

/// Reads an optional argument as JSON (absent: `null`).
pub(super) fn optional(value: Option<impl Into<JsValue>>, what: &str) -> Result<Value, Error> {
    from_js(&value.map(Into::into).unwrap_or_default(), what)
}

/// Reads `{ limit? }`.
pub(super) fn limit_option(options: Option<LimitOptions>) -> Result<Option<f64>, Error> {
    let mut fields = Fields::optional(optional(options, "options")?, "options")?;
    let limit = fields.number("limit")?;
    fields.finish()?;
    Ok(limit)
}

/// Reads an id: a JS number that is a positive safe integer, never coerced from anything else.
pub(super) fn whole_id(id: &JsValue, what: &str) -> Result<u64, Error> {
    id.as_f64()
        .filter(|n| *n >= 1.0 && *n <= MAX_SAFE_INTEGER && n.fract() == 0.0)
        .map(|n| n as u64)
        .ok_or_else(|| Error::invalid_argument(format!("{what} must be a positive whole number")))
}

/// Reads a property of a caller's object; a getter or Proxy trap that throws is an `invalid_argument`.
fn get(object: &JsValue, key: &str) -> Result<JsValue, Error> {
    Reflect::get(object, &key.into())
        .map_err(|_| Error::invalid_argument(format!("{key} cannot be read (its getter threw)")))
}

/// Reads `ListContactsOptions` (absent: the defaults).
pub(super) fn list_options(options: Option<ListOptions>) -> Result<ListContactsOptions, Error> {
    ListContactsOptions::from_value(optional(options, "options")?)
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Creates a client. Throws `GistError` (`invalid_argument`) for a missing key or bad options,
    /// and in a browser for Gist's own `baseUrl` unless `dangerouslyAllowBrowser` is true.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsClientOptions) -> Result<JsGistClient, JsValue> {
        let options: JsValue = options.into();
        Ok(Self::from_options(&options)?)
    }

    fn from_options(options: &JsValue) -> Result<JsGistClient, Error> {
        if !options.is_object() {
            return Err(Error::invalid_argument(
                "new GistClient(options) needs an options object with apiKey",
            ));
        }
        let fetch = get(options, "fetch")?;
        if !fetch.is_undefined() && !fetch.is_function() {
            return Err(Error::invalid_argument("fetch must be a function"));
        }
        let parsed =
            ClientOptions::from_value(from_js_without(options, Some("fetch"), "options")?)?;
        let config = Config::from_options(parsed, glue::in_browser())?;
        Ok(Self {
            config: Rc::new(config),
            fetch,
        })
    }

    pub(super) fn call(&self, options: Option<RequestOptions>) -> Result<Call, Error> {
        let read = glue::read_call_options(&options.map(Into::into).unwrap_or_default());
        if let Some(problem) = get(&read, "error")?.as_string() {
            return Err(Error::invalid_argument(problem));
        }
        let timeout = get(&read, "timeoutMs")?.as_f64();
        let timeout_ms = match timeout {
            None => None,
            Some(ms) => Some(check_timeout(Some(ms), self.config.timeout_ms)?),
        };
        Ok(Call {
            config: Rc::clone(&self.config),
            transport: FetchTransport::new(
                self.fetch.clone(),
                get(&read, "signal")?,
                self.config.max_response_bytes,
            ),
            timeout_ms,
        })
    }
}
