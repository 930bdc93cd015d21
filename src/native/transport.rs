//! The client's transport as one object whatever its type ([`Shared`]), and the transport one call
//! runs over ([`CallTransport`]): the client's, plus this call's abort signal, the client's pause
//! after an answer that spent the rate limit, the key scrubbed from answers' headers, and tracing.

use super::abort::AbortSignal;
use super::permits::{Permit, Permits};
use crate::http::{refused_unheard, HttpResponse, Method, WireRequest};
use crate::rate_limit::RateLimit;
use crate::redact::scrub_owned;
use crate::retry::wait_budget;
use crate::transport::{Transport, TransportError};
use futures_util::future::{self, BoxFuture, Either};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A [`Transport`] behind a pointer: boxed futures, so that a `Client` is one type whatever the
/// transport it was built with.
pub trait DynTransport: Send + Sync {
    /// [`Transport::send_telling_status`].
    fn send<'a>(
        &'a self,
        request: &'a WireRequest,
        timeout_ms: f64,
        status: &'a AtomicU16,
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
        status: &'a AtomicU16,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(Transport::send_telling_status(
            self, request, timeout_ms, status,
        ))
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
    /// When, on the pacer's clock ([`Shared::now_ms`]), requests may go again (0: at once), as an
    /// `f64`'s bits (which order as the numbers do, for those from 0 up).
    paused_until_ms: AtomicU64,
    /// One per request in flight.
    permits: Permits,
    /// The ms between two requests' starts (`requests_per_second`; 0: no rate).
    spacing: f64,
    /// The line for a start, first come first served: the one at its head waits for its start, and
    /// one that gives up (aborted, or its future dropped) leaves the line, so that those behind it move
    /// up and calls that give up hold up no one.
    line: Permits,
    /// The earliest the next start may be, on the pacer's clock.
    next_start: Mutex<f64>,
    /// The transport's last reading of its clock, and how far that clock has been set back in all.
    clock: Mutex<(f64, f64)>,
}

impl Shared {
    /// The earliest the next start may be.
    fn next_start(&self) -> MutexGuard<'_, f64> {
        self.next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The pacer's clock: the transport's, moved on by however far it was set back, so that a wall
    /// clock set back (NTP) holds back no start and no pause.
    fn now_ms(&self) -> f64 {
        // Read under the lock: a reading older than the last (another thread's, taken later) would
        // look like a clock set back, and move this one on for good.
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        let wall = self.transport.now_ms();
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
            spacing: requests_per_second.map_or(0.0, |rate| 1000.0 / rate),
            line: Permits::new(1),
            next_start: Mutex::new(0.0),
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

    /// Waits out a pause the rate limit asked for, when the call's time allows it and the request after
    /// it ([`wait_budget`]); else says when the window resets, unsent.
    async fn paced(&self, timeout_ms: f64) -> Result<f64, TransportError> {
        let wait = self.paused_until() - self.shared.now_ms();
        if wait <= 0.0 {
            return Ok(timeout_ms);
        }
        if wait >= wait_budget(timeout_ms) {
            return Err(TransportError::RateLimited((wait / 1000.0).ceil()));
        }
        tracing::debug!(target: "getgist", wait_ms = wait, "waiting for the rate limit's window");
        self.abortable(self.shared.transport.sleep(wait)).await?;
        Ok(timeout_ms - wait)
    }

    /// Waits out any pause, then for a permit and a start ([`Self::admitted`]), and again while an answer
    /// meanwhile paused the client: the permit and the time left, else why the request is not sent.
    async fn admitted_unpaused(
        &self,
        mut timeout_ms: f64,
    ) -> Result<(Permit<'_>, f64), TransportError> {
        // The pause this call slept through: over, whatever a clock that stands still says.
        let mut slept_until = 0.0;
        loop {
            let paused_until = self.paused_until();
            if paused_until > slept_until {
                timeout_ms = self.paced(timeout_ms).await?;
                slept_until = paused_until;
            }
            let (permit, left) = self.admitted(timeout_ms).await?;
            let paused_until = self.paused_until();
            if paused_until <= slept_until || paused_until <= self.shared.now_ms() {
                return Ok((permit, left));
            }
            timeout_ms = left;
        }
    }

    /// Until when, on the pacer's clock, no request may go (0: none was paused).
    fn paused_until(&self) -> f64 {
        f64::from_bits(self.shared.paused_until_ms.load(Ordering::Relaxed))
    }

    /// Waits for a permit (a request in flight ending) and for the request's start under the client's
    /// rate, within `timeout_ms`: the permit and the time left, else `Held` (unsent).
    async fn admitted(&self, timeout_ms: f64) -> Result<(Permit<'_>, f64), TransportError> {
        let started = self.shared.now_ms();
        let permit = self
            .within(started, timeout_ms, self.shared.permits.acquire())
            .await?;
        if self.shared.spacing > 0.0 {
            let _head = self
                .within(started, timeout_ms, self.shared.line.acquire())
                .await?;
            let now = self.shared.now_ms();
            let start = self.shared.next_start().max(now);
            if start - started >= timeout_ms {
                return Err(TransportError::Held);
            }
            if start > now {
                self.abortable(self.shared.transport.sleep(start - now))
                    .await?;
            }
            *self.shared.next_start() = self.shared.now_ms() + self.shared.spacing;
        }
        let left = timeout_ms - (self.shared.now_ms() - started);
        match left > 0.0 {
            true => Ok((permit, left)),
            false => Err(TransportError::Held),
        }
    }

    /// Waits for `acquire` until `timeout_ms` from `started` pass (`Held`) or the call aborts.
    async fn within<'p>(
        &self,
        started: f64,
        timeout_ms: f64,
        acquire: impl Future<Output = Permit<'p>> + Send + Unpin,
    ) -> Result<Permit<'p>, TransportError> {
        let left = timeout_ms - (self.shared.now_ms() - started);
        let transport = &self.shared.transport;
        let waited = Box::pin(async move {
            match future::select(acquire, transport.sleep(left)).await {
                Either::Left((permit, _)) => Ok(permit),
                Either::Right(_) => Err(TransportError::Held),
            }
        });
        self.abortable(waited).await
    }

    /// The answer with the key taken out of its headers' names and values (a server may echo it).
    fn scrubbed(&self, mut response: HttpResponse) -> HttpResponse {
        for (name, value) in &mut response.headers {
            *name = scrub_owned(std::mem::take(name), &self.key);
            *value = scrub_owned(std::mem::take(value), &self.key);
        }
        response
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
                .fetch_max(until.max(0.0).to_bits(), Ordering::Relaxed);
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
        let (_permit, timeout_ms) =
            self.admitted_unpaused(timeout_ms)
                .await
                .inspect_err(|error| {
                    self.held.fetch_add(1, Ordering::Relaxed);
                    unanswered(request, error, self.shared.transport.now_ms() - held);
                })?;
        let started = self.shared.transport.now_ms();
        let status = AtomicU16::new(0);
        let outcome = self
            .abortable(self.shared.transport.send(request, timeout_ms, &status))
            .await;
        let elapsed_ms = self.shared.transport.now_ms() - started;
        // Held by the transport's own pacing, never sent: not a request the call made, as the client's
        // own pacing holding it is not.
        if matches!(
            outcome,
            Err(TransportError::Held | TransportError::RateLimited(_))
        ) {
            self.held.fetch_add(1, Ordering::Relaxed);
        }
        // A write may have acted unless Gist refused it unheard (its status read, or told before an
        // abort cut its body short, as a timeout there gives it), or it was never sent (not written,
        // held, or its connection never made).
        let unheard = match &outcome {
            Ok(response)
            | Err(TransportError::UnreadBody(response))
            | Err(TransportError::UnreadRefusal(response, _)) => refused_unheard(response.status),
            Err(TransportError::Aborted) => refused_unheard(status.load(Ordering::Relaxed)),
            Err(error) => matches!(
                error,
                TransportError::NotSent(_)
                    | TransportError::Unreached(_)
                    | TransportError::Held
                    | TransportError::RateLimited(_)
            ),
        };
        if request.method != Method::Get && !unheard {
            self.may_have_acted.store(true, Ordering::Relaxed);
        }
        match &outcome {
            // An answer whose body was left unread (past the cap, or cut) is an answer all the same.
            Ok(response)
            | Err(TransportError::UnreadBody(response))
            | Err(TransportError::UnreadRefusal(response, _)) => {
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
        match outcome {
            Ok(response) => Ok(self.scrubbed(response)),
            Err(TransportError::UnreadBody(response)) => {
                Err(TransportError::UnreadBody(self.scrubbed(response)))
            }
            Err(TransportError::UnreadRefusal(response, error)) => Err(
                TransportError::UnreadRefusal(self.scrubbed(response), error),
            ),
            Err(error) => Err(error),
        }
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
        TransportError::Held => "held",
        TransportError::Aborted => "aborted",
        TransportError::TooLarge | TransportError::UnreadBody(_) => "too_large",
        TransportError::UnreadRefusal(_, error) => error_kind(error),
        TransportError::RateLimited(_) => "rate_limited",
        TransportError::NotSent(_) => "not_sent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Answers at once, or after `answer_ms` with `headers`; sleeps and reads its clock for real, unless
    /// its clock `stands` still (a test double's: then a sleep ends at once).
    struct Answering {
        since: Instant,
        answer_ms: u64,
        headers: Vec<(String, String)>,
        stands: bool,
    }

    impl Answering {
        fn at_once(since: Instant) -> Self {
            Self {
                since,
                answer_ms: 0,
                headers: Vec::new(),
                stands: false,
            }
        }

        /// Answers at once that no request remains until `reset` seconds from now.
        fn pausing(since: Instant, reset: &str) -> Self {
            Self {
                headers: vec![
                    ("x-ratelimit-remaining".into(), "0".into()),
                    ("x-ratelimit-reset".into(), reset.into()),
                ],
                ..Self::at_once(since)
            }
        }
    }

    impl Transport for Answering {
        async fn send(&self, _: &WireRequest, _: f64) -> Result<HttpResponse, TransportError> {
            tokio::time::sleep(Duration::from_millis(self.answer_ms)).await;
            Ok(HttpResponse {
                status: 200,
                headers: self.headers.clone(),
                body: "{}".into(),
            })
        }

        async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
            if !self.stands {
                tokio::time::sleep(Duration::from_secs_f64(ms.max(0.0) / 1000.0)).await;
            }
            Ok(())
        }

        fn now_ms(&self) -> f64 {
            match self.stands {
                true => 1000.6, // a fraction of a ms, as a wall clock has
                false => self.since.elapsed().as_secs_f64() * 1000.0,
            }
        }

        fn random(&self) -> f64 {
            0.5
        }
    }

    /// Sends one request over `shared` with `abort`, within `timeout_ms`.
    async fn send(
        shared: &Shared,
        abort: Option<&AbortSignal>,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        let call = CallTransport {
            shared,
            abort,
            key: [""; 5],
            may_have_acted: AtomicBool::new(false),
            held: AtomicU32::new(0),
        };
        let request = WireRequest {
            method: Method::Get,
            url: "http://gist.invalid/tags".into(),
            path: "/tags".into(),
            headers: Vec::new(),
            body: None,
        };
        Transport::send(&call, &request, timeout_ms).await
    }

    /// Sends one request over `shared` with `abort`; the ms from `since` when it was answered, if it was.
    async fn sent(shared: &Shared, abort: Option<&AbortSignal>, since: Instant) -> Option<f64> {
        let answered = send(shared, abort, 10_000.0).await.ok();
        answered.map(|_| since.elapsed().as_secs_f64() * 1000.0)
    }

    #[tokio::test]
    async fn calls_that_give_up_their_start_move_those_behind_them_up() {
        // 20 a second: 40 calls in line give up, and the three behind them go at the rate, not after
        // the 2 s the 40 starts would have taken.
        let since = Instant::now();
        let shared = Shared::new(Box::new(Answering::at_once(since)), 100, Some(20.0));
        let abort = AbortSignal::new();
        let given_up = (0..40).map(|_| sent(&shared, Some(&abort), since));
        let left = (0..3).map(|_| sent(&shared, None, since));
        let aborting = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            abort.abort();
        };
        let first = sent(&shared, None, since).await;
        let (given_up, left, ()) =
            tokio::join!(future::join_all(given_up), future::join_all(left), aborting);
        assert!(first.is_some());
        assert!(given_up.iter().all(Option::is_none), "{given_up:?}");
        let ended = left.iter().map(|at| at.unwrap_or(f64::INFINITY));
        let last = ended.fold(0.0, f64::max);
        assert!(last < 1000.0, "the three calls left ended after {last} ms");
    }

    #[tokio::test]
    async fn a_call_waiting_for_a_permit_sees_a_pause_set_meanwhile() {
        // One request at a time: the first's answer says none remain for a second; the call waiting
        // behind it is not sent before then.
        let since = Instant::now();
        let pausing = Answering {
            answer_ms: 20,
            ..Answering::pausing(since, "1")
        };
        let shared = Shared::new(Box::new(pausing), 1, None);
        let (first, second) = tokio::join!(sent(&shared, None, since), sent(&shared, None, since));
        assert!(first.is_some() && second.is_some());
        let second = second.unwrap_or(0.0);
        assert!(
            second >= 1000.0,
            "the second was answered {second} ms after the start"
        );
    }

    #[tokio::test]
    async fn a_call_held_back_by_a_spent_window_says_its_seconds_as_js_does() {
        // Before: the pause was kept in whole ms rounded up, so 3 s from 1000.6 ms came out as 4.
        let since = Instant::now();
        let pausing = Answering {
            stands: true,
            ..Answering::pausing(since, "3")
        };
        let shared = Shared::new(Box::new(pausing), 1, None);
        assert!(sent(&shared, None, since).await.is_some());
        let held = send(&shared, None, 2_000.0).await;
        assert!(
            matches!(held, Err(TransportError::RateLimited(seconds)) if seconds == 3.0),
            "{held:?}"
        );
    }

    #[tokio::test]
    async fn a_pause_under_a_clock_that_stands_still_is_waited_out_once() {
        // Before: each look at the pause found it still ahead, until the call's time was spent.
        let since = Instant::now();
        let pausing = Answering {
            stands: true,
            ..Answering::pausing(since, "1")
        };
        let shared = Shared::new(Box::new(pausing), 1, None);
        assert!(sent(&shared, None, since).await.is_some());
        assert!(
            sent(&shared, None, since).await.is_some(),
            "sent after the pause"
        );
    }
}
