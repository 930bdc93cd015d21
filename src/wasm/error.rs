//! [`crate::Error`] as a JS `GistError`: `code`, `message`, and every field that is known.

use super::glue;
use crate::error::Error;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

impl From<Error> for JsValue {
    fn from(error: Error) -> Self {
        let error = error.scrubbed(&[]);
        let details = Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&details, &key.into(), &value);
        };
        if let Some(status) = error.status {
            set("status", status.into());
        }
        if !error.errors.is_empty() {
            let items = Array::new();
            for item in &error.errors {
                let object = Object::new();
                let _ = Reflect::set(&object, &"code".into(), &item.code.as_str().into());
                let _ = Reflect::set(&object, &"message".into(), &item.message.as_str().into());
                items.push(&object);
            }
            set("errors", items.into());
        }
        if let Some(request_id) = &error.request_id {
            set("requestId", request_id.as_str().into());
        }
        if let Some(retry_after) = error.retry_after {
            set("retryAfter", retry_after.into());
        }
        if let Some(method) = error.method {
            set("method", method.as_str().into());
        }
        if let Some(path) = &error.path {
            set("path", path.as_str().into());
        }
        glue::new_gist_error(error.code.as_str(), &error.message, &details)
    }
}
