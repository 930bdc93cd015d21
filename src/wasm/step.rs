//! The sans-IO driver: an operation is a future over a [`StepTransport`] that never does I/O itself.
//! Polled with a no-op waker, it stops at each request or wait it needs; the JS runtime performs it
//! (`fetch`, a timer) and hands the outcome back. So the wasm has no Promise plumbing at all.

use super::error::error_json;
use crate::client::request_id;
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpResponse, WireRequest};
use crate::json;
use crate::json::Value;
use crate::rate_limit::RateLimit;
use crate::redact::{scrub, scrub_secrets};
use crate::transport::{Transport, TransportError};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;

/// What an operation asked its host for, and what the host answered.
#[derive(Default)]
struct Channel {
    asked: RefCell<Option<Ask>>,
    answer: RefCell<Option<Result<HttpResponse, TransportError>>>,
    /// The retry the next wait is for: the attempt that comes, and the status that failed.
    retry: Cell<Option<(u32, Option<u16>)>>,
}

enum Ask {
    /// The whole `send` step's JSON text, written from the request without copying it first.
    Send(String),
    /// A wait, and the retry it is for.
    Wait(f64, Option<(u32, Option<u16>)>),
}

/// The core's [`Transport`]: it records what it needs and waits for the host's answer.
#[derive(Clone)]
pub struct StepTransport {
    channel: Rc<Channel>,
    max_bytes: u32,
}

impl StepTransport {
    /// A transport whose `send` steps tell the host to read at most `max_bytes` of an answer.
    pub fn new(max_bytes: u32) -> Self {
        Self {
            channel: Rc::default(),
            max_bytes,
        }
    }
}

/// The answer to the last ask, once the host has given it.
struct Answer<'a>(&'a Channel);

impl Future for Answer<'_> {
    type Output = Result<HttpResponse, TransportError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.answer.borrow_mut().take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

impl Transport for StepTransport {
    async fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        let step = send_step(request, timeout_ms, self.max_bytes);
        self.channel.asked.replace(Some(Ask::Send(step)));
        Answer(&self.channel).await
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
        let retry = self.channel.retry.take();
        self.channel.asked.replace(Some(Ask::Wait(ms, retry)));
        Answer(&self.channel).await.map(|_| ())
    }

    fn retrying(&self, attempt: u32, status: Option<u16>) {
        self.channel.retry.set(Some((attempt, status)));
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

/// What an operation ends with: the JSON the caller gets, and what the call's last answer said
/// ([`crate::client::Client::response`]).
pub struct Done {
    /// The call's value.
    pub value: Value,
    /// Its metadata.
    pub response: Value,
}

/// An operation's future: it resolves with what the caller gets.
pub type Flow = Pin<Box<dyn Future<Output = Result<Done, Error>>>>;

/// One running operation. Each method returns its next step as JSON: `{"send": {method, url,
/// path, headers, body, timeoutMs, maxBytes}}`, `{"wait": ms, "retry"?: {attempt, status}}`, `{"done": value,
/// "response": {status, headers, requestId, attempts, requests, rateLimit}}` or `{"error": {code,
/// message, ...}}`; a step that follows an answer also has `"answered": {status, requestId, pauseUntil}`
/// (`pauseUntil`: when its rate limit resets, if it has 0 requests remaining, else null).
#[wasm_bindgen]
pub struct Op {
    flow: Flow,
    channel: Rc<Channel>,
    /// The length of the last answer's body: a step's JSON is about as long, so it is written into
    /// that much room.
    answered_bytes: usize,
    /// What the runtime learns of the answer just given: its status and request id (for hooks and
    /// logs), and until when no request may go (its rate limit has 0 remaining).
    answered: Option<Value>,
    /// The client's configuration, whose key is scrubbed from every answer's headers.
    config: Rc<Config>,
}

impl Op {
    /// An operation running `flow` over `transport`, for the client configured by `config`.
    pub fn new(flow: Flow, transport: &StepTransport, config: Rc<Config>) -> Self {
        Self {
            flow,
            channel: Rc::clone(&transport.channel),
            answered_bytes: 0,
            answered: None,
            config,
        }
    }

    fn answer(&mut self, answer: Result<HttpResponse, TransportError>) -> String {
        self.channel.answer.replace(Some(answer));
        self.step()
    }
}

#[wasm_bindgen]
impl Op {
    /// Runs until the next step.
    pub fn step(&mut self) -> String {
        let mut context = Context::from_waker(Waker::noop());
        let answered = self.answered.take();
        let mut step = match self.flow.as_mut().poll(&mut context) {
            Poll::Ready(Ok(done)) => json!({ "done": done.value, "response": done.response }),
            Poll::Ready(Err(error)) => json!({ "error": error_json(error) }),
            Poll::Pending => match self.channel.asked.take() {
                Some(Ask::Send(step)) => {
                    return match answered {
                        // `{"answered":{...},` then the send step without its opening brace.
                        Some(answered) => {
                            let mut text = String::with_capacity(step.len() + 64);
                            text.push_str("{\"answered\":");
                            text.push_str(&answered.to_json());
                            text.push(',');
                            text.push_str(step.get(1..).unwrap_or_default());
                            text
                        }
                        None => step,
                    };
                }
                Some(Ask::Wait(ms, None)) => json!({ "wait": whole(ms) }),
                Some(Ask::Wait(ms, Some((attempt, status)))) => {
                    json!({ "wait": whole(ms), "retry": { "attempt": attempt, "status": status } })
                }
                None => json!({ "error": error_json(Error::invalid_response("the call stalled")) }),
            },
        };
        if let (Some(answered), Some(fields)) = (answered, step.as_object_mut()) {
            fields.insert("answered".into(), answered);
        }
        step.to_json_sized(self.answered_bytes + self.answered_bytes / 8 + 256)
    }

    /// `text` (an answer's body, for a log line) without the client's key in any encoding.
    #[wasm_bindgen(js_name = withoutKey)]
    pub fn without_key(&self, text: &str) -> String {
        scrub_secrets(text, &[self.config.api_key.expose()])
    }

    /// The answer to a `send` step: status, headers as `name\nvalue\n...` (names in lower case), body.
    pub fn respond(&mut self, status: u16, headers: &str, body: String) -> String {
        // A server may echo the key (or an email) in a header: nothing read from the headers, request
        // ids and `withResponse()` included, holds it.
        let key = self.config.api_key.expose();
        let headers = header_pairs(headers)
            .into_iter()
            .map(|(name, value)| (name, scrub(&value, &[key])))
            .collect::<Vec<_>>();
        self.answered_bytes = body.len();
        let pause_until = RateLimit::from_headers(&headers, js_sys::Date::now())
            .filter(|limit| limit.remaining == Some(0))
            .and_then(|limit| limit.reset_at_ms)
            .map(whole);
        self.answered = Some(json!({
            "status": status,
            "requestId": request_id(&headers),
            "pauseUntil": pause_until,
        }));
        self.answer(Ok(HttpResponse {
            status,
            headers,
            body,
        }))
    }

    /// [`Self::respond`] with the body as the bytes read, when they are UTF-8 without a byte order
    /// mark; else nothing (the runtime then decodes them and calls `respond`). So an answer is not
    /// decoded into a JS string only to be encoded again.
    #[wasm_bindgen(js_name = respondBytes)]
    pub fn respond_bytes(&mut self, status: u16, headers: &str, body: Vec<u8>) -> Option<String> {
        let text = String::from_utf8(body)
            .ok()
            .filter(|text| !text.starts_with('\u{feff}'))?;
        Some(self.respond(status, headers, text))
    }

    /// A `send` step that got no answer: `kind` is `timeout`, `aborted`, `too_large`, `network`
    /// (`message`: the runtime's text) or `rate_limited` (not sent; `message`: seconds to the reset).
    pub fn fail(&mut self, kind: &str, message: &str) -> String {
        self.answer(Err(match kind {
            "timeout" => TransportError::Timeout,
            "aborted" => TransportError::Aborted,
            "too_large" => TransportError::TooLarge,
            "rate_limited" => TransportError::RateLimited(
                crate::json::from_str(message)
                    .ok()
                    .and_then(|seconds| seconds.as_f64())
                    .unwrap_or(0.0),
            ),
            _ => TransportError::Network(message.to_owned()),
        }))
    }

    /// The end of a `wait` step; `aborted` when the caller's signal cut it short.
    pub fn woke(&mut self, aborted: bool) -> String {
        self.answer(match aborted {
            true => Err(TransportError::Aborted),
            false => Ok(HttpResponse::default()),
        })
    }
}

/// Header (name, value) pairs from the runtime's `name\nvalue\n...` lines.
pub fn header_pairs(lines: &str) -> Vec<(String, String)> {
    let mut lines = lines.split('\n');
    let mut pairs = Vec::new();
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    pairs
}

/// A time (ms, or seconds) as a whole number for JSON, rounded up: a fraction means nothing to a timer.
pub fn whole(time: f64) -> u64 {
    time.max(0.0).ceil() as u64
}

/// The `send` step's JSON text: `{"send": {method, url, path, headers: [[name, value]...], body, timeoutMs,
/// maxBytes}}`.
fn send_step(request: &WireRequest, timeout_ms: f64, max_bytes: u32) -> String {
    let body_len = request.body.as_ref().map_or(0, String::len);
    let mut out = String::with_capacity(body_len + body_len / 8 + 512);
    out.push_str("{\"send\":{\"method\":");
    json::push_string(&mut out, request.method.as_str());
    out.push_str(",\"url\":");
    json::push_string(&mut out, &request.url);
    out.push_str(",\"path\":");
    json::push_string(&mut out, &request.path);
    out.push_str(",\"headers\":[");
    for (i, (name, value)) in request.headers.iter().enumerate() {
        out.push_str(if i == 0 { "[" } else { ",[" });
        json::push_string(&mut out, name);
        out.push(',');
        json::push_string(&mut out, value);
        out.push(']');
    }
    out.push_str("],\"body\":");
    match &request.body {
        Some(body) => json::push_string(&mut out, body),
        None => out.push_str("null"),
    }
    out.push_str(",\"timeoutMs\":");
    json::push_u64(&mut out, whole(timeout_ms));
    out.push_str(",\"maxBytes\":");
    json::push_u64(&mut out, u64::from(max_bytes));
    out.push_str("}}");
    out
}
