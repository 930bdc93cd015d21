//! The sans-IO driver's JS face: a [`Call`] of the core ([`crate::call::Call`]) whose steps cross as
//! text. The JS runtime performs each step (`fetch`, a timer) and hands the outcome back, with the time
//! and a random number for retry jitter.

use super::error::error_json;
use crate::call::{request_id, Clock, Input, Step};
use crate::config::Config;
use crate::error::Error;
use crate::flows::PageDigest;
use crate::http::{HttpResponse, WireRequest};
use crate::json;
use crate::json::Value;
use crate::rate_limit::RateLimit;
use crate::redact::{scrub_owned, scrub_secrets};
use crate::transport::TransportError;
use std::sync::Arc;

/// One running call. Each method takes the host's clock (`now`: ms since the epoch, `Date.now()`) and a
/// random number in [0, 1) for retry jitter (`Math.random()`), and returns the next step: a `send` step
/// as lines (see [`send_step`]), any other as JSON: `{"wait": ms, "retry"?: {attempt, status}}`,
/// `{"done": value, "response": {status, requestId, attempts, requests, rateLimit}}` or `{"error":
/// {code, message, ...}}`. A step that follows an answer also says `"answered": {status, requestId,
/// pauseUntil}` (`pauseUntil`: when its rate limit resets, if it has 0 requests remaining, else null),
/// but a `done` step, whose `response` says the same, when `pauseUntil` is null; a `send` step of a
/// `list*` call also hands out `"items"`, the items read so far, which come before its value's (an
/// array, or `{"held": [from, to]}`: that range of a page the runtime read and holds, as a list's value
/// and an `iter*` page's `items` may be too).
pub struct Call {
    call: crate::call::Call,
    /// The length of the last answer's body: a step's JSON is about as long, so it is written into
    /// that much room.
    answered_bytes: usize,
    /// What the runtime learns of the answer just given.
    answered: Option<Answered>,
    /// The client's configuration, whose key is scrubbed from every answer's headers.
    config: Arc<Config>,
}

impl Call {
    /// `call` as JS drives it, for the client configured by `config`.
    pub fn new(call: crate::call::Call, config: Arc<Config>) -> Self {
        Self {
            call,
            answered_bytes: 0,
            answered: None,
            config,
        }
    }

    /// Where a walk's page call starts, as a resume token.
    pub fn resume(&self) -> Option<String> {
        self.call.resume()
    }

    /// Goes on after `input`, at `clock`: the next step's text.
    fn go(&mut self, input: Input, clock: Clock) -> String {
        let answered = self.answered.take();
        let raw = self.call.is_raw();
        let mut step = match self.call.step(input, clock) {
            Step::Send(request, timeout_ms, max_bytes) => {
                let mut step = send_step(request, timeout_ms, max_bytes, raw);
                let mut told = crate::json::Map::new();
                if let Some(answered) = answered {
                    told.set("answered", answered.into_value());
                }
                if let Some(items) = self.call.take_items() {
                    told.set("items", items);
                }
                if !told.is_empty() {
                    step.push_str(&Value::Object(told).to_json());
                }
                return step;
            }
            Step::Wait(ms, None) => json!({ "wait": whole(ms) }),
            Step::Wait(ms, Some((attempt, status))) => {
                json!({ "wait": whole(ms), "retry": { "attempt": attempt, "status": status } })
            }
            Step::Done(value) => {
                // Its response says the last answer's status and request id: `answered` goes with
                // it only to say until when to pause.
                let pausing = answered
                    .filter(|answered| answered.pause_until.is_some())
                    .map(Answered::into_value);
                return done_step(value, &self.call, clock.now_ms, pausing.as_ref());
            }
            Step::Failed(error) => json!({ "error": error_json(error) }),
        };
        if let (Some(answered), Some(fields)) = (answered, step.as_object_mut()) {
            fields.set("answered", answered.into_value());
        }
        step.to_json_sized(self.answered_bytes + self.answered_bytes / 8 + 256)
    }

    fn answer(&mut self, answer: Result<HttpResponse, TransportError>, clock: Clock) -> String {
        self.go(Input::Answer(answer), clock)
    }
}

/// What the runtime learns of an answer: its status and request id (for hooks and logs), and until
/// when no request may go (its rate limit has 0 remaining).
struct Answered {
    status: u16,
    request_id: Option<String>,
    pause_until: Option<u64>,
}

impl Answered {
    /// `{status, requestId, pauseUntil}`.
    fn into_value(self) -> Value {
        json!({
            "status": self.status,
            "requestId": self.request_id,
            "pauseUntil": self.pause_until,
        })
    }
}

/// The host's clock and randomness, as each method is given them.
fn clock(now_ms: f64, random: f64) -> Clock {
    Clock { now_ms, random }
}

impl Call {
    /// Starts the call: its first step.
    pub fn step(&mut self, now: f64, random: f64) -> String {
        self.go(Input::Start, clock(now, random))
    }

    /// `text` (an answer's body, for a log line) without the client's key in any encoding.
    pub fn without_key(&self, text: &str) -> String {
        scrub_secrets(text, &self.config.api_key.forms())
    }

    /// The answer to a `send` step: status, headers as `name\nvalue\n...` (names in lower case: those
    /// the core reads, or every one for a `raw` step), body.
    pub fn respond(
        &mut self,
        status: u16,
        headers: &str,
        body: String,
        now: f64,
        random: f64,
    ) -> String {
        // A server may echo the key (or an email) in a header's value or name: nothing read from the
        // headers, request ids and an `apiCall`'s answer included, holds it.
        let key = self.config.api_key.forms();
        let headers = pairs_from_lines(headers)
            .into_iter()
            .map(|(name, value)| (scrub_owned(name, &key), scrub_owned(value, &key)))
            .collect::<Vec<_>>();
        self.answered_bytes = body.len();
        let pause_until = RateLimit::from_headers(&headers, now)
            .filter(|limit| limit.remaining == Some(0))
            .and_then(|limit| limit.reset_at_ms)
            .map(whole);
        self.answered = Some(Answered {
            status,
            request_id: request_id(&headers),
            pause_until,
        });
        self.answer(
            Ok(HttpResponse {
                status,
                headers,
                body,
            }),
            clock(now, random),
        )
    }

    /// The answer to a `send` step whose body the runtime read itself (`read` bytes of it) and holds:
    /// a list's 2xx page, of which `digest` is what the paging loop reads (`{count, firstId?, kept,
    /// pages?}`, [`PageDigest`]), or a raw call's answer (`digest` empty), whose body the runtime puts
    /// in the value.
    pub fn respond_read(
        &mut self,
        status: u16,
        headers: &str,
        digest: &str,
        read: u32,
        now: f64,
        random: f64,
    ) -> String {
        let digest = match digest {
            "" => None,
            digest => match crate::json::from_str(digest)
                .ok()
                .as_ref()
                .and_then(PageDigest::from_value)
            {
                Some(digest) => Some(digest),
                None => {
                    let error = Error::invalid_argument("not a page's digest");
                    return json!({ "error": error_json(error) }).to_json();
                }
            },
        };
        self.call.read_elsewhere(u64::from(read), digest);
        self.respond(status, headers, String::new(), now, random)
    }

    /// [`Self::respond`] with the body as the bytes read, when they are UTF-8 without a byte order
    /// mark; else nothing (the runtime then decodes them and calls `respond`). So an answer is not
    /// decoded into a JS string only to be encoded again.
    pub fn respond_bytes(
        &mut self,
        status: u16,
        headers: &str,
        body: Vec<u8>,
        now: f64,
        random: f64,
    ) -> Option<String> {
        let text = String::from_utf8(body)
            .ok()
            .filter(|text| !text.starts_with('\u{feff}'))?;
        Some(self.respond(status, headers, text, now, random))
    }

    /// A `send` step that got no answer: `kind` is `timeout`, `held` (a timeout while the client's pacing
    /// held it: not sent), `aborted`, `network`
    /// (`message`: the runtime's text), `unreached` (no connection was made, nothing sent; `message`:
    /// the runtime's text) or `rate_limited` (not sent; `message`: seconds to the reset).
    pub fn fail(&mut self, kind: &str, message: &str, now: f64, random: f64) -> String {
        let error = match kind {
            "timeout" => TransportError::Timeout,
            "held" => TransportError::Held,
            "aborted" => TransportError::Aborted,
            "unreached" => TransportError::Unreached(message.to_owned()),
            "rate_limited" => TransportError::RateLimited(
                crate::json::from_str(message)
                    .ok()
                    .and_then(|seconds| seconds.as_f64())
                    .unwrap_or(0.0),
            ),
            _ => TransportError::Network(message.to_owned()),
        };
        self.answer(Err(error), clock(now, random))
    }

    /// The end of a `wait` step; `aborted` when the caller's signal cut it short.
    pub fn woke(&mut self, aborted: bool, now: f64, random: f64) -> String {
        let woke = if aborted {
            Err(TransportError::Aborted)
        } else {
            Ok(())
        };
        self.go(Input::Woke(woke), clock(now, random))
    }
}

/// The `done` step of `value`, with the `response` of `call` (over at `now_ms`, written without a
/// tree) and what was `answered`. A value the normaliser wrote (a large answer's, say) is written
/// around in place, not copied: the call then holds it once, not twice, in wasm memory that never
/// shrinks.
fn done_step(
    value: Value,
    call: &crate::call::Call,
    now_ms: f64,
    answered: Option<&Value>,
) -> String {
    let mut out = match value {
        Value::Text(text) => text.into_string(),
        value => value.to_json(),
    };
    out.insert_str(0, "{\"done\":");
    out.push_str(",\"response\":");
    call.push_response(&mut out, now_ms);
    if let Some(answered) = answered {
        out.push_str(",\"answered\":");
        json::push_value(&mut out, answered);
    }
    out.push('}');
    out
}

/// Header (name, value) pairs from the runtime's `name\nvalue\n...` lines.
pub fn pairs_from_lines(lines: &str) -> Vec<(String, String)> {
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

/// The `send` step's text, as lines: the method, URL, path, `timeoutMs`, `maxBytes`, `raw` (`1` for a
/// raw API call's request, whose answer's every header is wanted, not only those the core reads, and
/// whose body the runtime reads itself and gives with `callRespondRead`; else empty), the number of
/// headers, each header's name and value, and the body as JSON (`null`, or a string); none of them holds
/// a line break (headers refuse one; the URL and path are percent-encoded; JSON escapes one). What the
/// step also tells (`answered`, `items`) follows last, as JSON, which may hold line breaks (an item as
/// Gist wrote it): [`Call::go`] writes it there.
fn send_step(request: &WireRequest, timeout_ms: f64, max_bytes: u32, raw: bool) -> String {
    let body_len = request.body.as_ref().map_or(0, String::len);
    let mut out = String::with_capacity(body_len + body_len / 8 + request.url.len() * 2 + 256);
    for line in [request.method.as_str(), &request.url, &request.path] {
        out.push_str(line);
        out.push('\n');
    }
    json::push_u64(&mut out, whole(timeout_ms));
    out.push('\n');
    json::push_u64(&mut out, u64::from(max_bytes));
    out.push_str(if raw { "\n1\n" } else { "\n\n" });
    json::push_u64(&mut out, request.headers.len() as u64);
    for (name, value) in &request.headers {
        out.push('\n');
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
    }
    out.push('\n');
    match &request.body {
        Some(body) => json::push_string(&mut out, body),
        None => out.push_str("null"),
    }
    out.push('\n');
    out
}
