//! The flows every endpoint runs on, as explicit state machines: a single request, a contact found and
//! then acted on, a list read page by page, and tag batches. A flow says which request comes next and
//! is told its answer; it never sends, waits or tells the time itself (that is [`crate::call::Call`]).

mod contact;
mod pages;
mod single;
mod tags;

pub use contact::{Act, ContactFlow};
pub use pages::{held, Listing, PageDigest, Pages};
pub use single::{Read, Single};
pub use tags::TagFlow;

use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::Value;
use crate::text::text;

/// What a flow needs next.
#[derive(Debug)]
pub enum Next {
    /// This request's answer.
    Send(HttpRequest),
    /// Nothing: the call's value.
    Done(Value),
}

/// A running endpoint.
#[derive(Debug)]
pub enum Flow {
    /// One request.
    Single(Single),
    /// Find a contact, then act on it.
    Contact(ContactFlow),
    /// Pages of a list.
    Pages(Box<Pages>),
    /// Tag or untag contacts in batches.
    Tags(TagFlow),
}

impl Flow {
    /// The first request (or, for a flow with nothing to send, its value).
    pub fn start(&mut self, config: &Config) -> Next {
        match self {
            Self::Single(single) => single.start(),
            Self::Contact(contact) => contact.start(),
            Self::Pages(pages) => pages.next(config),
            Self::Tags(tags) => tags.next_request(),
        }
    }

    /// What follows the answer to the last request: a 2xx answer (any status, where
    /// [`Self::takes_any_status`]), or the error it ended with.
    pub fn answered(
        &mut self,
        config: &Config,
        answer: Result<HttpResponse, Error>,
    ) -> Result<Next, Error> {
        match self {
            Self::Single(single) => single.answered(answer),
            Self::Contact(contact) => match contact.answered(answer)? {
                contact::Found::Done(value) => Ok(Next::Done(value)),
                contact::Found::Then(single) => {
                    *self = Self::Single(single);
                    Ok(self.start(config))
                }
            },
            Self::Pages(pages) => pages.answered(config, answer),
            Self::Tags(tags) => tags.answered(answer),
        }
    }

    /// Whether the call goes on after a request of this flow got no answer it reads (`error`: none
    /// came, none may come before the deadline, or the one that came was refused: a redirect, or past
    /// `maxResponseBytes`): a `tagContacts` batch or lookup then fails its targets, not the call, which
    /// still reports what was done. An abort ends it.
    pub fn goes_on_past(&self, error: &Error) -> bool {
        use crate::error::ErrorCode::{InvalidResponse, NetworkError, RateLimited, Timeout};
        matches!(self, Self::Tags(_))
            && matches!(
                error.code,
                NetworkError | RateLimited | Timeout | InvalidResponse
            )
    }

    /// Whether the flow reads answers of any status itself (a raw API call).
    pub fn takes_any_status(&self) -> bool {
        matches!(
            self,
            Self::Single(Single {
                read: Read::Raw,
                ..
            })
        )
    }
}

/// The error of a 2xx answer that is not JSON (or nests deeper than the reader goes).
pub fn not_json(status: u16) -> Error {
    Error::invalid_response(text!(
        "Gist answered {} with a body that is not JSON (or nests past 128 levels)",
        status
    ))
}

/// A one-request flow: `method` on `path`, read as `read`.
pub fn single(request: HttpRequest, read: Read) -> Flow {
    Flow::Single(Single::new(request, read))
}

/// A one-request flow whose answer is the object with the id `id`, read as `read` (another is
/// `invalid_response`).
pub fn single_of(request: HttpRequest, read: Read, id: u64) -> Flow {
    Flow::Single(Single::of_id(request, read, id))
}
