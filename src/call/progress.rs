//! [`Progress`]: where one call stands against its limits (its deadline, the answer bytes it may read),
//! what it has sent, and what its last answer said; and the errors those limits give.

use super::options::CallOptions;
use crate::config::{Config, MAX_ANSWER_BYTES};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse, WireRequest};
use crate::json::{self, Value};
use crate::rate_limit::RateLimit;
use crate::retry::retry_after;
use crate::text::text;

/// Header names that may carry a request id, first match wins.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-amzn-requestid"];

/// The header that says how long to wait before retrying.
const RETRY_AFTER: &str = "retry-after";

/// Every header of an answer that the core reads (its request id, rate limit and `Retry-After`), in
/// lower case: a host that hands over only these gets the same decisions, errors and metadata but
/// `headers`.
pub fn answer_headers() -> impl Iterator<Item = &'static str> {
    REQUEST_ID_HEADERS
        .into_iter()
        .chain([RETRY_AFTER])
        .chain(crate::rate_limit::HEADERS.into_iter().flatten())
}

/// The last answer of a call, for its metadata.
#[derive(Debug)]
struct LastAnswer {
    status: u16,
    headers: Vec<(String, String)>,
    attempts: u32,
}

/// One call's standing: its options, deadline and counts.
#[derive(Debug)]
pub struct Progress {
    /// This call's own options.
    pub options: CallOptions,
    /// The call's timeout, for messages.
    timeout_ms: f64,
    /// When the call must be over (ms since the Unix epoch).
    pub deadline_ms: f64,
    /// The time the last step was given, and the most the host could take before the next one (the
    /// request's or the wait's time): see [`Progress::now`].
    latest_ms: f64,
    /// See [`Progress::latest_ms`].
    pub step_ms: f64,
    /// How far the wall clock was set back during the call, and not yet set forward again.
    set_back_ms: f64,
    received_bytes: u64,
    /// The bytes of the next answer that its host read (see [`Progress::read_elsewhere`]).
    read_elsewhere: u64,
    /// Every request the call sent, retries included (not one whose connection was never made).
    pub requests: u32,
    last: Option<LastAnswer>,
    /// Whether the retry budget refused a retry of this call.
    pub over_budget: bool,
    /// Whether an answer took the call past `maxResponseBytes` (read by its status: it may not be
    /// retried, since the call has read all it may).
    pub capped: bool,
    /// Whether the call's value is its answer, whatever its status (a raw API call): one past
    /// `maxResponseBytes` then fails, as a 2xx does.
    pub reads_any_status: bool,
}

impl Progress {
    /// A call with `options` whose deadline is its timeout from `now_ms`.
    pub fn new(config: &Config, options: CallOptions, now_ms: f64) -> Self {
        let timeout_ms = options.timeout_ms.unwrap_or(config.timeout_ms);
        Self {
            options,
            timeout_ms,
            deadline_ms: now_ms + timeout_ms,
            latest_ms: now_ms,
            step_ms: 0.0,
            set_back_ms: 0.0,
            received_bytes: 0,
            read_elsewhere: 0,
            requests: 0,
            last: None,
            over_budget: false,
            capped: false,
            reads_any_status: false,
        }
    }

    /// Notes the time a step was given. A wall clock set back (NTP, a user) moves the deadline back
    /// with it, so that the call takes no longer than its timeout; set forward again (by more than the
    /// last step could have taken, and a second), forward as far, so that it does not end early. (Set
    /// forward alone, it ends the call early: nothing tells that from time that passed.)
    pub fn now(&mut self, now_ms: f64) {
        let elapsed = now_ms - self.latest_ms;
        let moved = if elapsed < 0.0 {
            elapsed
        } else if elapsed > self.step_ms + 1000.0 {
            elapsed.min(self.set_back_ms)
        } else {
            0.0
        };
        self.deadline_ms += moved;
        self.set_back_ms -= moved;
        self.latest_ms = now_ms;
    }

    /// The most bytes the next answer may hold: what the call has left of `maxResponseBytes`, at
    /// most what one answer may hold.
    pub fn answer_budget(&self, config: &Config) -> u32 {
        let left = u64::from(config.max_response_bytes).saturating_sub(self.received_bytes);
        u32::try_from(left).map_or(config.answer_bytes(), |left| {
            left.min(config.answer_bytes())
        })
    }

    /// Counts `bytes` of the next answer, which its host read itself (or, past what the call may
    /// read, did not read) and gives without its body.
    pub fn read_elsewhere(&mut self, bytes: u64) {
        self.read_elsewhere = bytes;
    }

    /// Notes an answer (the `attempts`-th of its request): refuses a redirect, and counts its bytes
    /// against `maxResponseBytes` and what one answer may hold. An answer that is not a 2xx which
    /// passes either is read by its status (but a raw call's, whose value it would be), and not
    /// retried (refusals retried until their bodies pass the cap together are still a 429, a 503):
    /// the JS runtime reads no more than the call has left ([`Progress::answer_budget`]), a Rust
    /// transport a whole answer.
    pub fn answered(
        &mut self,
        config: &Config,
        response: &HttpResponse,
        attempts: u32,
    ) -> Result<(), Error> {
        self.last = Some(LastAnswer {
            status: response.status,
            headers: response.headers.clone(),
            attempts,
        });
        let size = response.body.len() as u64 + std::mem::take(&mut self.read_elsewhere);
        // What refuses an answer says which: its status and request id.
        let refused = |mut error: Error| {
            error.status = (response.status != 0).then_some(response.status);
            error.request_id = request_id(&response.headers);
            Err(error)
        };
        if response.status == 0 || (300..400).contains(&response.status) {
            return refused(Error::invalid_response(
                "Gist answered with a redirect, which the client never follows (the API key and the \
                 body must not go to another host): check baseUrl",
            ));
        }
        let received = self.received_bytes + size;
        match received > u64::from(config.max_response_bytes)
            || size > u64::from(config.answer_bytes())
        {
            true if response.is_success() || self.reads_any_status => refused(too_large(config)),
            true => {
                self.capped = true;
                Ok(())
            }
            false => {
                self.received_bytes = received;
                Ok(())
            }
        }
    }

    /// What the call's last answer said, as JSON appended to `out` (written without a tree): `{ status,
    /// requestId, attempts, requests, rateLimit }` (`requests`: every request the call sent; `null` when
    /// nothing was answered). Its headers are the host's to add: it holds them all, where the core may
    /// have been handed only [`answer_headers`].
    pub fn push_response(&self, out: &mut String, now_ms: f64) {
        let Some(last) = self.last.as_ref() else {
            return out.push_str("null");
        };
        out.push_str("{\"status\":");
        json::push_u64(out, last.status.into());
        out.push_str(",\"requestId\":");
        match request_id(&last.headers) {
            Some(id) => json::push_string(out, &id),
            None => out.push_str("null"),
        }
        out.push_str(",\"attempts\":");
        json::push_u64(out, last.attempts.into());
        out.push_str(",\"requests\":");
        json::push_u64(out, self.requests.into());
        out.push_str(",\"rateLimit\":");
        match RateLimit::from_headers(&last.headers, now_ms) {
            Some(limit) => json::push_value(out, &limit.to_value()),
            None => out.push_str("null"),
        }
        out.push('}');
    }

    /// The request as sent: absolute URL, serialised body, and its headers: the request's, then the
    /// call's over them, then the client's `Authorization`, and JSON's `Accept` and `Content-Type`
    /// unless given.
    pub fn wire(&self, config: &Config, request: &HttpRequest) -> Result<WireRequest, Error> {
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in request.headers.iter().chain(&self.options.headers) {
            if !name.eq_ignore_ascii_case("authorization") {
                headers.retain(|(given, _)| !given.eq_ignore_ascii_case(name));
                headers.push((name.clone(), value.clone()));
            }
        }
        let has = |headers: &[(String, String)], name: &str| {
            headers
                .iter()
                .any(|(given, _)| given.eq_ignore_ascii_case(name))
        };
        headers.push(("Authorization".into(), config.api_key.bearer()));
        if let Some(agent) = config
            .user_agent
            .as_ref()
            .filter(|_| !has(&headers, "user-agent"))
        {
            headers.push(("User-Agent".into(), agent.clone()));
        }
        if !has(&headers, "accept") {
            headers.push(("Accept".into(), "application/json".into()));
        }
        let body = request.body.as_ref().map(Value::to_json);
        if body.is_some() && !has(&headers, "content-type") {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        Ok(WireRequest {
            method: request.method,
            url: config.base_url.join(&request.path_and_query())?,
            path: crate::redact::shown_path(&request.path, &config.api_key.forms()),
            headers,
            body,
        })
    }

    /// The error of a non-2xx answer, saying so when the retry budget refused to retry it.
    pub fn status_error(&self, response: &HttpResponse, now_ms: f64) -> Error {
        let mut error = Error::from_status(response.status, &response.body);
        error.retry_after = response
            .header(RETRY_AFTER)
            .and_then(|value| retry_after(value, now_ms));
        error.request_id = request_id(&response.headers);
        self.noted(error)
    }

    /// The error of a failure that the retry budget refused to retry says so.
    pub fn noted(&self, mut error: Error) -> Error {
        if self.over_budget {
            error.message.push_str(
                " (not retried: the client's retry budget is spent; retries may add at most 20% to its requests)",
            );
        }
        error
    }

    /// The call ran out of time.
    pub fn timeout_error(&self) -> Error {
        Error::new(
            ErrorCode::Timeout,
            text!(
                "the call did not finish within {} ms: raise timeoutMs or retry later",
                self.timeout_ms.round() as u64
            ),
        )
    }
}

/// The answers were larger than `maxResponseBytes`, or one was larger than [`MAX_ANSWER_BYTES`].
pub fn too_large(config: &Config) -> Error {
    if config.max_response_bytes > MAX_ANSWER_BYTES {
        return Error::invalid_response(text!(
            "the answer is larger than maxResponseBytes ({} bytes; a list counts all its pages) or than \
             the {} bytes one answer may hold: list fewer items, or iterate with iter*",
            config.max_response_bytes,
            MAX_ANSWER_BYTES
        ));
    }
    Error::invalid_response(text!(
        "the answer is larger than maxResponseBytes ({} bytes; a list counts all its pages): \
         list fewer items, iterate with iter*, or raise maxResponseBytes",
        config.max_response_bytes
    ))
}

/// The request id an answer's headers carry, if any (an empty one is none: a blank header).
pub fn request_id(headers: &[(String, String)]) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers
            .iter()
            .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_empty())
            .map(|(_, value)| value.clone())
    })
}
