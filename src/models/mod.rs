//! What Gist returns, normalised: ids as numbers, timestamps as Unix seconds or null, and every
//! field a model does not name kept as Gist sent it.

mod campaign;
mod contact;
mod event;
pub mod normalize;
mod record;
mod segment;
mod tag;

pub use campaign::Campaign;
pub use contact::{Contact, ContactType};
pub use event::{normalize_event_name, TrackedEvent};
pub use normalize::Record;
pub use segment::Segment;
pub use tag::Tag;
