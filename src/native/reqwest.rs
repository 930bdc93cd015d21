//! [`ReqwestTransport`]: the default transport, reqwest on tokio with rustls.

use crate::error::Error;
use crate::http::{refused_unheard, HttpResponse, Method, WireRequest};
use crate::text::without_bom;
use crate::transport::{Transport, TransportError};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// The farthest deadline a request is given.
const YEAR: Duration = Duration::from_secs(365 * 86_400);
/// How long after a request's deadline its whole exchange is cut, past the reading of its body.
const MARGIN: Duration = Duration::from_millis(5);

/// Sends requests with reqwest (HTTP/1.1, rustls with the webpki roots), waits with tokio's timer.
/// It never follows a redirect (the call refuses the 3xx it returns), never goes through a proxy
/// (`HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` are ignored: the key goes only to the base URL), and
/// stops reading an answer larger than its cap ([`TransportError::TooLarge`]). Its calls run inside a
/// tokio runtime with its IO and time drivers (`#[tokio::main]`, or a `Builder` with `enable_all()`):
/// outside any tokio runtime a call fails as `invalid_argument`, unsent, and says so, but in one built without
/// `enable_io()` or `enable_time()` tokio panics, as it does under reqwest itself (tokio has no public
/// way to ask whether a runtime has either driver).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: u64,
}

impl ReqwestTransport {
    /// A transport that reads at most `max_response_bytes` of one answer.
    ///
    /// # Errors
    /// `network_error` when reqwest cannot set up TLS.
    pub fn new(max_response_bytes: u32) -> Result<Self, Error> {
        // No proxy from the environment: the key is sent only to the base URL (through a proxy, give
        // the client a Transport of your own).
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|error| {
                Error::new(
                    crate::error::ErrorCode::NetworkError,
                    format!("could not set up HTTP: {}", error.without_url()),
                )
            })?;
        Ok(Self {
            client,
            max_response_bytes: u64::from(max_response_bytes),
        })
    }

    async fn exchange(
        &self,
        request: &WireRequest,
        timeout: Duration,
        deadline: Instant,
        told: &AtomicU16,
    ) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, &request.url).timeout(timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut response = builder.send().await.map_err(failure)?;
        let status = response.status().as_u16();
        told.store(status, Ordering::Relaxed);
        // A name sent twice comes once, its values joined with `, `, as `fetch`'s `Headers.get` gives
        // them to the JS client: both read a repeated `Retry-After` or rate limit alike.
        let headers = response
            .headers()
            .keys()
            .map(|name| {
                let values: Vec<_> = response
                    .headers()
                    .get_all(name)
                    .iter()
                    .map(|value| String::from_utf8_lossy(value.as_bytes()))
                    .collect();
                (name.as_str().to_owned(), values.join(", "))
            })
            .collect();
        // Past the cap, an answer still says what it says by its status.
        let too_large = |headers| {
            TransportError::UnreadBody(HttpResponse {
                status,
                headers,
                body: String::new(),
            })
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.max_response_bytes)
        {
            return Err(too_large(headers));
        }
        // A refusal whose body is cut or runs out of time is still the server's word that it did not act.
        let unread = |headers, error| match refused_unheard(status) {
            true => TransportError::UnreadRefusal(
                HttpResponse {
                    status,
                    headers,
                    body: String::new(),
                },
                Box::new(error),
            ),
            false => error,
        };
        // A 205 (Reset Content) has no body, as `fetch` reads one: what a server sends with it is left.
        if status == 205 {
            return Ok(HttpResponse {
                status,
                headers,
                body: String::new(),
            });
        }
        let mut body = Vec::new();
        loop {
            let chunk = match tokio::time::timeout_at(deadline, response.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => break,
                Ok(Err(error)) => return Err(unread(headers, failure(error))),
                Err(_) => return Err(unread(headers, TransportError::Timeout)),
            };
            if (body.len() + chunk.len()) as u64 > self.max_response_bytes {
                return Err(too_large(headers));
            }
            body.extend_from_slice(&chunk);
        }
        let mut body = String::from_utf8(body)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        // Decoded as `fetch`'s `text()` decodes it: a byte order mark before it is dropped.
        body.replace_range(..body.len() - without_bom(&body).len(), "");
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// `ms` milliseconds as a `Duration`, at most a year (as tokio's timers hold a time too far); zero for
/// a negative number or NaN.
fn duration(ms: f64) -> Duration {
    match Duration::try_from_secs_f64(ms / 1000.0) {
        Ok(duration) => duration.min(YEAR),
        Err(_) if ms > 0.0 => YEAR,
        Err(_) => Duration::ZERO,
    }
}

/// reqwest's failure as the core's (`NotSent` where it could not build the request, `Unreached` where
/// it made no connection): its text without the URL (a query may hold an email), and each cause under
/// it ("error sending request: client error (Connect): tcp connect error: Connection refused"), so
/// that a refused connection, a name that does not resolve and a cut body differ.
fn failure(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        return TransportError::Timeout;
    }
    // A request reqwest could not build (a URL past what a URI holds, a header value it refuses) was
    // never sent; nor was one whose connection failed (refused, DNS, the TLS handshake): hyper writes
    // nothing of a request before its connection is made.
    let kind: fn(String) -> TransportError = match (error.is_builder(), error.is_connect()) {
        (true, _) => |text| TransportError::NotSent(text + "; check its URL, query and headers"),
        (false, true) => TransportError::Unreached,
        (false, false) => TransportError::Network,
    };
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = inner.source();
    }
    kind(text)
}

/// Fails, unsent, where no tokio runtime runs the call (`pollster::block_on`, another executor), where
/// reqwest and tokio's timers would panic. It cannot see a tokio runtime built without its IO or time
/// driver (tokio has no public check for either): there tokio panics.
fn in_tokio() -> Result<(), TransportError> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Ok(()),
        Err(_) => Err(TransportError::NotSent(
            "ReqwestTransport runs only inside a tokio runtime (with IO and time enabled): run the call \
             in one, or give the client a Transport of your own"
                .into(),
        )),
    }
}

impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse, TransportError> {
        self.send_telling_status(request, timeout_ms, &AtomicU16::new(0))
            .await
    }

    async fn send_telling_status(
        &self,
        request: &WireRequest,
        timeout_ms: f64,
        status: &AtomicU16,
    ) -> Result<HttpResponse, TransportError> {
        in_tokio()?;
        let timeout = duration(timeout_ms);
        // reqwest's own timeout covers the body too; this one also covers a slow connect, MARGIN after
        // the body's reading ends at the deadline, so that a refusal keeps its status. As tokio's own
        // timers do, a time too far to hold is a year away (a caller may pass any).
        let now = Instant::now();
        let deadline = now
            .checked_add(timeout.saturating_add(MARGIN))
            .map_or(now + YEAR, |late| late - MARGIN);
        tokio::time::timeout_at(
            deadline + MARGIN,
            self.exchange(request, timeout, deadline, status),
        )
        .await
        .unwrap_or(Err(TransportError::Timeout))
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError> {
        in_tokio()?;
        tokio::time::sleep(duration(ms)).await;
        Ok(())
    }

    fn now_ms(&self) -> f64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
    }

    fn random(&self) -> f64 {
        // A fresh `RandomState` is seeded anew: enough for backoff jitter, with no RNG crate.
        let bits = RandomState::new().hash_one(SystemTime::now());
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }
}
