//! The wasm edge: a sans-IO core for the JS runtime in `pkg-template/`. The runtime owns `GistClient`,
//! `fetch`, timers and `AbortSignal`s; the core decides everything else. A `Core` starts a call
//! (`Call`) from a method's name and arguments; each step of a `Call` says what to send or how long to
//! wait, until it is done or failed. Values cross as JSON text, one each way.

mod core;
mod error;
mod step;
mod webhooks;

pub use self::core::Core;
pub use error::redact_emails;
pub use step::Call;
pub use webhooks::{check_delivery, handle_options, webhook_event};
