//! [`Exchange`]: one request and its retries, as an explicit state machine. It says what to send or
//! how long to wait, and is told what came back; it ends with the last answer (2xx or not) or an error.

use super::progress::Progress;
use super::Clock;
use crate::config::Config;
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse, Method, WireRequest};
use crate::retry::{
    backoff_ms, is_retryable, wait_budget, Failure, LONGEST_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_MS,
};
use crate::text::text;
use crate::transport::TransportError;

/// What an exchange needs next.
#[derive(Debug)]
pub enum Next {
    /// Send the request, allowing it this many milliseconds.
    Send(f64),
    /// Wait this long before the retry that will be this attempt (2 for the first retry), after a
    /// failure with this status (`None`: no answer).
    Wait(f64, u32, Option<u16>),
    /// The exchange is over: the last answer, whatever its status (never a redirect).
    Answered(HttpResponse),
}

/// One request being sent, with its retries.
#[derive(Debug)]
pub struct Exchange {
    /// The request, as the caller's code built it.
    pub request: HttpRequest,
    /// The request as it goes on the wire.
    pub wire: WireRequest,
    retries: u32,
}

impl Exchange {
    /// Starts sending `request`: its first [`Next`], or why it cannot be sent.
    pub fn start(
        request: HttpRequest,
        config: &Config,
        progress: &mut Progress,
        now_ms: f64,
    ) -> Result<(Self, Next), Error> {
        let wire = progress
            .wire(config, &request)
            .map_err(|error| failed(config, &request, error))?;
        let mut exchange = Self {
            request,
            wire,
            retries: 0,
        };
        let next = exchange.attempt(config, progress, now_ms);
        next.map(|next| (exchange, next))
    }

    /// The next attempt, if the deadline leaves time for one.
    fn attempt(
        &mut self,
        config: &Config,
        progress: &mut Progress,
        now_ms: f64,
    ) -> Result<Next, Error> {
        let remaining = progress.deadline_ms - now_ms;
        if remaining <= 0.0 {
            return Err(self.failed(config, progress.timeout_error()));
        }
        progress.requests += 1;
        if self.retries == 0 {
            config.retry_budget.earn();
        }
        Ok(Next::Send(remaining))
    }

    /// What follows the outcome of a send.
    pub fn answered(
        &mut self,
        outcome: Result<HttpResponse, TransportError>,
        config: &Config,
        progress: &mut Progress,
        clock: Clock,
    ) -> Result<Next, Error> {
        let (failure, error, response) = match outcome {
            Ok(response) => {
                progress
                    .answered(config, &response, self.retries + 1)
                    .map_err(|error| self.failed(config, error))?;
                if response.is_success() {
                    return Ok(Next::Answered(response));
                }
                let error = progress.status_error(&response, clock.now_ms);
                (Failure::Status(response.status), error, Some(response))
            }
            Err(error) => {
                let (failure, text) = match error {
                    TransportError::Network(text) => (Failure::NoAnswer, text),
                    TransportError::Unreached(text) => {
                        // Never sent, so not one of the call's `requests` (as one held unsent is not).
                        progress.requests = progress.requests.saturating_sub(1);
                        (Failure::Unreached, text)
                    }
                    other => return Err(self.failed(config, ended_by(other, config, progress))),
                };
                let mut error = network_error(&text);
                error.may_have_acted = failure == Failure::NoAnswer;
                (failure, error, None)
            }
        };
        let status = failure.status();
        let max_retries = progress.options.max_retries.unwrap_or(config.max_retries);
        let wait_ms = match error.retry_after {
            Some(seconds) => (seconds * 1000.0).min(MAX_RETRY_AFTER_MS),
            None => backoff_ms(self.retries, clock.random),
        };
        // A write's retry leaves its request what pacing leaves one ([`wait_budget`]): sent just before
        // the deadline, it would time out in flight, and may have acted where its refusal said it did not.
        let left_ms = progress.deadline_ms - clock.now_ms;
        let may_wait_ms = match self.request.method {
            Method::Get => left_ms,
            _ => wait_budget(left_ms),
        };
        let retry = self.retries < max_retries
            && !progress.capped
            && is_retryable(self.request.method, failure)
            && wait_ms < may_wait_ms;
        if retry && !config.retry_budget.spend() {
            progress.over_budget = true;
        } else if retry {
            return Ok(Next::Wait(wait_ms, self.retries + 2, status));
        }
        match response {
            Some(response) => Ok(Next::Answered(response)),
            None => Err(self.failed(config, progress.noted(error))),
        }
    }

    /// What follows a wait: the retry, or the call's end where the wait failed (`Aborted`: the
    /// caller's signal cut it short; another error: the transport could not wait).
    pub fn woke(
        &mut self,
        waited: Result<(), TransportError>,
        config: &Config,
        progress: &mut Progress,
        now_ms: f64,
    ) -> Result<Next, Error> {
        if let Err(error) = waited {
            return Err(self.failed(config, ended_by(error, config, progress)));
        }
        self.retries += 1;
        self.attempt(config, progress, now_ms)
    }

    /// An error of this exchange, as callers see it: where it happened, and nothing secret in it.
    pub fn failed(&self, config: &Config, error: Error) -> Error {
        failed(config, &self.request, error)
    }
}

fn failed(config: &Config, request: &HttpRequest, error: Error) -> Error {
    error
        .at(request.method, &request.path)
        .scrubbed(&config.api_key.forms())
}

/// The error of a transport failure that ends the call at once (a network error ends it only where no
/// retry follows, as after a wait that failed).
fn ended_by(error: TransportError, config: &Config, progress: &Progress) -> Error {
    match error {
        TransportError::Timeout => sent_unanswered(progress.timeout_error()),
        TransportError::Held => progress.timeout_error(),
        TransportError::Aborted => aborted(),
        TransportError::TooLarge => super::progress::too_large(config),
        #[cfg(not(target_arch = "wasm32"))]
        TransportError::UnreadBody(response) => {
            let mut error = super::progress::too_large(config);
            error.status = Some(response.status);
            error.request_id = super::request_id(&response.headers);
            error
        }
        #[cfg(not(target_arch = "wasm32"))]
        TransportError::UnreadRefusal(_, error) => ended_by(*error, config, progress),
        TransportError::RateLimited(seconds) => paused(seconds),
        TransportError::Network(text) => sent_unanswered(progress.noted(network_error(&text))),
        TransportError::Unreached(text) => progress.noted(network_error(&text)),
        #[cfg(not(target_arch = "wasm32"))]
        TransportError::NotSent(text) => not_sent(&text),
    }
}

/// A request the transport could not write, so never sent: retrying it cannot help.
#[cfg(not(target_arch = "wasm32"))]
fn not_sent(text: &str) -> Error {
    Error::invalid_argument(text!(
        "the request could not be sent ({}): nothing was sent",
        text
    ))
}

/// `error`, of a request that went and got no answer: its `may_have_acted` (for a flow that reports
/// each request, as `tagContacts` does its batches; a call's own error gets the runtime's).
fn sent_unanswered(mut error: Error) -> Error {
    error.may_have_acted = true;
    error
}

fn network_error(text: &str) -> Error {
    Error::new(
        ErrorCode::NetworkError,
        text!(
            "the request got no answer ({}): check the network, baseUrl, and CORS in a browser",
            text
        ),
    )
}

/// A request not sent because the rate limit (Gist's window, or a shared pacer's rate) lets none go
/// while the call has time left for one.
fn paused(seconds: f64) -> Error {
    let mut error = Error::new(
        ErrorCode::RateLimited,
        "not sent: the rate limit (Gist's, or a shared pacer's) lets no request go while this call has \
         time for one: retry after retryAfter seconds",
    );
    error.retry_after = Some(seconds.min(LONGEST_RETRY_AFTER_SECONDS));
    error
}

fn aborted() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "the call was aborted by its AbortSignal",
    )
}
