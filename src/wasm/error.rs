//! [`crate::Error`] as the JSON the JS runtime turns into a `GistError`: `code`, `message`, and every
//! field that is known, every text scrubbed of email addresses.

use super::step::whole;
use crate::error::Error;
use crate::json;
use crate::json::{Map, Value};
use wasm_bindgen::prelude::*;

/// The error as JSON: `{ code, message, status?, errors?, requestId?, retryAfter?, method?, path? }`.
pub fn error_json(error: Error) -> Value {
    let error = error.scrubbed(&[]).into_fields();
    let mut out = Map::new();
    out.set("code", error.code.as_str().into());
    out.set("message", error.message.into());
    if let Some(status) = error.status {
        out.set("status", status.into());
    }
    if !error.errors.is_empty() {
        let items = error
            .errors
            .into_iter()
            .map(|item| json!({ "code": item.code, "message": item.message }))
            .collect();
        out.set("errors", Value::Array(items));
    }
    if let Some(request_id) = error.request_id {
        out.set("requestId", request_id.into());
    }
    if let Some(retry_after) = error.retry_after {
        out.set("retryAfter", whole(retry_after).into());
    }
    if let Some(method) = error.method {
        out.set("method", method.as_str().into());
    }
    if let Some(path) = error.path {
        out.set("path", path.into());
    }
    Value::Object(out)
}

/// The error as a thrown JS value: its JSON text, which the runtime turns into a `GistError`.
pub fn thrown(error: Error) -> JsValue {
    JsValue::from_str(&error_json(error).to_json())
}

/// `text` with every email address, raw or escaped, as `[email]`: the core's own scrubber, for
/// texts the runtime writes itself (such as a dead-letter entry of `gist-wasm/queues`).
#[wasm_bindgen(js_name = redactEmails)]
pub fn redact_emails(text: &str) -> String {
    crate::redact::redact_emails(text)
}
