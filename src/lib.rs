//! A typed client for the Gist customer-messaging API (getgist.com), for Rust and, compiled to
//! WebAssembly, for JavaScript (the npm package `gist-wasm`): one core, the same decisions in both.
//!
//! In Rust, [`Client`] (native targets) has the JS client's methods in Rust's idiom: each returns a
//! [`Pending`] to `.await` (with per-call options and [`Pending::with_response`]), each list a `Vec`
//! or, lazily, a [`Walk`] (a `futures::Stream` that resumes from a cursor). Requests go through
//! [`ReqwestTransport`] (feature `reqwest`, on by default: reqwest on tokio, rustls) or any
//! [`Transport`]. Features: `reqwest` (default), `serde` (serde on the models, inputs, `Value`; see
//! `docs/rust.md`). Everything a caller uses is at the crate's root: no module of the crate shadows
//! another crate (`http`, `url`) under `use getgist::*`.
//!
//! ```no_run
//! use getgist::{Client, ContactInput, ContactRef};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), getgist::Error> {
//!     let gist = Client::new("your-api-key")?;
//!     let user = gist.create_user(ContactInput::user("42").email("ada@example.com")).await?;
//!     let same = gist.fetch_user(ContactRef::user_id("42")).await?;
//!     assert_eq!(user.id, same.id);
//!     Ok(())
//! }
//! ```
//!
//! The same client over a transport of your own (here canned answers, so this example runs as it is):
//!
//! ```
//! use getgist::{Client, ContactRef, ContactType, HttpResponse, Transport, TransportError, WireRequest};
//!
//! struct Canned;
//!
//! impl Transport for Canned {
//!     async fn send(&self, request: &WireRequest, _timeout_ms: f64) -> Result<HttpResponse, TransportError> {
//!         assert_eq!(request.url, "https://api.getgist.com/contacts/7");
//!         let body = r#"{"contact": {"id": "7", "user_id": 42, "signed_up_at": "", "plan": "pro"}}"#;
//!         Ok(HttpResponse { status: 200, headers: Vec::new(), body: body.into() })
//!     }
//!     async fn sleep(&self, _ms: f64) -> Result<(), TransportError> {
//!         Ok(())
//!     }
//!     fn now_ms(&self) -> f64 {
//!         0.0
//!     }
//!     fn random(&self) -> f64 {
//!         0.5
//!     }
//! }
//!
//! let gist = Client::builder("your-api-key").transport(Canned).build()?;
//! let user = pollster::block_on(gist.fetch_user(ContactRef::id(7)))?;
//! // Gist's quirks normalised, as the JS client does; unknown fields kept.
//! assert_eq!((user.id, user.user_id.as_deref(), user.kind), (7, Some("42"), ContactType::User));
//! assert_eq!(user.signed_up_at, None);
//! assert_eq!(user.other.get("plan").and_then(|plan| plan.as_str()), Some("pro"));
//! # Ok::<(), getgist::Error>(())
//! ```
//!
//! Inside (`src/`, not part of the API), everything but the `wasm` and `native` modules is plain Rust
//! that does no I/O of its own: each resource declares its endpoints as data; a `Call` runs one as a
//! state machine over the flows, within its deadline and retry policy, and says what to send or how
//! long to wait; a host performs that (the JS runtime, or the native client over a [`Transport`]).

#[doc(hidden)]
#[macro_use]
pub mod internal;

use internal::{
    base64, call, config, endpoints, error, flows, http, input, json, models, pagination,
    rate_limit, redact, resources, retry, serde_util, text, transport, url, webhook,
};

#[cfg(target_arch = "wasm32")]
mod wasm;

#[cfg(not(target_arch = "wasm32"))]
mod native;

/// The wasm's allocator: talc, smaller and faster than the default dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use error::{ApiErrorItem, Error, ErrorCode, ErrorFields};
pub use http::{HttpResponse, Method, WireRequest};
pub use json::{Map, Number, ParseError, RawJson, Value};
pub use models::{
    normalize_event_name, Campaign, Contact, ContactType, Segment, Tag, TrackedEvent,
};
pub use rate_limit::RateLimit;
pub use resources::contacts::ContactFields;
pub use transport::{MaybeSend, Transport, TransportError};
pub use webhook::{Encoding, Scheme, Signing, VerifyOptions, WebhookEvent, WebhookKind};

#[cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
pub use native::ReqwestTransport;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{
    header_pairs, parse_webhook, sign_webhook, verify_webhook, AbortSignal, ApiRequest,
    ApiResponse, Client, ClientBuilder, ContactInput, ContactRef, FromCall, IntoUserId,
    ListContacts, ListOptions, ListSegments, NewEvent, Page, Pages, Pending, RequestOptions,
    ResponseInfo, TagFailure, TagRequest, TagResult, TagTarget, Walk, WithResponse,
};
