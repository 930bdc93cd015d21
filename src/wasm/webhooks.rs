//! The webhook side for the JS runtime: the event's kind, topic and contact from a body, checking a
//! delivery, and `handleWebhook`'s options. The runtime reads the request and makes `payload` with its
//! own `JSON.parse`, so that it is exactly what JS would read; it also turns event names into Gist's
//! form itself (`.` and `$` to `-`, as `models::normalize_event_name` does for `recordEvent`).

use super::error::thrown;
use super::step::pairs_from_lines;
use crate::error::Error;
use crate::input::{options_json, Fields};
use crate::json;
use crate::webhook::{check, summary, Check, Encoding, Signing, VerifyOptions};
use wasm_bindgen::prelude::*;

/// `{ kind, topic?, contact?, payload: null }` of a body that `JSON.parse` read as an object, read in
/// one pass without a tree; a body nested too deep for this parser is `unknown`, its topic from the
/// headers.
#[wasm_bindgen(js_name = webhookEvent)]
pub fn webhook_event(body: &str, headers: &str) -> String {
    summary(body, &pairs_from_lines(headers)).to_json()
}

/// Webhook options from their JSON text, named `what` in errors.
fn verify_options(options: &str, what: &'static str) -> Result<VerifyOptions, JsValue> {
    options_json(options, what)
        .and_then(|options| VerifyOptions::from_value(options, what))
        .map_err(thrown)
}

/// What checking a delivery takes, from its headers and the options (JSON text; `handleWebhook`'s
/// `verify` where `in_handle`, else `verifyWebhook`'s options): `{"settled": bool}`
/// (a token, or no usable signature), or `{"hmac": {hash, signature: [bytes], secrets}}`, which the
/// runtime checks over the raw body with Web Crypto (so that no hash function is in the wasm).
#[wasm_bindgen(js_name = checkDelivery)]
pub fn check_delivery(headers: &str, options: &str, in_handle: bool) -> Result<String, JsValue> {
    let options = verify_options(
        options,
        if in_handle {
            "options.verify"
        } else {
            "options"
        },
    )?;
    let plan = match check(&pairs_from_lines(headers), &options) {
        Check::Settled(valid) => json!({ "settled": valid }),
        Check::Hmac {
            hash,
            signature,
            secrets,
        } => json!({ "hmac": { "hash": hash, "signature": signature, "secrets": secrets } }),
    };
    Ok(plan.to_json())
}

/// How to sign a test delivery for the options (JSON text): `{"header", "token"}` or `{"header",
/// "hmac": {hash, secret, encoding}}`, which the runtime computes with Web Crypto.
#[wasm_bindgen(js_name = signingPlan)]
pub fn signing_plan(options: &str) -> Result<String, JsValue> {
    let options = verify_options(options, "options")?;
    let plan = match options.signing() {
        Signing::Token { header, secret } => json!({ "header": header, "token": secret }),
        Signing::Hmac {
            header,
            hash,
            secret,
            encoding,
        } => {
            let encoding = match encoding {
                Encoding::Hex => "hex",
                Encoding::Base64 => "base64",
            };
            json!({ "header": header, "hmac": { "hash": hash, "secret": secret, "encoding": encoding } })
        }
    };
    Ok(plan.to_json())
}

/// The most bytes of a delivery's body that `handleWebhook` reads unless its options say otherwise.
const DEFAULT_MAX_BODY_BYTES: u64 = 1 << 20;

/// Checks `handleWebhook`'s options (JSON text; `verify_named`: the object has a `verify` key) and
/// returns `{"verify": the verify options' JSON text or null, "maxBodyBytes": n}`. Anything else fails
/// closed.
#[wasm_bindgen(js_name = handleOptions)]
pub fn handle_options(options: &str, verify_named: bool) -> Result<String, JsValue> {
    let read = || {
        let mut fields = Fields::optional(options_json(options, "options")?, "options")?;
        let verify = fields.take("verify");
        // Not a number, or not a whole one: out of range as 0 is, with the same message.
        let max_body_bytes = fields.whole("maxBodyBytes").unwrap_or(Some(0));
        let checked = match &verify {
            Some(verify) => Some(VerifyOptions::from_value(verify.clone(), "options.verify")?),
            None => None,
        };
        // An unknown field is named in the error: never a secret of `verify` used as a field's name.
        fields.finish().map_err(|error| match &checked {
            Some(options) => options.hide(error),
            None => error,
        })?;
        let max_body_bytes = match max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES) {
            bytes @ 1..=0xFFFF_FFFF => bytes,
            _ => {
                return Err(Error::invalid_argument(
                    "options.maxBodyBytes must be a whole number from 1 to 4294967295",
                ))
            }
        };
        let verify = match verify {
            Some(verify) => Some(verify.to_json()),
            None if verify_named => return Err(Error::invalid_argument(
                "options.verify must be VerifyOptions ({ secret, scheme?, header?, encoding? })",
            )),
            None => None,
        };
        Ok(json!({ "verify": verify, "maxBodyBytes": max_body_bytes }).to_json())
    };
    read().map_err(thrown)
}
