//! [`FetchTransport`]: the core's [`Transport`] over the runtime's `fetch` (or an injected one).

use super::glue;
use crate::http::{HttpResponse, WireRequest};
use crate::transport::{Transport, TransportError};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Sends with `fetch`; `signal` is the caller's `AbortSignal` (or `undefined`).
#[derive(Debug, Clone)]
pub struct FetchTransport {
    fetch: JsValue,
    signal: JsValue,
    max_bytes: u32,
}

impl FetchTransport {
    /// A transport over `fetch` (`undefined`: the global one) that stops when `signal` aborts and
    /// reads at most `max_bytes` of an answer.
    pub fn new(fetch: JsValue, signal: JsValue, max_bytes: u32) -> Self {
        Self {
            fetch,
            signal,
            max_bytes,
        }
    }
}

fn text(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

impl Transport for FetchTransport {
    async fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        let headers = Array::new();
        for (name, value) in &request.headers {
            headers.push(&Array::of2(&name.as_str().into(), &value.as_str().into()));
        }
        let promise = glue::fetch_once(
            &self.fetch,
            &request.url,
            request.method.as_str(),
            headers,
            request.body.clone(),
            timeout_ms,
            &self.signal,
            self.max_bytes,
        );
        let outcome = JsFuture::from(promise)
            .await
            .map_err(|_| TransportError::Network("fetch failed".into()))?;
        match text(&outcome, "kind").as_str() {
            "ok" => {
                let status = Reflect::get(&outcome, &"status".into())
                    .ok()
                    .and_then(|s| s.as_f64())
                    .unwrap_or(0.0) as u16;
                let flat: Vec<String> = Reflect::get(&outcome, &"headers".into())
                    .ok()
                    .map(|h| {
                        Array::from(&h)
                            .iter()
                            .filter_map(|v| v.as_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let headers = flat
                    .chunks_exact(2)
                    .filter_map(|pair| match pair {
                        [name, value] => Some((name.clone(), value.clone())),
                        _ => None,
                    })
                    .collect();
                Ok(HttpResponse {
                    status,
                    headers,
                    body: text(&outcome, "body"),
                })
            }
            "timeout" => Err(TransportError::Timeout),
            "aborted" => Err(TransportError::Aborted),
            "too_large" => Err(TransportError::TooLarge),
            _ => Err(TransportError::Network(text(&outcome, "message"))),
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
        match JsFuture::from(glue::sleep(ms, &self.signal)).await {
            Ok(done) if done.is_truthy() => Ok(()),
            _ => Err(TransportError::Aborted),
        }
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}
