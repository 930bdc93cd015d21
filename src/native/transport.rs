//! The client's transport as one object whatever its type ([`Shared`]), and the transport one call
//! runs over ([`CallTransport`]): the client's, plus this call's abort signal, the client's pause
//! after an answer that spent the rate limit, the key scrubbed from answers' headers, and tracing.

use super::abort::AbortSignal;
use super::permits::{Permit, Permits};
use super::schedule::Schedule;
use crate::http::{refused_unheard, HttpResponse, Method, WireRequest};
use crate::rate_limit::RateLimit;
use crate::redact::scrub_owned;
use crate::transport::{Transport, TransportError};
use futures_util::future::{self, BoxFuture, Either};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A [`Transport`] behind a pointer: boxed futures, so that a `Client` is one type whatever the
/// transport it was built with.
pub trait DynTransport: Send + Sync {
    /// [`Transport::send`].
    fn send<'a>(
        &'a self,
        request: &'a WireRequest,
        timeout_ms: f64,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>>;
    /// [`Transport::sleep`].
    fn sleep(&self, ms: f64) -> BoxFuture<'_, Result<(), TransportError>>;
    /// [`Transport::retrying`].
    fn retrying(&self, attempt: u32, status: Option<u16>);
    /// [`Transport::now_ms`].
    fn now_ms(&self) -> f64;
    /// [`Transport::random`].
    fn random(&self) -> f64;
}

impl<T: Transport + Send + Sync> DynTransport for T {
    fn send<'a>(
        &'a self,
        request: &'a WireRequest,
        timeout_ms: f64,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(Transport::send(self, request, timeout_ms))
    }

    fn sleep(&self, ms: f64) -> BoxFuture<'_, Result<(), TransportError>> {
        Box::pin(Transport::sleep(self, ms))
    }

    fn retrying(&self, attempt: u32, status: Option<u16>) {
        Transport::retrying(self, attempt, status);
    }

    fn now_ms(&self) -> f64 {
        Transport::now_ms(self)
    }

    fn random(&self) -> f64 {
        Transport::random(self)
    }
}

/// What every call of one client shares: its transport, its pacing (JS's `maxConcurrent` and
/// `requestsPerSecond`), and until when requests wait because an answer said the rate limit's window
/// is spent (`remaining: 0`).
pub struct Shared {
    /// The client's transport.
    pub transport: Box<dyn DynTransport>,
    /// When, on the pacer's clock ([`Shared::now_ms`]), requests may go again (0: at once).
    paused_until_ms: AtomicU64,
    /// One per request in flight.
    permits: Permits,
    /// Whether requests' starts are spaced (`requests_per_second`).
    spaced: bool,
    /// The starts booked, on the pacer's clock.
    starts: Mutex<Schedule>,
    /// The transport's last reading of its clock, and how far that clock has been set back in all.
    clock: Mutex<(f64, f64)>,
}

/// A start booked ahead for a request, until it comes. If the call gives up first (aborted, or its
/// future dropped), the start is handed back ([`Schedule::unbook`]): calls that give up hold up no
/// one after them, and the starts in any window stay within the rate.
struct Booked<'a> {
    shared: &'a Shared,
    start: f64,
    used: bool,
}

impl Booked<'_> {
    /// The start came and the request goes.
    fn used(mut self) {
        self.used = true;
    }
}

impl Drop for Booked<'_> {
    fn drop(&mut self) {
        if !self.used {
            let now = self.shared.now_ms();
            self.shared.starts().unbook(self.start, now);
        }
    }
}

impl Shared {
    /// The starts booked.
    fn starts(&self) -> MutexGuard<'_, Schedule> {
        self.starts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The pacer's clock: the transport's, moved on by however far it was set back, so that a wall
    /// clock set back (NTP) holds back no booked start and no pause.
    fn now_ms(&self) -> f64 {
        let wall = self.transport.now_ms();
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        let (last, set_back) = &mut *clock;
        *set_back += (*last - wall).max(0.0);
        *last = wall;
        wall + *set_back
    }

    /// Shares `transport`, with at most `max_concurrent` requests in flight, started at most
    /// `requests_per_second` a second (`None`: no limit).
    pub fn new(
        transport: Box<dyn DynTransport>,
        max_concurrent: usize,
        requests_per_second: Option<f64>,
    ) -> Self {
        Self {
            transport,
            paused_until_ms: AtomicU64::new(0),
            permits: Permits::new(max_concurrent),
            spaced: requests_per_second.is_some(),
            starts: Mutex::new(Schedule::new(
                requests_per_second.map_or(0.0, |rate| 1000.0 / rate),
            )),
            clock: Mutex::new((0.0, 0.0)),
        }
    }
}

/// The transport of one call: the client's, with the call's abort signal and the key to keep out of
/// what it reads.
pub struct CallTransport<'a> {
    /// The client's shared state.
    pub shared: &'a Shared,
    /// The call's abort signal.
    pub abort: Option<&'a AbortSignal>,
    /// The API key's forms ([`crate::config::ApiKey::forms`]), scrubbed from answers' headers (a
    /// server may echo it).
    pub key: [&'a str; 5],
    /// Whether a request that writes went and was not refused ([`crate::Error::may_have_acted`]).
    pub may_have_acted: AtomicBool,
    /// Requests the pacer refused: the core counted them, none was sent.
    pub held: AtomicU32,
}

impl CallTransport<'_> {
    /// Runs `work` until it ends or the call's signal fires (then `Aborted`); not at all when the
    /// signal has fired already.
    async fn abortable<T>(
        &self,
        work: BoxFuture<'_, Result<T, TransportError>>,
    ) -> Result<T, TransportError> {
        let Some(abort) = self.abort else {
            return work.await;
        };
        if abort.is_aborted() {
            return Err(TransportError::Aborted);
        }
        match future::select(work, abort.aborted()).await {
            Either::Left((outcome, _)) => outcome,
            Either::Right(((), _)) => Err(TransportError::Aborted),
        }
    }

    /// Waits out a pause the rate limit asked for, when the call's time allows; else says when the
    /// window resets, unsent.
    async fn paced(&self, timeout_ms: f64) -> Result<f64, TransportError> {
        let paused_until = self.shared.paused_until_ms.load(Ordering::Relaxed) as f64;
        let wait = paused_until - self.shared.now_ms();
        if wait <= 0.0 {
            return Ok(timeout_ms);
        }
        if wait >= timeout_ms {
            return Err(TransportError::RateLimited((wait / 1000.0).ceil()));
        }
        tracing::debug!(target: "getgist", wait_ms = wait, "waiting for the rate limit's window");
        self.abortable(self.shared.transport.sleep(wait)).await?;
        Ok(timeout_ms - wait)
    }

    /// Waits for a permit (a request in flight ending) and for the request's slot under the client's
    /// rate, within `timeout_ms`: the permit and the time left, else `Timeout` unsent.
    async fn admitted(&self, timeout_ms: f64) -> Result<(Permit<'_>, f64), TransportError> {
        let transport = &self.shared.transport;
        let started = self.shared.now_ms();
        let acquire = Box::pin(async { Ok(self.shared.permits.acquire().await) });
        let waited = Box::pin(async move {
            match future::select(acquire, transport.sleep(timeout_ms)).await {
                Either::Left((permit, _)) => permit,
                Either::Right(_) => Err(TransportError::Timeout),
            }
        });
        let permit = self.abortable(waited).await?;
        if self.shared.spaced {
            let now = self.shared.now_ms();
            let booked = Booked {
                shared: self.shared,
                start: self.shared.starts().book(now),
                used: false,
            };
            if booked.start - started >= timeout_ms {
                return Err(TransportError::Timeout);
            }
            if booked.start > now {
                self.abortable(transport.sleep(booked.start - now)).await?;
            }
            booked.used();
        }
        let left = timeout_ms - (self.shared.now_ms() - started);
        match left > 0.0 {
            true => Ok((permit, left)),
            false => Err(TransportError::Timeout),
        }
    }

    /// Notes a pause when the answer says the window is spent.
    fn note_rate_limit(&self, response: &HttpResponse) {
        let now = self.shared.transport.now_ms();
        let reset = RateLimit::from_headers(&response.headers, now)
            .filter(|limit| limit.remaining == Some(0))
            .and_then(|limit| limit.reset_at_ms);
        if let Some(reset) = reset.filter(|reset| *reset > now) {
            let until = self.shared.now_ms() + (reset - now);
            self.shared
                .paused_until_ms
                .fetch_max(until.round() as u64, Ordering::Relaxed);
        }
    }
}

impl Transport for CallTransport<'_> {
    async fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        let held = self.shared.transport.now_ms();
        let admitted = match self.paced(timeout_ms).await {
            Ok(timeout_ms) => self.admitted(timeout_ms).await,
            Err(error) => Err(error),
        };
        let (_permit, timeout_ms) = admitted.inspect_err(|error| {
            self.held.fetch_add(1, Ordering::Relaxed);
            unanswered(request, error, self.shared.transport.now_ms() - held);
        })?;
        let started = self.shared.transport.now_ms();
        let outcome = self
            .abortable(self.shared.transport.send(request, timeout_ms))
            .await;
        let elapsed_ms = self.shared.transport.now_ms() - started;
        // A write may have acted unless Gist refused it unheard, or it was never sent (not written, or
        // its connection never made).
        let unheard = match &outcome {
            Ok(response) => refused_unheard(response.status),
            Err(error) => matches!(
                error,
                TransportError::NotSent(_) | TransportError::Unreached(_)
            ),
        };
        if request.method != Method::Get && !unheard {
            self.may_have_acted.store(true, Ordering::Relaxed);
        }
        match &outcome {
            Ok(response) => {
                tracing::debug!(target: "getgist",
                    http_method = request.method.as_str(),
                    path = request.path.as_str(),
                    status = response.status,
                    elapsed_ms,
                    "answered"
                );
                self.note_rate_limit(response);
            }
            Err(error) => unanswered(request, error, elapsed_ms),
        }
        outcome.map(|mut response| {
            for (name, value) in &mut response.headers {
                *name = scrub_owned(std::mem::take(name), &self.key);
                *value = scrub_owned(std::mem::take(value), &self.key);
            }
            response
        })
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
        self.abortable(self.shared.transport.sleep(ms)).await
    }

    fn retrying(&self, attempt: u32, status: Option<u16>) {
        tracing::debug!(target: "getgist", attempt, status, "retrying");
        self.shared.transport.retrying(attempt, status);
    }

    fn now_ms(&self) -> f64 {
        self.shared.transport.now_ms()
    }

    fn random(&self) -> f64 {
        self.shared.transport.random()
    }
}

/// The event of a request that got no answer: not sent (the pacer held it past its deadline, or the
/// rate limit's window), or sent and failed.
fn unanswered(request: &WireRequest, error: &TransportError, elapsed_ms: f64) {
    tracing::debug!(target: "getgist",
        http_method = request.method.as_str(),
        path = request.path.as_str(),
        error = ?error_kind(error),
        elapsed_ms,
        "no answer"
    );
}

/// What kind of failure, for a log line: never the runtime's text, which may hold a URL.
fn error_kind(error: &TransportError) -> &'static str {
    match error {
        TransportError::Network(_) => "network",
        TransportError::Unreached(_) => "unreached",
        TransportError::Timeout => "timeout",
        TransportError::Aborted => "aborted",
        TransportError::TooLarge => "too_large",
        TransportError::RateLimited(_) => "rate_limited",
        TransportError::NotSent(_) => "not_sent",
    }
}
