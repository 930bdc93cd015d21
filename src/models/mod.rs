//! What Gist returns, normalised: ids as numbers, timestamps as Unix seconds or null, and every
//! field a model does not name kept as Gist sent it. Each model is declared once, with `model!`
//! (`declare.rs`).

#[macro_use]
pub(crate) mod declare;
mod campaign;
mod contact;
mod event;
pub mod normalize;
mod segment;
mod tag;
#[cfg(not(target_arch = "wasm32"))]
pub mod typescript;

pub use campaign::Campaign;
pub use contact::{Contact, ContactType};
pub use event::{normalize_event_name, TrackedEvent};
pub use normalize::Record;
pub use segment::Segment;
pub use tag::Tag;
