//! Values across the boundary: JS values in through `toJson` + serde_json, Rust values out through
//! serde_json + `JSON.parse`. One JSON path both ways, so JS sees plain objects and NaN never slips in.

use super::glue;
use crate::error::Error;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// Reads a caller's value as JSON (`undefined` and `null` become `Value::Null`).
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, JsValue> {
    match glue::to_json(value) {
        Ok(Some(text)) => serde_json::from_str(&text)
            .map_err(|_| Error::invalid_argument(format!("{what} cannot be read as JSON")).into()),
        Ok(None) => Err(Error::invalid_argument(format!(
            "{what} must be a plain value, not a function"
        ))
        .into()),
        Err(thrown) if thrown.is_instance_of::<js_sys::Error>() && is_gist_error(&thrown) => {
            Err(thrown)
        }
        Err(_) => Err(Error::invalid_argument(format!(
            "{what} cannot be read as JSON (is it circular?)"
        ))
        .into()),
    }
}

fn is_gist_error(value: &JsValue) -> bool {
    js_sys::Reflect::get(value, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "GistError")
}

/// Writes a Rust value as a plain JS value.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|_| {
        JsValue::from(Error::invalid_response(
            "the answer cannot be written as JSON",
        ))
    })?;
    js_sys::JSON::parse(&text)
        .map_err(|_| Error::invalid_response("the answer cannot be read back").into())
}
