//! [`Call`]: one call of the API as a sans-IO state machine. It is started from an endpoint's name and
//! arguments; each [`Call::step`] is given what happened (the answer to its request, the end of its
//! wait) with the time and a random number, and says what to do next: send a request, wait, or stop
//! with the call's value or error. It never does I/O, reads a clock or draws a random number itself,
//! so the JS runtime, a Rust driver (`drive`) and host tests all run the very same steps.

mod drive;
mod exchange;
mod options;
mod page;
mod progress;

pub use drive::drive;
pub use options::CallOptions;
pub use progress::{answer_headers, request_id};

use crate::config::Config;
use crate::endpoints;
use crate::error::Error;
use crate::flows::{Flow, Listing, Next, PageDigest};
use crate::http::{HttpResponse, WireRequest};
use crate::json::Value;
use crate::transport::TransportError;
use exchange::Exchange;
use progress::Progress;
use std::sync::Arc;

/// The time and a random number, handed in with each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    /// Milliseconds since the Unix epoch.
    pub now_ms: f64,
    /// A number in `[0, 1)`, for backoff jitter.
    pub random: f64,
}

/// What happened since the last step.
#[derive(Debug)]
pub enum Input {
    /// Nothing yet: the call starts (its deadline runs from now).
    Start,
    /// The outcome of the `Send` step.
    Answer(Result<HttpResponse, TransportError>),
    /// The end of the `Wait` step: `Err(Aborted)` when the caller's signal cut it short, another
    /// error when the transport could not wait.
    Woke(Result<(), TransportError>),
}

/// What the call needs next.
#[derive(Debug)]
pub enum Step<'a> {
    /// Send this request within this many milliseconds, reading at most this many bytes of its
    /// answer (what the call has left of `maxResponseBytes`; a Rust transport reads up to its own cap).
    Send(&'a WireRequest, f64, u32),
    /// Wait this many milliseconds; before a retry, which attempt comes next (2 for the first
    /// retry) and the status that failed (`None`: no answer).
    Wait(f64, Option<(u32, Option<u16>)>),
    /// The call is over: its value (what its last answer said is [`Call::response`]).
    Done(Value),
    /// The call failed.
    Failed(Error),
}

/// One call: its endpoint's flow, the request being sent, and where it stands.
#[derive(Debug)]
pub struct Call {
    config: Arc<Config>,
    flow: Flow,
    progress: Option<Progress>,
    options: Option<CallOptions>,
    exchange: Option<Exchange>,
}

/// What a call part says next, internally.
enum Then {
    Send(f64),
    Wait(f64, u32, Option<u16>),
    Over(Result<Value, Error>),
}

impl Call {
    /// A call of the endpoint `name` with its arguments (the per-call options apart), checked now.
    ///
    /// # Errors
    /// `invalid_argument` for an unknown endpoint or a bad argument.
    pub fn new(
        config: Arc<Config>,
        name: &str,
        args: Vec<Value>,
        options: CallOptions,
    ) -> Result<Self, Error> {
        Ok(Self::of(config, endpoints::start(name, args)?, options))
    }

    /// A call running `flow`.
    pub fn of(config: Arc<Config>, flow: Flow, options: CallOptions) -> Self {
        Self {
            config,
            flow,
            progress: None,
            options: Some(options),
            exchange: None,
        }
    }

    /// The next answer's body is its host's, which read it itself (`bytes` of it, counted against
    /// `maxResponseBytes`) and holds it: a list page, of which `digest` is what the paging loop reads,
    /// or a raw call's answer (no digest), which the host makes the value's body.
    pub fn read_elsewhere(&mut self, bytes: u64, digest: Option<PageDigest>) {
        if let Some(progress) = self.progress.as_mut() {
            progress.read_elsewhere(bytes);
        }
        if let (Some(digest), Flow::Pages(pages)) = (digest, &mut self.flow) {
            pages.read_elsewhere(digest);
        }
    }

    /// The list whose pages this call reads, for a host that reads them itself.
    pub fn listing(&self) -> Option<&'static Listing> {
        match &self.flow {
            Flow::Pages(pages) => Some(pages.listing()),
            _ => None,
        }
    }

    /// Whether the call is a raw API call, whose value holds its answer's every header (a call of
    /// another kind reads only those [`answer_headers`] names) and its body as it came.
    pub fn is_raw(&self) -> bool {
        self.flow.takes_any_status()
    }

    /// The most bytes the next answer may hold (see [`Progress::answer_budget`]).
    pub fn answer_budget(&self) -> u32 {
        self.progress
            .as_ref()
            .map_or(self.config.answer_bytes(), |progress| {
                progress.answer_budget(&self.config)
            })
    }

    /// Items of a `list*` call's pages read so far, to be handed out before its value (which holds
    /// only the last page's): the caller's list is these, in order, then the value's. An array, or
    /// the range of a page the host read and holds ([`crate::flows::held`]).
    pub fn take_items(&mut self) -> Option<Value> {
        match &mut self.flow {
            Flow::Pages(pages) => pages.take_items(),
            _ => None,
        }
    }

    /// Where a walk's page call starts, as a resume token (`None` for any other call).
    pub fn resume(&self) -> Option<String> {
        match &self.flow {
            Flow::Pages(pages) => pages.resume(),
            _ => None,
        }
    }

    /// What the call's last answer said, at `now_ms` (the time its last step was given), as JSON
    /// appended to `out`: `{ status, requestId, attempts, requests, rateLimit }`, or `null` when
    /// nothing was answered.
    pub fn push_response(&self, out: &mut String, now_ms: f64) {
        match &self.progress {
            Some(progress) => progress.push_response(out, now_ms),
            None => out.push_str("null"),
        }
    }

    /// [`Call::push_response`]'s value.
    pub fn response(&self, now_ms: f64) -> Value {
        let mut text = String::new();
        self.push_response(&mut text, now_ms);
        crate::json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Goes on after `input`, at `clock`'s time.
    pub fn step(&mut self, input: Input, clock: Clock) -> Step<'_> {
        if let Some(progress) = self.progress.as_mut() {
            progress.now(clock.now_ms);
        }
        let then = match input {
            Input::Start => self.start(clock),
            Input::Answer(outcome) => self.answered(outcome, clock),
            Input::Woke(waited) => self.woke(waited, clock),
        };
        if let Some(progress) = self.progress.as_mut() {
            progress.step_ms = match then {
                Then::Send(ms) | Then::Wait(ms, ..) => ms,
                Then::Over(_) => 0.0,
            };
        }
        match then {
            Then::Send(timeout_ms) => match &self.exchange {
                Some(exchange) => Step::Send(&exchange.wire, timeout_ms, self.answer_budget()),
                None => Step::Failed(stalled()),
            },
            Then::Wait(ms, attempt, status) => Step::Wait(ms, Some((attempt, status))),
            Then::Over(outcome) => {
                self.exchange = None;
                match outcome {
                    Ok(value) => Step::Done(value),
                    Err(error) => Step::Failed(error),
                }
            }
        }
    }

    fn start(&mut self, clock: Clock) -> Then {
        let Some(options) = self.options.take() else {
            return Then::Over(Err(stalled()));
        };
        let mut progress = Progress::new(&self.config, options, clock.now_ms);
        progress.reads_any_status = self.is_raw();
        self.progress = Some(progress);
        let next = self.flow.start(&self.config);
        self.then(Ok(next), clock)
    }

    fn answered(&mut self, outcome: Result<HttpResponse, TransportError>, clock: Clock) -> Then {
        // A refusal past what the call has left to read is read by its status, and not retried (its
        // answer could not be read: a write so retried would be sent again, as in JS); so is one whose
        // body was cut or ran out of time, which may be retried. A raw call's value would be the body.
        #[cfg(not(target_arch = "wasm32"))]
        let (outcome, unread) = match outcome {
            Err(TransportError::UnreadBody(response))
                if !self.is_raw() && !response.is_success() =>
            {
                (Ok(response), true)
            }
            Err(TransportError::UnreadRefusal(response, error)) => match self.is_raw() {
                false => (Ok(response), false),
                true => (Err(*error), false),
            },
            outcome => (outcome, false),
        };
        #[cfg(target_arch = "wasm32")]
        let unread = false;
        let (Some(exchange), Some(progress)) = (self.exchange.as_mut(), self.progress.as_mut())
        else {
            return Then::Over(Err(stalled()));
        };
        progress.capped |= unread;
        match exchange.answered(outcome, &self.config, progress, clock) {
            Ok(exchange::Next::Answered(response)) => self.read(response, clock),
            next => self.exchanged(next, clock),
        }
    }

    fn woke(&mut self, waited: Result<(), TransportError>, clock: Clock) -> Then {
        let (Some(exchange), Some(progress)) = (self.exchange.as_mut(), self.progress.as_mut())
        else {
            return Then::Over(Err(stalled()));
        };
        let next = exchange.woke(waited, &self.config, progress, clock.now_ms);
        self.exchanged(next, clock)
    }

    /// Hands the exchange's last answer to the flow: a non-2xx one as its error, unless the flow
    /// reads any HTTP status (one below 200 or past 599 is no final one).
    fn read(&mut self, response: HttpResponse, clock: Clock) -> Then {
        let (Some(exchange), Some(progress)) = (self.exchange.take(), self.progress.as_ref())
        else {
            return Then::Over(Err(stalled()));
        };
        let status = response.status;
        let request_id = request_id(&response.headers);
        let answer = match response.is_success()
            || (self.flow.takes_any_status() && (200..600).contains(&response.status))
        {
            true => Ok(response),
            false => {
                Err(exchange.failed(&self.config, progress.status_error(&response, clock.now_ms)))
            }
        };
        // An error the flow finds in an answer (a body it cannot read, a lead where a user was asked
        // for) says which answer: its status and request id.
        let next = self
            .flow
            .answered(&self.config, answer)
            .map_err(|mut error| match error.path {
                Some(_) => error,
                None => {
                    error.note_answer(status, request_id);
                    exchange.failed(&self.config, error)
                }
            });
        self.then(next, clock)
    }

    /// Goes on as the exchange says; a request that failed ends the call, unless its flow goes on
    /// past one (a `tagContacts` batch that got no answer is in its `failed`; an abort ends it).
    fn exchanged(&mut self, next: Result<exchange::Next, Error>, clock: Clock) -> Then {
        match next {
            Ok(exchange::Next::Send(timeout_ms)) => Then::Send(timeout_ms),
            Ok(exchange::Next::Wait(ms, attempt, status)) => Then::Wait(ms, attempt, status),
            Ok(exchange::Next::Answered(_)) => Then::Over(Err(stalled())),
            Err(error) if self.flow.goes_on_past(&error) => {
                self.exchange = None;
                let next = self.flow.answered(&self.config, Err(error));
                self.then(next, clock)
            }
            Err(error) => Then::Over(Err(error)),
        }
    }

    /// Starts the flow's next request, or ends the call. A request that cannot start (no time left)
    /// ends the call, unless its flow goes on past it.
    fn then(&mut self, mut next: Result<Next, Error>, clock: Clock) -> Then {
        loop {
            let Some(progress) = self.progress.as_mut() else {
                return Then::Over(Err(stalled()));
            };
            let request = match next {
                Ok(Next::Send(request)) => request,
                Ok(Next::Done(value)) => return Then::Over(Ok(value)),
                Err(error) => return Then::Over(Err(error)),
            };
            match Exchange::start(request, &self.config, progress, clock.now_ms) {
                Ok((exchange, first)) => {
                    self.exchange = Some(exchange);
                    return self.exchanged(Ok(first), clock);
                }
                Err(error) if self.flow.goes_on_past(&error) => {
                    next = self.flow.answered(&self.config, Err(error));
                }
                Err(error) => return Then::Over(Err(error)),
            }
        }
    }
}

/// A step given to a call that was not waiting for it.
fn stalled() -> Error {
    Error::invalid_response("the call was stepped out of order")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::json;

    const CLOCK: Clock = Clock {
        now_ms: 1_000_000.0,
        random: 0.5,
    };

    fn fetch_campaign() -> Call {
        let config = Config::new("key", "https://api.example.test").expect("valid");
        Call::new(
            Arc::new(config),
            "fetchCampaign",
            vec![json!(7)],
            CallOptions::default(),
        )
        .expect("valid arguments")
    }

    fn answer(body: &str) -> Input {
        Input::Answer(Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }))
    }

    fn out_of_order(step: Step<'_>) -> bool {
        matches!(step, Step::Failed(error) if error.code == ErrorCode::InvalidResponse)
    }

    #[test]
    fn a_call_steps_send_then_done_with_the_time_it_is_given() {
        let mut call = fetch_campaign();
        match call.step(Input::Start, CLOCK) {
            Step::Send(request, timeout_ms, _) => {
                assert!(request.url.ends_with("/campaigns/7"));
                assert_eq!(timeout_ms, 30_000.0);
            }
            other => panic!("expected a send, got {other:?}"),
        }
        let done = call.step(answer(r#"{"campaign": {"id": 7}}"#), CLOCK);
        assert!(matches!(done, Step::Done(_)), "{done:?}");
        assert!(call.response(CLOCK.now_ms).is_object());
    }

    #[test]
    fn the_response_says_the_last_answer_as_json() {
        let headers = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect::<Vec<_>>()
        };
        for (headers, request_id, rate_limited) in [
            (Vec::new(), Value::Null, false),
            (
                headers(&[("x-request-id", "r\"1\\"), ("x-ratelimit-remaining", "0")]),
                "r\"1\\".into(),
                true,
            ),
            (
                headers(&[("ratelimit-limit", "10"), ("ratelimit-reset", "30")]),
                Value::Null,
                true,
            ),
        ] {
            let mut call = fetch_campaign();
            assert!(
                call.response(CLOCK.now_ms).is_null(),
                "nothing answered yet"
            );
            assert!(matches!(call.step(Input::Start, CLOCK), Step::Send(..)));
            let answer = Input::Answer(Ok(HttpResponse {
                status: 200,
                headers,
                body: r#"{"campaign": {"id": 7}}"#.into(),
            }));
            assert!(matches!(call.step(answer, CLOCK), Step::Done(_)));
            let response = call.response(CLOCK.now_ms);
            let field = |name| response.get(name).cloned().unwrap_or(Value::Null);
            assert_eq!(field("status").as_u64(), Some(200));
            assert_eq!(field("requestId"), request_id);
            assert_eq!(
                (field("attempts").as_u64(), field("requests").as_u64()),
                (Some(1), Some(1))
            );
            assert_eq!(field("rateLimit").is_object(), rate_limited, "{response:?}");
        }
    }

    #[test]
    fn a_step_out_of_order_fails_and_never_sends() {
        let mut call = fetch_campaign();
        assert!(
            out_of_order(call.step(answer("{}"), CLOCK)),
            "an answer before the start"
        );
        let mut call = fetch_campaign();
        assert!(matches!(call.step(Input::Start, CLOCK), Step::Send(..)));
        assert!(matches!(
            call.step(answer(r#"{"campaign": {"id": 7}}"#), CLOCK),
            Step::Done(..)
        ));
        for input in [Input::Start, answer("{}"), Input::Woke(Ok(()))] {
            assert!(
                out_of_order(call.step(input, CLOCK)),
                "a step after the end"
            );
        }
    }
}
