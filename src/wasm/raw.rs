//! `GistClient.apiCall` and the free function `normalizeEventName`.

use super::client::{JsGistClient, RequestOptions};
use super::convert::from_js;
use super::promise::settle;
use crate::error::Error;
use crate::models;
use crate::resources::raw;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `ApiCallRequest` in TypeScript.
    #[wasm_bindgen(typescript_type = "ApiCallRequest")]
    pub type JsApiCallRequest;
}

#[wasm_bindgen(js_class = GistClient)]
impl JsGistClient {
    /// Calls any path of the API (relative to `baseUrl`) and resolves for every HTTP status with
    /// `{ status, headers, body }`; rejects on network failure, timeout or abort.
    #[wasm_bindgen(js_name = apiCall, unchecked_return_type = "Promise<ApiCallResponse>")]
    pub fn api_call(&self, request: JsApiCallRequest, options: Option<RequestOptions>) -> Promise {
        let args = (|| {
            Ok((
                self.call(options)?,
                raw::read_call(from_js(&request, "request")?)?,
            ))
        })();
        settle(args, |(call, request)| async move {
            raw::api_call(&call.client(), &request).await
        })
    }
}

/// Gist's storage form of an event name: every `.` and `$` becomes `-` ("completed.order" ->
/// "completed-order"); nothing else changes.
/// Throws `GistError` (`invalid_argument`) when `name` is not a string.
#[wasm_bindgen(js_name = normalizeEventName)]
pub fn normalize_event_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<String, JsValue> {
    match name.as_string() {
        Some(name) => Ok(models::normalize_event_name(&name)),
        None => Err(Error::invalid_argument("the event name must be a string").into()),
    }
}
