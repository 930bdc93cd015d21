//! [`Client`]: runs one call (its requests, retries and waits) within one deadline.

use crate::call::CallOptions;
use crate::config::Config;
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse, WireRequest};
use crate::json::{Map, ParseError, Value};
use crate::rate_limit::RateLimit;
use crate::retry::{backoff_ms, is_retryable, retry_after_seconds, MAX_RETRY_AFTER_MS};
use crate::transport::{Transport, TransportError};
use std::cell::{Cell, RefCell};

/// Header names that may carry a request id, first match wins.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-amzn-requestid"];

/// Where a call stands, so that a later step can go on with it: its timeout, its deadline (ms since
/// the Unix epoch) and the answer bytes it has read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The call's timeout, for messages.
    pub timeout_ms: f64,
    /// When the call must be over.
    pub deadline_ms: f64,
    /// The answer bytes read so far, counted against `maxResponseBytes`.
    pub received_bytes: u64,
}

/// The last answer of a call, for its metadata.
#[derive(Debug)]
struct LastAnswer {
    status: u16,
    headers: Vec<(String, String)>,
    attempts: u32,
}

/// One call's view of the API: the configuration, a transport, and the call's deadline.
#[derive(Debug)]
pub struct Client<'c, T> {
    config: &'c Config,
    transport: T,
    options: CallOptions,
    timeout_ms: f64,
    deadline_ms: f64,
    received_bytes: Cell<u64>,
    requests: Cell<u32>,
    last: RefCell<Option<LastAnswer>>,
    over_budget: Cell<bool>,
}

impl<'c, T: Transport> Client<'c, T> {
    /// Starts a call whose deadline is `timeout_ms` from now (the configured timeout when `None`).
    pub fn new(config: &'c Config, transport: T, timeout_ms: Option<f64>) -> Self {
        let options = CallOptions {
            timeout_ms,
            ..CallOptions::default()
        };
        Self::with_options(config, transport, options)
    }

    /// Starts a call with its own options: its timeout (the deadline starts now), retries and headers.
    pub fn with_options(config: &'c Config, transport: T, options: CallOptions) -> Self {
        let timeout_ms = options.timeout_ms.unwrap_or(config.timeout_ms);
        let progress = Progress {
            timeout_ms,
            deadline_ms: transport.now_ms() + timeout_ms,
            received_bytes: 0,
        };
        Self::resume(config, transport, options, progress)
    }

    /// Goes on with a call that began in an earlier step (a list read page by page).
    pub fn resume(
        config: &'c Config,
        transport: T,
        options: CallOptions,
        progress: Progress,
    ) -> Self {
        Self {
            config,
            transport,
            options,
            timeout_ms: progress.timeout_ms,
            deadline_ms: progress.deadline_ms,
            received_bytes: Cell::new(progress.received_bytes),
            requests: Cell::new(0),
            last: RefCell::new(None),
            over_budget: Cell::new(false),
        }
    }

    /// What the call's last answer said, as JSON: `{ status, headers, requestId, attempts, requests,
    /// rateLimit }` (`requests`: every request this client sent; `null` when nothing was answered).
    pub fn response(&self) -> Value {
        let last = self.last.borrow();
        let Some(last) = last.as_ref() else {
            return Value::Null;
        };
        let headers: Map<String, Value> = last
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), Value::from(value.as_str())))
            .collect();
        let rate_limit = RateLimit::from_headers(&last.headers, self.transport.now_ms());
        let mut out = Map::new();
        out.insert("status".into(), last.status.into());
        out.insert("headers".into(), Value::Object(headers));
        out.insert("requestId".into(), request_id(&last.headers).into());
        out.insert("attempts".into(), last.attempts.into());
        out.insert("requests".into(), self.requests.get().into());
        out.insert(
            "rateLimit".into(),
            rate_limit.as_ref().map_or(Value::Null, RateLimit::to_value),
        );
        Value::Object(out)
    }

    /// Where the call stands now.
    pub fn progress(&self) -> Progress {
        Progress {
            timeout_ms: self.timeout_ms,
            deadline_ms: self.deadline_ms,
            received_bytes: self.received_bytes.get(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.config
    }

    /// Sends a request, retrying as the policy allows, and returns the 2xx answer.
    ///
    /// # Errors
    /// Every [`ErrorCode`] of an HTTP call: the status codes, `network_error`, `timeout`, `aborted`.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let response = self.send_raw(request).await?;
        if response.is_success() {
            Ok(response)
        } else {
            let error = self.noted(self.status_error(&response));
            Err(self.failed(request, error))
        }
    }

    /// Sends a request and parses the 2xx answer as JSON.
    pub async fn send_json(&self, request: &HttpRequest) -> Result<Value, Error> {
        self.send_reading(request, &crate::json::from_str).await
    }

    /// Sends a request and reads the 2xx answer's text with `read` (a text it finds not JSON is
    /// `invalid_response`).
    pub async fn send_reading<R>(
        &self,
        request: &HttpRequest,
        read: &dyn Fn(&str) -> Result<R, ParseError>,
    ) -> Result<R, Error> {
        let response = self.send(request).await?;
        read(&response.body).map_err(|_| not_json(request, response.status))
    }

    /// Sends a request with retries and returns whatever answer came last, 2xx or not (but never a
    /// redirect, which is refused).
    pub async fn send_raw(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        self.attempts(request)
            .await
            .map_err(|error| self.failed(request, error))
    }

    /// The error of a failure that the retry budget refused to retry says so.
    fn noted(&self, mut error: Error) -> Error {
        if self.over_budget.get() {
            error.message.push_str(
                " (not retried: the client's retry budget is spent; retries may add at most 20% to its requests)",
            );
        }
        error
    }

    /// An error of this call, as callers see it: where it happened, and nothing secret in it.
    fn failed(&self, request: &HttpRequest, error: Error) -> Error {
        error
            .at(request.method, &request.path)
            .scrubbed(&[self.config.api_key.expose()])
    }

    async fn attempts(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let wire = self.wire(request)?;
        let max_retries = self.options.max_retries.unwrap_or(self.config.max_retries);
        let mut retries = 0;
        loop {
            let remaining = self.deadline_ms - self.transport.now_ms();
            if remaining <= 0.0 {
                return Err(self.timeout_error());
            }
            self.requests.set(self.requests.get() + 1);
            if retries == 0 {
                self.config.retry_budget.earn();
            }
            let (status, error, response) = match self.transport.send(&wire, remaining).await {
                Ok(response) => {
                    self.last.replace(Some(LastAnswer {
                        status: response.status,
                        headers: response.headers.clone(),
                        attempts: retries + 1,
                    }));
                    self.count(&response)?;
                    if response.is_success() {
                        return Ok(response);
                    }
                    (
                        Some(response.status),
                        self.status_error(&response),
                        Some(response),
                    )
                }
                Err(TransportError::Timeout) => return Err(self.timeout_error()),
                Err(TransportError::Aborted) => return Err(aborted()),
                Err(TransportError::TooLarge) => return Err(self.too_large()),
                Err(TransportError::RateLimited(seconds)) => return Err(paused(seconds)),
                Err(TransportError::Network(text)) => (None, self.network_error(&text), None),
            };
            if retries >= max_retries || !is_retryable(request.method, status) {
                return response.ok_or(error);
            }
            let wait_ms = match error.retry_after {
                Some(seconds) => (seconds * 1000.0).min(MAX_RETRY_AFTER_MS),
                None => backoff_ms(retries, self.transport.random()),
            };
            if self.transport.now_ms() + wait_ms >= self.deadline_ms {
                return response.ok_or(error);
            }
            if !self.config.retry_budget.spend() {
                self.over_budget.set(true);
                return response.ok_or_else(|| self.noted(error));
            }
            self.transport.retrying(retries + 2, status);
            if self.transport.sleep(wait_ms).await.is_err() {
                return Err(aborted());
            }
            retries += 1;
        }
    }

    /// Refuses a redirect, and adds the answer's bytes to the call's count, within its cap.
    fn count(&self, response: &HttpResponse) -> Result<(), Error> {
        if response.status == 0 || (300..400).contains(&response.status) {
            let mut error = Error::invalid_response(
                "Gist answered with a redirect, which the client never follows (the API key and the \
                 body must not go to another host): check baseUrl",
            );
            error.status = (response.status != 0).then_some(response.status);
            return Err(error);
        }
        let total = self.received_bytes.get() + response.body.len() as u64;
        self.received_bytes.set(total);
        match total > u64::from(self.config.max_response_bytes) {
            true => Err(self.too_large()),
            false => Ok(()),
        }
    }

    fn too_large(&self) -> Error {
        Error::invalid_response(format!(
            "the answer is larger than maxResponseBytes ({} bytes; a list counts all its pages): \
             list fewer items, iterate with iter*, or raise maxResponseBytes",
            self.config.max_response_bytes
        ))
    }

    /// The request as sent: absolute URL, serialised body, and its headers: the request's, then the
    /// call's over them, then the client's `Authorization`, and JSON's `Accept` and `Content-Type`
    /// unless given.
    fn wire(&self, request: &HttpRequest) -> Result<WireRequest, Error> {
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
        headers.push(("Authorization".into(), self.config.api_key.bearer()));
        if let Some(agent) = self
            .config
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
            url: self.config.base_url.join(&request.path_and_query())?,
            path: crate::redact::shown_path(&request.path),
            headers,
            body,
        })
    }

    fn status_error(&self, response: &HttpResponse) -> Error {
        let mut error = Error::from_status(response.status, &response.body);
        error.retry_after = response
            .header("retry-after")
            .and_then(|value| retry_after_seconds(value, self.transport.now_ms()));
        error.request_id = request_id(&response.headers);
        error
    }

    fn timeout_error(&self) -> Error {
        Error::new(
            ErrorCode::Timeout,
            format!(
                "the call did not finish within {} ms: raise timeoutMs or retry later",
                self.timeout_ms.round() as u64
            ),
        )
    }

    fn network_error(&self, text: &str) -> Error {
        Error::new(
            ErrorCode::NetworkError,
            format!(
                "the request got no answer ({text}): check the network, baseUrl, and CORS in a browser"
            ),
        )
    }
}

/// The request id an answer's headers carry, if any.
pub fn request_id(headers: &[(String, String)]) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    })
}

/// The error of a 2xx answer that is not JSON.
fn not_json(request: &HttpRequest, status: u16) -> Error {
    Error::invalid_response(format!(
        "Gist answered {status} with a body that is not JSON"
    ))
    .at(request.method, &request.path)
}

/// A request not sent because the rate limit's window resets after the call's deadline.
fn paused(seconds: f64) -> Error {
    let mut error = Error::new(
        ErrorCode::RateLimited,
        "not sent: Gist said no requests remain until the rate limit resets, which is after this \
         call's deadline: retry after retryAfter seconds",
    );
    error.retry_after = Some(seconds);
    error
}

fn aborted() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "the call was aborted by its AbortSignal",
    )
}
