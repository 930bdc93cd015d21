//! A typed client for the Gist customer-messaging API (getgist.com), for Rust and, compiled to
//! WebAssembly, for JavaScript.
//!
//! Everything but the `wasm` module (built for wasm32 only) is plain Rust and does no I/O of its own:
//! each resource declares its endpoints as data ([`endpoints`]); a [`call::Call`] runs one as a state
//! machine over the [`flows`], within its deadline and retry policy, and says what to send or how long
//! to wait; a host performs that (the JS runtime, or [`call::drive`] over a [`transport::Transport`]).

pub mod base64;
pub mod call;
pub mod config;
pub mod error;
pub mod http;
pub mod input;
#[macro_use]
pub mod json;
pub mod endpoints;
pub mod flows;
pub mod models;
pub mod pagination;
pub mod rate_limit;
pub mod redact;
pub mod resources;
pub mod retry;
pub mod serde_util;
pub mod transport;
pub mod url;
pub mod webhook;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

/// The wasm's allocator: talc, smaller and faster than the default dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use call::{Call, CallOptions};
pub use config::Config;
pub use error::{Error, ErrorCode};
pub use http::Method;
pub use json::{Map, Value};
pub use models::{
    normalize_event_name, Campaign, Contact, ContactType, Segment, Tag, TrackedEvent,
};
pub use rate_limit::RateLimit;
pub use webhook::{Encoding, Scheme, VerifyOptions, WebhookEvent, WebhookKind};

#[cfg(not(target_arch = "wasm32"))]
pub use native::*;
