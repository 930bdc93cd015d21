//! `parseWebhook`, `verifyWebhook` and `handleWebhook`: the webhook side, for any runtime.
//!
//! The `payload` is the runtime's own `JSON.parse` of the body, so it is exactly what JS would read
//! (numbers, lone surrogates, any depth); the Rust parser only decides the kind, topic and contact.

use super::convert::{from_js, to_js};
use super::glue;
use super::promise::settle;
use crate::error::{Error, ErrorCode};
use crate::input::Fields;
use crate::webhook::{verify, VerifyOptions, WebhookEvent};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
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

/// Header pairs from a `Headers` or a record; a throwing getter or a non-object is `invalid_argument`.
fn headers_of(headers: &JsValue) -> Result<Headers, Error> {
    let flat = glue::header_pairs(headers).map_err(|_| {
        Error::invalid_argument("headers must be a Headers or a record of strings that can be read")
    })?;
    Ok(pairs(&flat))
}

/// Header (name, value) pairs.
type Headers = Vec<(String, String)>;

fn pairs(flat: &Array) -> Headers {
    let strings: Vec<String> = flat.iter().filter_map(|v| v.as_string()).collect();
    strings
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [name, value] => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

/// The raw body: a string (its UTF-8 bytes) or a `Uint8Array`.
fn body_bytes(body: &JsValue) -> Result<Vec<u8>, Error> {
    match (body.as_string(), body.dyn_ref::<Uint8Array>()) {
        (Some(text), _) => Ok(text.into_bytes()),
        (None, Some(bytes)) => Ok(bytes.to_vec()),
        _ => Err(Error::invalid_argument(
            "the webhook body must be the raw body, as a string or a Uint8Array",
        )),
    }
}

fn invalid_webhook(message: &str, status: u16) -> Error {
    let mut error = Error::new(ErrorCode::InvalidWebhook, message);
    error.status = Some(status);
    error
}

/// The `WebhookEvent` of a body: `payload` from `JSON.parse` of the JS string `body`, the rest from
/// the Rust parser reading `text`, the same body in Rust.
fn event_of(body: &JsValue, text: &str, headers: &[(String, String)]) -> Result<JsValue, Error> {
    let not_an_object = || invalid_webhook("the webhook body is not a JSON object", 400);
    let payload = glue::parse_json(body).map_err(|_| not_an_object())?;
    if !payload.is_object() || Array::is_array(&payload) {
        return Err(not_an_object());
    }
    let mut event =
        WebhookEvent::parse(text, headers).unwrap_or_else(|_| WebhookEvent::unreadable(headers));
    event.payload = Value::Null;
    let event = to_js(&event.to_value())?;
    Reflect::set(&event, &"payload".into(), &payload)
        .map_err(|_| Error::invalid_response("the event cannot be built"))?;
    Ok(event)
}

/// The text of raw body bytes, without a leading byte-order mark; invalid UTF-8 becomes U+FFFD.
fn text_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned()
}

/// Parses a webhook body (any JSON object) into a `WebhookEvent` whose `payload` is `JSON.parse(body)`;
/// throws `GistError`: `invalid_webhook` when the body is not a JSON object, `invalid_argument` when
/// the body is not a string or the headers cannot be read.
#[wasm_bindgen(js_name = parseWebhook, unchecked_return_type = "WebhookEvent")]
pub fn parse_webhook(
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    headers: Option<JsHeaders>,
) -> Result<JsValue, JsValue> {
    let headers = headers_of(&headers.map(Into::into).unwrap_or_default())?;
    let text = body.as_string().ok_or_else(|| {
        Error::invalid_argument("the webhook body must be the raw body as a string")
    })?;
    Ok(event_of(&body, &text, &headers).map_err(|mut error| {
        error.status = None;
        error
    })?)
}

/// Reads `{ body, headers }`: every getter once, a throwing one being an `invalid_argument`.
fn webhook_request(request: &JsValue) -> Result<(Vec<u8>, Headers), Error> {
    let field = |key: &str| {
        Reflect::get(request, &key.into())
            .map_err(|_| Error::invalid_argument(format!("request.{key} cannot be read")))
    };
    if !request.is_object() {
        return Err(Error::invalid_argument(
            "verifyWebhook needs { body, headers }",
        ));
    }
    let headers = headers_of(&field("headers")?)?;
    Ok((body_bytes(&field("body")?)?, headers))
}

/// Checks a delivery's token or HMAC signature (of the raw body: a string's UTF-8 bytes, or a
/// `Uint8Array`) against one or more secrets, in constant time. Resolves `false` for a wrong or
/// missing one; rejects (`invalid_argument`) for bad options or a request that cannot be read.
#[wasm_bindgen(js_name = verifyWebhook, unchecked_return_type = "Promise<boolean>")]
pub fn verify_webhook(request: JsWebhookRequest, options: JsVerifyOptions) -> Promise {
    let args = (|| {
        let options = VerifyOptions::from_value(from_js(&options, "verify")?)?;
        let (body, headers) = webhook_request(&request)?;
        Ok(verify(&body, &headers, &options))
    })();
    settle(args, |verified| async move { Ok(Value::Bool(verified)) })
}

/// Reads `handleWebhook`'s options: nothing, or `{ verify }`. Anything else fails closed, `verify`
/// named with nothing usable in it too.
fn handle_options(options: &JsValue) -> Result<Option<VerifyOptions>, Error> {
    let mut fields = Fields::optional(from_js(options, "options")?, "options")?;
    let verify = fields.take("verify").map(VerifyOptions::from_value);
    fields.finish()?;
    let named = options.is_object()
        && Reflect::has(options, &"verify".into())
            .map_err(|_| Error::invalid_argument("options cannot be read"))?;
    match verify {
        None if named => Err(Error::invalid_argument(
            "options.verify must be VerifyOptions ({ secret, scheme?, header?, encoding? })",
        )),
        verify => verify.transpose(),
    }
}

/// For Workers and any Fetch-API server: reads the request's raw bytes once, verifies them when
/// `options.verify` is given, and parses the body. Rejects with `invalid_webhook` and the `status` to
/// answer the sender with: 401 when the delivery did not verify, 400 when its body is not a JSON
/// object; with `invalid_argument` for options it does not understand (it never skips verifying).
#[wasm_bindgen(js_name = handleWebhook, unchecked_return_type = "Promise<WebhookEvent>")]
pub fn handle_webhook(request: JsRequest, options: Option<JsHandleWebhookOptions>) -> Promise {
    let options: JsValue = options.map(Into::into).unwrap_or_default();
    let args = handle_options(&options).map(|verify| (glue::read_request(&request), verify));
    let read = async move |(read, verify_options): (Promise, Option<VerifyOptions>)| {
        let read = JsFuture::from(read)
            .await
            .unwrap_or_else(|_| Object::new().into());
        let field = |key: &str| Reflect::get(&read, &key.into()).unwrap_or_default();
        if let Some(problem) = field("error").as_string() {
            return Err(Error::invalid_argument(problem));
        }
        let body = body_bytes(&field("body"))?;
        let headers = pairs(&field("headers").dyn_into::<Array>().unwrap_or_default());
        if let Some(options) = &verify_options {
            if !verify(&body, &headers, options) {
                return Err(invalid_webhook(
                    "the webhook's token or signature did not verify",
                    401,
                ));
            }
        }
        let text = text_of(&body);
        event_of(&JsValue::from_str(&text), &text, &headers)
    };
    settle(args, read)
}
