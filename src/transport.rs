//! The one seam with I/O: a [`Transport`] sends a [`WireRequest`], sleeps, and tells the time.

use crate::http::{HttpResponse, WireRequest};

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The request failed before any answer (DNS, refused connection, CORS); the runtime's text.
    Network(String),
    /// The time given for the attempt ran out.
    Timeout,
    /// The caller's abort signal fired.
    Aborted,
    /// The answer was larger than the client's `maxResponseBytes`; reading it stopped there.
    TooLarge,
    /// Not sent: the rate limit's window (its remaining requests 0) resets only after the call's
    /// deadline, this many seconds from now.
    RateLimited(f64),
}

/// Sends requests and waits. The wasm edge implements it with `fetch`; tests with a fake.
#[allow(async_fn_in_trait)] // wasm is single-threaded: the futures need not be `Send`
pub trait Transport {
    /// Sends one request and reads the whole answer within `timeout_ms`.
    async fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError>;
    /// Waits `ms` milliseconds, or fails with [`TransportError::Aborted`] when the caller aborts.
    async fn sleep(&self, ms: f64) -> Result<(), TransportError>;
    /// Told before a retry's wait: which attempt comes next (2 for the first retry) and the status
    /// that failed the last one (`None`: no answer). For the runtime's hooks and logs; default: nothing.
    fn retrying(&self, _attempt: u32, _status: Option<u16>) {}
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// A random number in `[0, 1)`, for backoff jitter.
    fn random(&self) -> f64;
}
