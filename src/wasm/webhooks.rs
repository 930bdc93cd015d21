//! `parseWebhook`, `verifyWebhook` and `handleWebhook`: the webhook side, for any runtime.

use super::convert::from_js;
use super::glue;
use super::promise::settle;
use crate::error::{Error, ErrorCode};
use crate::webhook::{verify, VerifyOptions, WebhookEvent};
use js_sys::{Array, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `Record<string, string> | Headers` in TypeScript.
    #[wasm_bindgen(typescript_type = "Record<string, string> | Headers")]
    pub type JsHeaders;
    /// `WebhookRequest` in TypeScript.
    #[wasm_bindgen(typescript_type = "WebhookRequest")]
    pub type JsWebhookRequest;
    /// `VerifyOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "VerifyOptions")]
    pub type JsVerifyOptions;
    /// `HandleWebhookOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "HandleWebhookOptions")]
    pub type JsHandleWebhookOptions;
    /// `Request` in TypeScript.
    #[wasm_bindgen(typescript_type = "Request")]
    pub type JsRequest;
}

fn pairs(flat: &Array) -> Vec<(String, String)> {
    let strings: Vec<String> = flat.iter().filter_map(|v| v.as_string()).collect();
    strings
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [name, value] => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

fn body_text(body: &JsValue) -> Result<String, Error> {
    body.as_string()
        .ok_or_else(|| Error::invalid_argument("the webhook body must be the raw body as a string"))
}

/// `invalid_webhook` with the status a receiver should answer: 401 when the delivery did not verify.
fn unverified() -> Error {
    let mut error = Error::new(
        ErrorCode::InvalidWebhook,
        "the webhook's token or signature did not verify",
    );
    error.status = Some(401);
    error
}

/// Parses a webhook body (any JSON object) into a `WebhookEvent`; throws `GistError` with code
/// `invalid_webhook` only when the body is not a JSON object.
#[wasm_bindgen(js_name = parseWebhook, unchecked_return_type = "WebhookEvent")]
pub fn parse_webhook(
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    headers: Option<JsHeaders>,
) -> Result<JsValue, JsValue> {
    let headers = pairs(&glue::header_pairs(
        &headers.map(Into::into).unwrap_or_default(),
    ));
    let event = WebhookEvent::parse(&body_text(&body)?, &headers)?;
    super::convert::to_js(&event.to_value())
}

/// Checks a delivery's token or HMAC signature against one or more secrets, in constant time.
/// Resolves `false` for a wrong or missing one; rejects (`invalid_argument`) only for bad options.
#[wasm_bindgen(js_name = verifyWebhook, unchecked_return_type = "Promise<boolean>")]
pub fn verify_webhook(request: JsWebhookRequest, options: JsVerifyOptions) -> Promise {
    let args = (|| {
        let request: JsValue = request.into();
        if !request.is_object() {
            return Err(Error::invalid_argument(
                "verifyWebhook needs { body, headers }",
            ));
        }
        let body = body_text(&Reflect::get(&request, &"body".into()).unwrap_or_default())?;
        let headers = pairs(&glue::header_pairs(
            &Reflect::get(&request, &"headers".into()).unwrap_or_default(),
        ));
        let options = VerifyOptions::from_value(from_js(&options, "verify")?)?;
        Ok(verify(body.as_bytes(), &headers, &options))
    })();
    settle(args, |verified| async move { Ok(Value::Bool(verified)) })
}

/// For Workers and any Fetch-API server: reads the request body once, verifies it when
/// `options.verify` is given, and parses it. Rejects with `invalid_webhook` and the `status` to answer
/// the sender with: 401 when the delivery did not verify, 400 when its body is not a JSON object.
#[wasm_bindgen(js_name = handleWebhook, unchecked_return_type = "Promise<WebhookEvent>")]
pub fn handle_webhook(request: JsRequest, options: Option<JsHandleWebhookOptions>) -> Promise {
    let args = (|| {
        let options: JsValue = options.map(Into::into).unwrap_or_default();
        let verify_options = match options.is_object() {
            true => Reflect::get(&options, &"verify".into()).unwrap_or_default(),
            false => JsValue::UNDEFINED,
        };
        let verify_options = match verify_options.is_undefined() {
            true => None,
            false => Some(VerifyOptions::from_value(from_js(
                &verify_options,
                "verify",
            )?)?),
        };
        Ok((glue::read_request(&request.into()), verify_options))
    })();
    settle(args, |(read, verify_options)| async move {
        let read = JsFuture::from(read).await.unwrap_or_default();
        let field = |key: &str| Reflect::get(&read, &key.into()).unwrap_or_default();
        if let Some(problem) = field("error").as_string() {
            return Err(Error::invalid_argument(problem));
        }
        let body = field("body").as_string().unwrap_or_default();
        let headers = pairs(&Array::from(&field("headers")));
        if let Some(options) = &verify_options {
            if !verify(body.as_bytes(), &headers, options) {
                return Err(unverified());
            }
        }
        match WebhookEvent::parse(&body, &headers) {
            Ok(event) => Ok(event.to_value()),
            Err(mut error) => {
                error.status = Some(400);
                Err(error)
            }
        }
    })
}
