//! What Gist returns, normalised.

mod contact;

pub use contact::{Contact, ContactType};
