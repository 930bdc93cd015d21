//! The one seam with I/O: a [`Transport`] sends a [`WireRequest`], sleeps, and tells the time.

use crate::http::{HttpResponse, WireRequest};
use std::future::Future;
use std::sync::atomic::AtomicU16;

/// `Send` on native targets, so that a multi-threaded runtime can hold a call; nothing on wasm32,
/// which is single-threaded (its `fetch` futures are not `Send`).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
/// `Send` on native targets, so that a multi-threaded runtime can hold a call; nothing on wasm32,
/// which is single-threaded (its `fetch` futures are not `Send`).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// Why a request got no answer. Its `Debug` shows an unread answer's status only: its headers are the
/// server's, which may echo the key (the client takes it out, but a transport of one's own wrapping
/// another sees them first).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum TransportError {
    /// The request got no answer, and may have been sent (a reset, an answer cut short, CORS, a
    /// failure the runtime cannot place); the runtime's text. A write is not retried, and may have acted.
    Network(String),
    /// The connection was never made (refused, a host name that does not resolve, a TLS handshake that
    /// failed), so nothing of the request was sent; the runtime's text. A `network_error` like
    /// `Network`, but retried whatever the method, and no write of it acted.
    Unreached(String),
    /// The time given for the attempt ran out.
    Timeout,
    /// Not sent: the time given ran out while the client's own pacing held the request (its turn under
    /// `maxConcurrent` or `requestsPerSecond`, or a pacing `fetch`'s permit, or a pacing transport's
    /// own). A `timeout` like `Timeout`, but no write of it acted, and not counted in `requests`.
    Held,
    /// The caller's abort signal fired.
    Aborted,
    /// The answer was larger than the client's `maxResponseBytes`; reading it stopped there.
    TooLarge,
    /// An answer whose body was larger than the client's `maxResponseBytes`: its status and headers,
    /// its body left unread (empty). One that is not a 2xx is read by its status (a 401 is
    /// `unauthorized`, a 429 retried, a 3xx a redirect), but a raw call's, whose value would be the
    /// body; that one and a 2xx fail as [`TransportError::TooLarge`] does, with the status. Native
    /// targets only (the JS runtime reads such an answer so itself).
    #[cfg(not(target_arch = "wasm32"))]
    UnreadBody(HttpResponse),
    /// A refusal (a 4xx, 429 included, or a 503) whose body could not be read (cut short, or the time
    /// ran out): its status and headers, its body left unread (empty), and the failure. It is read by
    /// its status, as the server's word that it did not act, but a raw call's, whose value would be the
    /// body, fails as the failure does. Native targets only (the JS runtime reads such an answer so
    /// itself).
    #[cfg(not(target_arch = "wasm32"))]
    UnreadRefusal(HttpResponse, Box<TransportError>),
    /// Not sent: the rate limit's window (its remaining requests 0) resets only after the call's
    /// deadline, this many seconds from now.
    RateLimited(f64),
    /// Not sent: the request cannot be written (a URL or a header the HTTP stack refuses, such as a
    /// URL past 64 KB); the runtime's text. The call ends at once as `invalid_argument`, unretried, and
    /// no write of it acted. Native targets only (the wasm's `fetch` cannot tell it).
    #[cfg(not(target_arch = "wasm32"))]
    NotSent(String),
}

impl std::fmt::Debug for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(text) => f.debug_tuple("Network").field(text).finish(),
            Self::Unreached(text) => f.debug_tuple("Unreached").field(text).finish(),
            Self::Timeout => f.write_str("Timeout"),
            Self::Held => f.write_str("Held"),
            Self::Aborted => f.write_str("Aborted"),
            Self::TooLarge => f.write_str("TooLarge"),
            #[cfg(not(target_arch = "wasm32"))]
            Self::UnreadBody(response) => f
                .debug_struct("UnreadBody")
                .field("status", &response.status)
                .finish_non_exhaustive(),
            #[cfg(not(target_arch = "wasm32"))]
            Self::UnreadRefusal(response, error) => f
                .debug_struct("UnreadRefusal")
                .field("status", &response.status)
                .field("error", error)
                .finish_non_exhaustive(),
            Self::RateLimited(seconds) => f.debug_tuple("RateLimited").field(seconds).finish(),
            #[cfg(not(target_arch = "wasm32"))]
            Self::NotSent(text) => f.debug_tuple("NotSent").field(text).finish(),
        }
    }
}

/// Sends requests and waits. The wasm edge implements it with `fetch`, the native client with
/// reqwest, tests with a fake; implement it with `async fn`. On native targets its futures are `Send`.
///
/// An implementation never follows a redirect (it returns the 3xx, which the call refuses), stops
/// reading an answer larger than the client's cap ([`TransportError::TooLarge`]), and sends the
/// request as given: its URL is always on the base URL's host, and its headers hold the key.
pub trait Transport {
    /// Sends one request and reads the whole answer within `timeout_ms`.
    fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend;
    /// [`Self::send`], storing the answer's status in `status` as soon as it comes, before its body:
    /// the client reads a write aborted while a refusal's body comes as not acted on, as JS does. By
    /// default `send`, which stores none (such a write may have acted).
    fn send_telling_status(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
        status: &AtomicU16,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        let _ = status;
        self.send(request, timeout_ms)
    }
    /// Waits `ms` milliseconds. It need not watch for cancellation: the client races every sleep
    /// against the call's `AbortSignal` (and a dropped call drops it).
    fn sleep(&self, ms: f64) -> impl Future<Output = Result<(), TransportError>> + MaybeSend;
    /// Told before a retry's wait: which attempt comes next (2 for the first retry) and the status
    /// that failed the last one (`None`: no answer). For the runtime's hooks and logs; default: nothing.
    fn retrying(&self, _attempt: u32, _status: Option<u16>) {}
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// A random number in `[0, 1)`, for backoff jitter.
    fn random(&self) -> f64;
}
