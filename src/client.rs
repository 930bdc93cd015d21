//! [`Client`]: runs one call (its requests, retries and waits) within one deadline.

use crate::config::Config;
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse, WireRequest};
use crate::retry::{backoff_ms, is_retryable, retry_after_seconds, MAX_RETRY_AFTER_MS};
use crate::transport::{Transport, TransportError};
use serde_json::Value;

/// Header names that may carry a request id, first match wins.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-amzn-requestid"];

/// One call's view of the API: the configuration, a transport, and the call's deadline.
#[derive(Debug)]
pub struct Client<'c, T> {
    config: &'c Config,
    transport: T,
    timeout_ms: f64,
    deadline_ms: f64,
}

impl<'c, T: Transport> Client<'c, T> {
    /// Starts a call whose deadline is `timeout_ms` from now (the configured timeout when `None`).
    pub fn new(config: &'c Config, transport: T, timeout_ms: Option<f64>) -> Self {
        let timeout_ms = timeout_ms.unwrap_or(config.timeout_ms);
        let deadline_ms = transport.now_ms() + timeout_ms;
        Self {
            config,
            transport,
            timeout_ms,
            deadline_ms,
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
            Err(self
                .status_error(&response)
                .at(request.method, &request.path))
        }
    }

    /// Sends a request and parses the 2xx answer as JSON.
    pub async fn send_json(&self, request: &HttpRequest) -> Result<Value, Error> {
        let response = self.send(request).await?;
        serde_json::from_str(&response.body).map_err(|_| {
            Error::invalid_response(format!(
                "Gist answered {} with a body that is not JSON",
                response.status
            ))
            .at(request.method, &request.path)
        })
    }

    /// Sends a request with retries and returns whatever answer came last, 2xx or not.
    pub async fn send_raw(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let wire = self.wire(request)?;
        let mut retries = 0;
        loop {
            let remaining = self.deadline_ms - self.transport.now_ms();
            if remaining <= 0.0 {
                return Err(self.timeout_error().at(request.method, &request.path));
            }
            let (status, error, response) = match self.transport.send(&wire, remaining).await {
                Ok(response) if response.is_success() => return Ok(response),
                Ok(response) => (
                    Some(response.status),
                    self.status_error(&response),
                    Some(response),
                ),
                Err(TransportError::Timeout) => {
                    return Err(self.timeout_error().at(request.method, &request.path))
                }
                Err(TransportError::Aborted) => {
                    return Err(aborted().at(request.method, &request.path))
                }
                Err(TransportError::Network(text)) => (None, self.network_error(&text), None),
            };
            let error = error.at(request.method, &request.path);
            if retries >= self.config.max_retries || !is_retryable(request.method, status) {
                return response.ok_or(error);
            }
            let wait_ms = match error.retry_after {
                Some(seconds) => (seconds * 1000.0).min(MAX_RETRY_AFTER_MS),
                None => backoff_ms(retries, self.transport.random()),
            };
            if self.transport.now_ms() + wait_ms >= self.deadline_ms {
                return response.ok_or(error);
            }
            if self.transport.sleep(wait_ms).await.is_err() {
                return Err(aborted().at(request.method, &request.path));
            }
            retries += 1;
        }
    }

    /// The request as sent: absolute URL, the client's own headers, serialised body.
    fn wire(&self, request: &HttpRequest) -> Result<WireRequest, Error> {
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("authorization"))
            .cloned()
            .collect();
        headers.push(("Authorization".into(), self.config.api_key.bearer()));
        headers.push(("Accept".into(), "application/json".into()));
        let body = match &request.body {
            Some(body) => {
                if !headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                Some(
                    serde_json::to_string(body)
                        .map_err(|_| Error::invalid_argument("the body cannot be sent as JSON"))?,
                )
            }
            None => None,
        };
        Ok(WireRequest {
            method: request.method,
            url: format!("{}{}", self.config.base_url, request.path_and_query()),
            headers,
            body,
        })
    }

    fn status_error(&self, response: &HttpResponse) -> Error {
        let mut error = Error::from_status(response.status, &response.body);
        error.retry_after = response
            .header("retry-after")
            .and_then(|value| retry_after_seconds(value, self.transport.now_ms()));
        error.request_id = REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| response.header(name))
            .map(str::to_owned);
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
        let text = text.replace(self.config.api_key.expose(), "[redacted]");
        Error::new(
            ErrorCode::NetworkError,
            format!(
                "the request got no answer ({text}): check the network, baseUrl, and CORS in a browser"
            ),
        )
    }
}

fn aborted() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "the call was aborted by its AbortSignal",
    )
}
