//! `GistClient`, the JS class: each method reads its arguments, runs the core, and settles a Promise.

use super::convert::from_js;
use super::fetch::FetchTransport;
use super::glue;
use crate::client::Client;
use crate::config::{check_timeout, ClientOptions, Config};
use crate::error::Error;
use crate::input::Fields;
use crate::resources::contacts::ListContactsOptions;
use crate::serde_util::as_whole;
use js_sys::Reflect;
use serde_json::Value;
use std::rc::Rc;
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

/// Reads an id given as a JS number.
pub(super) fn whole_id(id: f64, what: &str) -> Result<u64, Error> {
    as_whole(&Value::from(id))
        .ok_or_else(|| Error::invalid_argument(format!("{what} must be a whole number")))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
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
        let fetch = get(options, "fetch");
        if !fetch.is_undefined() && !fetch.is_function() {
            return Err(Error::invalid_argument("fetch must be a function"));
        }
        let parsed = ClientOptions::from_value(from_js(options, "options")?)?;
        let config = Config::from_options(parsed, glue::in_browser())?;
        Ok(Self {
            config: Rc::new(config),
            fetch,
        })
    }

    pub(super) fn call(&self, options: Option<RequestOptions>) -> Result<Call, Error> {
        let options: JsValue = options.map(Into::into).unwrap_or_default();
        let (signal, timeout) = if options.is_undefined() || options.is_null() {
            (JsValue::UNDEFINED, JsValue::UNDEFINED)
        } else if options.is_object() {
            (get(&options, "signal"), get(&options, "timeoutMs"))
        } else {
            return Err(Error::invalid_argument("request options must be an object"));
        };
        if !signal.is_undefined() && !glue::is_abort_signal(&signal) {
            return Err(Error::invalid_argument("signal must be an AbortSignal"));
        }
        let timeout_ms = match (timeout.is_undefined(), timeout.as_f64()) {
            (true, _) => None,
            (false, Some(ms)) => Some(check_timeout(Some(ms), self.config.timeout_ms)?),
            (false, None) => {
                return Err(Error::invalid_argument(
                    "timeoutMs must be a positive number",
                ))
            }
        };
        Ok(Call {
            config: Rc::clone(&self.config),
            transport: FetchTransport::new(self.fetch.clone(), signal),
            timeout_ms,
        })
    }
}
