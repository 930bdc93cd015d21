//! [`Client`] and its [`ClientBuilder`].

use super::pending::{Decode, RequestOptions};
use super::transport::{CallTransport, DynTransport, Shared};
use super::wording;
use crate::call::{drive, Call};
use crate::config::{ClientOptions, Config, MAX_TIMEOUT_MS};
use crate::error::Error;
use crate::flows::Flow;
use crate::json::Value;
use crate::transport::Transport;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// A Gist API client: every method of the JS `GistClient`, in Rust's idiom.
///
/// Cheap to clone (an `Arc` inside): clones share the transport, the retry budget and the rate
/// limit's pause. `Send + Sync`, so one client serves a whole multi-threaded runtime. Its `Debug`
/// never shows the key.
///
/// ```
/// # use getgist::{HttpResponse, Transport, TransportError, WireRequest};
/// # struct Mock;
/// # impl Transport for Mock {
/// #     async fn send(&self, _: &WireRequest, _: f64) -> Result<HttpResponse, TransportError> {
/// #         let body = r#"{"contact": {"id": 1, "user_id": "42", "email": "ada@example.com"}}"#;
/// #         Ok(HttpResponse { status: 200, headers: Vec::new(), body: body.into() })
/// #     }
/// #     async fn sleep(&self, _: f64) -> Result<(), TransportError> { Ok(()) }
/// #     fn now_ms(&self) -> f64 { 0.0 }
/// #     fn random(&self) -> f64 { 0.5 }
/// # }
/// use getgist::{Client, ContactInput, ContactRef};
/// use std::time::Duration;
///
/// # pollster::block_on(async {
/// let client = Client::builder("your-api-key")
///     .timeout(Duration::from_secs(10))
/// #   .transport(Mock)
///     .build()?;
/// let ada = client
///     .create_user(ContactInput::user(42).email("ada@example.com").name("Ada"))
///     .await?;
/// let (again, response) = client
///     .fetch_user(ContactRef::user_id(42))
///     .timeout(Duration::from_secs(2))
///     .with_response()
///     .await?;
/// assert_eq!((ada.id, response.status), (again.id, 200));
/// # Ok::<(), getgist::Error>(())
/// # })?;
/// # Ok::<(), getgist::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<Config>,
    shared: Shared,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of Gist's own API with every default (see [`ClientBuilder`]).
    ///
    /// # Errors
    /// `invalid_argument` for a blank key, or one with spaces (pass the key alone, without "Bearer ").
    pub fn new(api_key: &str) -> Result<Self, Error> {
        Self::builder(api_key).build()
    }

    /// A builder, to set the base URL, timeout, retries and transport.
    pub fn builder(api_key: &str) -> ClientBuilder {
        ClientBuilder {
            options: ClientOptions {
                api_key: Some(api_key.to_owned()),
                ..ClientOptions::default()
            },
            transport: None,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            requests_per_second: None,
        }
    }

    /// Runs the core's call of `method` over this client's transport: its value read by `decode`, and
    /// what its last answer said. An error, the decode's included, says whether a write of the call
    /// may have acted: a 2xx answer that does not fit the Rust type was still a write Gist took.
    pub(crate) async fn run<T>(
        &self,
        method: &'static str,
        flow: Result<Flow, Error>,
        options: &RequestOptions,
        decode: Decode<T>,
    ) -> Result<(T, Value), Error> {
        let config = &self.inner.config;
        let key = config.api_key.forms();
        let span = tracing::debug_span!(target: "getgist", "gist.call", method);
        let transport = CallTransport {
            shared: &self.inner.shared,
            abort: options.abort.as_ref(),
            key,
            may_have_acted: AtomicBool::new(false),
            held: AtomicU32::new(0),
        };
        let outcome = async {
            let call = Call::of(Arc::clone(config), flow?, options.to_core()?);
            drive(call, &transport).await
        }
        .instrument(span)
        .await;
        outcome
            .and_then(|(value, mut response)| {
                if let Some(requests) = response.get_mut("requests") {
                    let held = u64::from(transport.held.into_inner());
                    *requests = requests.as_u64().unwrap_or(0).saturating_sub(held).into();
                }
                Ok((decode(value)?, response))
            })
            .map_err(|mut error| {
                error.may_have_acted = transport.may_have_acted.into_inner();
                // Whole seconds, rounded up, as the JS client's `retryAfter` and a `TagFailure`'s (never
                // -0: `Retry-After: -0` is 0).
                error.retry_after =
                    error
                        .retry_after
                        .map(|seconds| if seconds > 0.0 { seconds.ceil() } else { 0.0 });
                wording::in_rust_terms(error.scrubbed(&key))
            })
    }
}

/// Builds a [`Client`]: every setting falls back to the JS client's default.
#[must_use]
pub struct ClientBuilder {
    options: ClientOptions,
    transport: Option<Box<dyn DynTransport>>,
    max_concurrent: u32,
    requests_per_second: Option<f64>,
}

/// Requests of one client in flight at once, by default (as in JS).
const DEFAULT_MAX_CONCURRENT: u32 = 6;

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.options.shown_base_url())
            .field("timeout_ms", &self.options.timeout_ms)
            .field("max_retries", &self.options.max_retries)
            .field("per_page", &self.options.per_page)
            .field("max_response_bytes", &self.options.max_response_bytes)
            .field("max_concurrent", &self.max_concurrent)
            .field("requests_per_second", &self.requests_per_second)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Where requests go: a proxy, or the mock (default `https://api.getgist.com`). The key is only
    /// ever sent there.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options.base_url = Some(url.into());
        self
    }

    /// The deadline of one whole call, retries and waits included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout_ms = Some(timeout.as_secs_f64() * 1000.0);
        self
    }

    /// How many times a failed call may be retried, 0 to 10 (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(f64::from(retries));
        self
    }

    /// The page size of list calls, 1 to 1000 (default 60).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.options.per_page = Some(f64::from(per_page));
        self
    }

    /// The most bytes one call may read in answers, all pages of a list together (default 32 MiB).
    pub fn max_response_bytes(mut self, bytes: u32) -> Self {
        self.options.max_response_bytes = Some(f64::from(bytes));
        self
    }

    /// At most this many requests of the client in flight at once (default 6); the others wait in the
    /// client, within their call's deadline.
    pub fn max_concurrent(mut self, requests: u32) -> Self {
        self.max_concurrent = requests;
        self
    }

    /// At most this many requests started a second (default: no limit; at least 4.66e-7, one start in
    /// 24.8 days, as in JS); the others wait in the client, within their call's deadline.
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.requests_per_second = Some(rate);
        self
    }

    /// Sends requests through `transport` instead of the default one.
    pub fn transport<T: Transport + Send + Sync + 'static>(mut self, transport: T) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// The client.
    ///
    /// # Errors
    /// `invalid_argument` for a blank key or a bad setting (a base URL that is not http(s), a timeout
    /// of zero, more than 10 retries, `max_concurrent` 0, a rate below one start in 24.8 days, ...);
    /// without the `reqwest` feature, when no transport is given.
    pub fn build(self) -> Result<Client, Error> {
        self.checked().map_err(wording::in_rust_terms)
    }

    fn checked(self) -> Result<Client, Error> {
        if self.max_concurrent == 0 {
            return Err(Error::invalid_argument(
                "maxConcurrent must be a positive whole number",
            ));
        }
        if self
            .requests_per_second
            .is_some_and(|rate| !(rate > 0.0 && rate.is_finite()))
        {
            return Err(Error::invalid_argument(
                "requestsPerSecond must be a positive number",
            ));
        }
        // As JS's pacer, whose timer waits at most that long between two starts.
        if self
            .requests_per_second
            .is_some_and(|rate| 1000.0 / rate > MAX_TIMEOUT_MS)
        {
            return Err(Error::invalid_argument(
                "requestsPerSecond must be at least one start in 24.8 days (4.66e-7)",
            ));
        }
        let mut config = Config::from_options(self.options, false)?;
        config.identify(concat!("Rust; ", env!("CARGO_PKG_NAME")));
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport(&config)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                config: Arc::new(config),
                shared: Shared::new(
                    transport,
                    usize::try_from(self.max_concurrent).unwrap_or(usize::MAX),
                    self.requests_per_second,
                ),
            }),
        })
    }
}

#[cfg(feature = "reqwest")]
fn default_transport(config: &Config) -> Result<Box<dyn DynTransport>, Error> {
    Ok(Box::new(super::reqwest::ReqwestTransport::new(
        config.answer_bytes(),
    )?))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport(_: &Config) -> Result<Box<dyn DynTransport>, Error> {
    Err(Error::invalid_argument(
        "no transport: enable the `reqwest` feature, or give one with ClientBuilder::transport",
    ))
}

#[cfg(test)]
mod tests {
    use super::super::pending::Pending;
    use super::*;
    use crate::http::{HttpResponse, WireRequest};
    use crate::transport::TransportError;
    use std::future::IntoFuture;

    /// Answers the first `answered` requests 200 with a tag (or a campaign) the core reads; holds the
    /// others, unsent, as a pacing transport of the caller's would.
    struct Answers {
        answered: usize,
        sent: std::sync::atomic::AtomicUsize,
    }

    impl Answers {
        /// Answers every request.
        fn all() -> Self {
            Self::first(usize::MAX)
        }

        /// Answers the first `answered` requests, holds the rest.
        fn first(answered: usize) -> Self {
            Self {
                answered,
                sent: 0.into(),
            }
        }
    }

    impl Transport for Answers {
        async fn send(&self, _: &WireRequest, _: f64) -> Result<HttpResponse, TransportError> {
            if self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= self.answered {
                return Err(TransportError::Held);
            }
            let body = r#"{"tag": {"id": 7, "name": "x"}, "campaign": {"id": 7}, "tags": []}"#;
            Ok(HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: body.into(),
            })
        }
        async fn sleep(&self, _: f64) -> Result<(), TransportError> {
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            0.0
        }
        fn random(&self) -> f64 {
            0.5
        }
    }

    /// A typed decode that refuses whatever the core gave.
    fn refuse(_: Value) -> Result<(), Error> {
        Err(Error::invalid_response("the answer does not fit the model"))
    }

    #[test]
    fn a_typed_decode_that_fails_after_a_2xx_write_says_the_write_may_have_acted() {
        let client = Client::builder("key")
            .transport(Answers::all())
            .build()
            .expect("valid");
        let outcome = |method, args: Vec<Value>| {
            let pending = Pending::new(&client, method, Ok(args), refuse);
            pollster::block_on(pending.into_future()).expect_err("refused")
        };
        let written = outcome("createTag", vec!["x".into()]);
        assert_eq!(
            (written.code, written.may_have_acted),
            (crate::error::ErrorCode::InvalidResponse, true),
            "{written:?}"
        );
        let read = outcome("fetchCampaign", vec![7.into()]);
        assert_eq!(
            (read.code, read.may_have_acted),
            (crate::error::ErrorCode::InvalidResponse, false),
            "{read:?}"
        );
    }

    #[test]
    fn a_page_asked_past_the_lists_end_sends_nothing_and_its_response_says_status_0() {
        use futures_util::StreamExt;
        let client = Client::builder("key")
            .transport(Answers::first(1))
            .build()
            .expect("valid");
        let mut walk = client.tags(crate::ListOptions::default());
        while let Some(tag) = pollster::block_on(walk.next()) {
            tag.expect("the one page");
        }
        let ended = walk.cursor().expect("a cursor past the end");
        let pending = client.list_tags(crate::ListOptions::default().cursor(ended));
        let (tags, response) = pollster::block_on(pending.with_response().into_future())
            .expect("nothing left to list");
        assert!(tags.is_empty());
        assert_eq!(
            (response.status, response.requests, response.headers.len()),
            (0, 0, 0)
        );
    }

    #[test]
    fn a_request_a_transport_held_was_not_sent_nor_counted() {
        let tag = |users: u64, answered| {
            let client = Client::builder("key")
                .transport(Answers::first(answered))
                .build()
                .expect("valid");
            let users: Vec<Value> = (1..=users).map(|id| crate::json!({ "id": id })).collect();
            let args = vec![crate::json!({ "tag": "vip", "users": users })];
            let pending = Pending::new(&client, "tagContacts", Ok(args), Ok);
            pollster::block_on(pending.with_response().into_future())
        };
        let held = tag(3, 0).expect_err("its one batch held");
        assert!(!held.may_have_acted, "{held:?}");
        let (_, response) = tag(150, 1).expect("the second batch's targets failed");
        assert_eq!(response.requests, 1, "the first batch alone was sent");
    }
}
