//! Values across the boundary: JS values in through `toJson` + serde_json, JSON values out through
//! `JSON.parse`. One JSON path both ways, so JS sees plain objects and NaN never slips in.

use super::glue;
use crate::error::Error;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// Reads a caller's value as JSON (`undefined` and `null` become `Value::Null`); `what` names it.
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, Error> {
    from_js_without(value, None, what)
}

/// [`from_js`], leaving out the top-level field `omit` (one that is not JSON, read on its own).
pub fn from_js_without(value: &JsValue, omit: Option<&str>, what: &str) -> Result<Value, Error> {
    let json = glue::to_json(value, omit);
    match json.as_string() {
        Some(text) => serde_json::from_str(&text)
            .map_err(|_| Error::invalid_argument(format!("{what} cannot be read as JSON"))),
        None => {
            let why = js_sys::Reflect::get(&json, &"error".into())
                .ok()
                .and_then(|e| e.as_string())
                .unwrap_or_default();
            Err(Error::invalid_argument(format!("{what}: {why}")))
        }
    }
}

/// Writes a JSON value as a plain JS value.
pub fn to_js(value: &Value) -> Result<JsValue, Error> {
    js_sys::JSON::parse(&value.to_string())
        .map_err(|_| Error::invalid_response("the answer cannot be read back"))
}
