//! The native client (not on wasm32): [`Client`] runs the core's calls — the very endpoints, flows
//! and checks the JS package runs — over a [`Transport`](crate::transport::Transport), by default
//! [`ReqwestTransport`] on tokio. Its futures and streams are `Send`.

mod abort;
mod client;
mod input;
#[cfg(feature = "serde")]
mod input_serde;
mod methods;
mod output;
mod pending;
mod permits;
#[cfg(feature = "reqwest")]
mod reqwest;
mod transport;
mod walk;
mod webhooks;
mod wording;

pub use abort::AbortSignal;
pub use client::{Client, ClientBuilder};
pub use input::{
    ApiRequest, ContactInput, ContactRef, IntoUserId, ListContacts, ListOptions, ListSegments,
    NewEvent, TagRequest, TagTarget,
};
pub use output::{ApiResponse, FromCall, TagFailure, TagResult};
pub use pending::{Pending, RequestOptions, ResponseInfo, WithResponse};
#[cfg(feature = "reqwest")]
pub use reqwest::ReqwestTransport;
pub use walk::{Page, Pages, Walk};
pub use webhooks::{header_pairs, parse_webhook, sign_webhook, verify_webhook};

/// What a caller cannot do, checked by `cargo test` (each block must fail to compile).
///
/// Only the crate's outputs are `FromCall`:
///
/// ```compile_fail,E0277
/// struct Mine;
/// impl getgist::FromCall for Mine {
///     fn from_call(_: getgist::Value) -> Result<Self, getgist::Error> {
///         Ok(Mine)
///     }
/// }
/// ```
///
/// A float is no `user_id` (JS refuses one past 2^53 - 1, where an `f64` names another id):
///
/// ```compile_fail,E0277
/// getgist::ContactRef::user_id(9007199254740993f64);
/// ```
///
/// ```compile_fail,E0277
/// getgist::ContactInput::user(42.0);
/// ```
///
/// Checked `VerifyOptions` stay as `new` checked them:
///
/// ```compile_fail,E0616
/// use getgist::{Encoding, Scheme, VerifyOptions};
/// let mut options = VerifyOptions::new(vec!["s3cret".into()], Scheme::Token, None, Encoding::Hex).unwrap();
/// options.header = "not a header".into();
/// ```
#[cfg(doctest)]
pub struct ClosedApi;
