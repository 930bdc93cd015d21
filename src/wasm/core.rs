//! `Core`: one client's checked configuration, and where its operations start.

use super::error::thrown;
use super::operations::{flow, Call};
use super::step::{Op, StepTransport};
use crate::config::{check_timeout, ClientOptions, Config};
use crate::error::Error;
use crate::json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A client's core: the JS `GistClient` holds one. Errors are thrown as their JSON text.
#[wasm_bindgen]
pub struct Core {
    config: Rc<Config>,
}

/// Reads the JSON text of a method's arguments: an array.
fn arguments(args: &str) -> Result<Vec<Value>, Error> {
    match crate::json::from_str(args) {
        Ok(Value::Array(args)) => Ok(args),
        _ => Err(Error::invalid_argument(
            "the arguments cannot be read as JSON",
        )),
    }
}

impl Core {
    fn call(&self, timeout_ms: Option<f64>) -> Result<Call, Error> {
        let timeout_ms = match timeout_ms {
            None => None,
            ms => Some(check_timeout(ms, self.config.timeout_ms)?),
        };
        Ok(Call {
            config: Rc::clone(&self.config),
            transport: StepTransport::new(self.config.max_response_bytes),
            timeout_ms,
        })
    }

    fn op(&self, method: &str, args: &str, timeout_ms: Option<f64>) -> Result<Op, Error> {
        let call = self.call(timeout_ms)?;
        let transport = call.transport.clone();
        Ok(Op::new(flow(call, method, arguments(args)?)?, &transport))
    }
}

#[wasm_bindgen]
impl Core {
    /// Checks the client's options (their JSON text, without `fetch`); `in_browser` refuses Gist's own
    /// host unless the options opt in.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str, in_browser: bool) -> Result<Core, JsValue> {
        let options = crate::json::from_str(options)
            .map_err(|_| Error::invalid_argument("options cannot be read as JSON"))
            .and_then(ClientOptions::from_value)
            .and_then(|options| Config::from_options(options, in_browser))
            .map_err(thrown)?;
        Ok(Self {
            config: Rc::new(options),
        })
    }

    /// Starts `method` with its arguments (a JSON array) and the call's own timeout, if any.
    pub fn start(&self, method: &str, args: &str, timeout_ms: Option<f64>) -> Result<Op, JsValue> {
        self.op(method, args, timeout_ms).map_err(thrown)
    }

    /// Checks `method`'s arguments without starting it (an `iter*` function's options, at once).
    pub fn check(&self, method: &str, args: &str) -> Result<(), JsValue> {
        self.op(method, args, None).map(drop).map_err(thrown)
    }
}
