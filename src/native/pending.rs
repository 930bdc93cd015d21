//! [`Pending`]: a call not yet awaited, whose per-call options can still be set (`.timeout(..)`,
//! `.max_retries(..)`, `.header(..)`, `.abort(..)`), and which resolves with its value or, after
//! [`Pending::with_response`], its value and [`ResponseInfo`] (JS's `.withResponse()`).

use super::abort::AbortSignal;
use super::client::Client;
use crate::call::CallOptions;
use crate::error::Error;
use crate::flows::Flow;
use crate::json::Value;
use crate::rate_limit::RateLimit;
use futures_util::future::BoxFuture;
use std::future::IntoFuture;
use std::time::Duration;

/// One call's own options (JS's `RequestOptions`); every one falls back to the client's. Its `Debug`
/// shows no header's value (a header may carry a secret or an email: `http::shown_headers`).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// This call's deadline, retries and waits included.
    pub timeout: Option<Duration>,
    /// This call's retries (0 to 10).
    pub max_retries: Option<u32>,
    /// Headers added to each of this call's requests (never `Authorization`).
    pub headers: Vec<(String, String)>,
    /// Ends the call with `aborted` when it fires.
    pub abort: Option<AbortSignal>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &crate::http::shown_headers(&self.headers))
            .field("abort", &self.abort)
            .finish()
    }
}

impl RequestOptions {
    /// Sets the call's deadline (retries and waits included).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the call's retries (0 to 10).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Adds a header to each of the call's requests (never `Authorization`).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Ends the call with `aborted` when `signal` fires.
    #[must_use]
    pub fn abort(mut self, signal: &AbortSignal) -> Self {
        self.abort = Some(signal.clone());
        self
    }

    /// The core's options, checked as JS's are.
    pub(crate) fn to_core(&self) -> Result<CallOptions, Error> {
        let mut options = crate::json::Map::new();
        if let Some(timeout) = self.timeout {
            options.set("timeoutMs", (timeout.as_secs_f64() * 1000.0).into());
        }
        if let Some(retries) = self.max_retries {
            options.set("maxRetries", retries.into());
        }
        if !self.headers.is_empty() {
            let headers = crate::http::joined_headers(&self.headers);
            options.set("headers", Value::Object(headers));
        }
        CallOptions::from_value(Value::Object(options))
    }
}

/// What a call's last answer said (JS's `ResponseInfo`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// The HTTP status of the last answer; 0 where the call sent no request (a page asked with a
    /// cursor past the list's end: JS's `withResponse()` gives `null` there), with `requests` 0.
    pub status: u16,
    /// Its headers, names in lower case, a repeated one's values joined with `, ` (the key scrubbed,
    /// should a server echo it).
    pub headers: Vec<(String, String)>,
    /// Its request id header, when it has one.
    pub request_id: Option<String>,
    /// Attempts of the last request (1 when it was not retried; a try whose connection was never made
    /// counts, which `requests` leaves out).
    pub attempts: u32,
    /// Requests the call sent, retries included (not one held unsent or whose connection was never made).
    pub requests: u32,
    /// How long the call took.
    pub elapsed: Duration,
    /// The rate limit the answer reported.
    pub rate_limit: Option<RateLimit>,
}

impl ResponseInfo {
    /// Reads the core's `{ status, headers, requestId, attempts, requests, rateLimit }`.
    fn from_value(value: &Value, elapsed: Duration) -> Self {
        let number = |key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
        let headers = value
            .get("headers")
            .and_then(Value::as_object)
            .map(|headers| {
                headers
                    .iter()
                    .map(|(name, value)| (name.clone(), value.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let rate_limit = value
            .get("rateLimit")
            .filter(|limit| limit.is_object())
            .map(|limit| RateLimit {
                limit: limit.get("limit").and_then(Value::as_u64),
                remaining: limit.get("remaining").and_then(Value::as_u64),
                reset_at_ms: limit.get("resetAt").and_then(Value::as_f64),
            });
        Self {
            status: u16::try_from(number("status")).unwrap_or(0),
            headers,
            request_id: value
                .get("requestId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            attempts: u32::try_from(number("attempts")).unwrap_or(0),
            requests: u32::try_from(number("requests")).unwrap_or(0),
            elapsed,
            rate_limit,
        }
    }
}

/// Turns a call's value into the method's type.
pub(crate) type Decode<T> = fn(Value) -> Result<T, Error>;

/// A call to be awaited: `.await` gives `Result<T, Error>`. Set its options first if need be.
///
/// Nothing is sent until it is awaited; dropping the future stops the call.
#[must_use = "a call does nothing until it is awaited"]
pub struct Pending<T> {
    client: Client,
    method: &'static str,
    flow: Result<Flow, Error>,
    options: RequestOptions,
    decode: Decode<T>,
}

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("method", &self.method)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Pending<T> {
    /// The call of the core's endpoint `method` with its JS arguments.
    /// (`Err`: arguments that could not be made, which the call fails with.)
    pub(crate) fn new(
        client: &Client,
        method: &'static str,
        args: Result<Vec<Value>, Error>,
        decode: Decode<T>,
    ) -> Self {
        Self {
            client: client.clone(),
            method,
            flow: args
                .and_then(super::input::within_limits)
                .and_then(|args| crate::endpoints::start(method, args)),
            options: RequestOptions::default(),
            decode,
        }
    }

    /// Names the call `method` in its span, where its endpoint is not the JS method (`listUsers`).
    pub(crate) fn shown_as(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    /// Sets this call's deadline (retries and waits included).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.timeout(timeout);
        self
    }

    /// Sets this call's retries (0 to 10).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options = self.options.max_retries(retries);
        self
    }

    /// Adds a header to each of this call's requests (never `Authorization`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options = self.options.header(name, value);
        self
    }

    /// Ends the call with `aborted` when `signal` fires.
    pub fn abort(mut self, signal: &AbortSignal) -> Self {
        self.options = self.options.abort(signal);
        self
    }

    /// Sets every per-call option at once.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Resolves with the value and what the last answer said.
    pub fn with_response(self) -> WithResponse<T> {
        WithResponse(self)
    }

    async fn run(self) -> Result<(T, ResponseInfo), Error> {
        let started = std::time::Instant::now();
        let (value, response) = self
            .client
            .run(self.method, self.flow, &self.options, self.decode)
            .await?;
        let info = ResponseInfo::from_value(&response, started.elapsed());
        Ok((value, info))
    }
}

impl<T: Send + 'static> IntoFuture for Pending<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<'static, Result<T, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.run().await.map(|(value, _)| value) })
    }
}

/// A [`Pending`] call that resolves with its value and its [`ResponseInfo`].
#[must_use = "a call does nothing until it is awaited"]
#[derive(Debug)]
pub struct WithResponse<T>(Pending<T>);

impl<T: Send + 'static> IntoFuture for WithResponse<T> {
    type Output = Result<(T, ResponseInfo), Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.0.run())
    }
}
