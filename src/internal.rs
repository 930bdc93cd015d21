//! The crate's insides: public only for its own tests and tools (`write-dts`), not part of its API, and
//! free to change in any release. Everything a caller needs is at the crate's root, where no module
//! of the crate shadows another crate (`http`, `url`) under `use getgist::*`.

#[path = "base64.rs"]
pub mod base64;
#[path = "call/mod.rs"]
pub mod call;
#[path = "config.rs"]
pub mod config;
#[path = "error.rs"]
pub mod error;
#[path = "http.rs"]
pub mod http;
#[path = "input.rs"]
pub mod input;
#[macro_use]
#[path = "json/mod.rs"]
pub mod json;
#[macro_use]
#[path = "endpoints.rs"]
pub mod endpoints;
#[path = "flows/mod.rs"]
pub mod flows;
#[path = "models/mod.rs"]
pub mod models;
#[path = "pagination.rs"]
pub mod pagination;
#[path = "rate_limit.rs"]
pub mod rate_limit;
#[path = "redact.rs"]
pub mod redact;
#[path = "resources/mod.rs"]
pub mod resources;
#[path = "retry.rs"]
pub mod retry;
#[path = "serde_util.rs"]
pub mod serde_util;
#[path = "text.rs"]
pub mod text;
#[path = "transport.rs"]
pub mod transport;
#[path = "url.rs"]
pub mod url;
#[path = "webhook/mod.rs"]
pub mod webhook;
