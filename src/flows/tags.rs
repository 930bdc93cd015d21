//! [`TagFlow`]: tag and untag contacts. Targets named by email or `user_id` are resolved to ids, one
//! request each, and each batch of at most 50 resolved targets is sent (`POST /tags {name, contacts}`)
//! as soon as it is full, so that a deadline that comes during the lookups leaves the batches sent
//! before it done. One failed batch or one unknown contact is reported in `failed` and the rest still
//! goes through; the call rejects when no batch was answered as done.

use super::{not_json, Next};
use crate::error::{Error, ErrorCode};
use crate::http::{refused_unheard, HttpRequest, HttpResponse};
use crate::json;
use crate::json::{Map, Value};
use crate::models::normalize::{self, Record, TAG};
use crate::resources::contacts::{check_kind, find_request, read_single, ContactRef};
use crate::resources::tags::{ContactTarget, TagFailure, TagRequest, TagResult, BATCH_SIZE};
use crate::text::text;

/// The request in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sent {
    /// None yet, or its answer was read.
    Nothing,
    /// The lookup of the target at this index.
    Lookup(usize),
    /// The batch that starts at this index of the resolved targets.
    Batch(usize),
    /// Creating the tag alone: no target could be resolved.
    CreateOnly,
}

/// A `tagContacts` call in progress.
#[derive(Debug)]
pub struct TagFlow {
    request: TagRequest,
    sent: Sent,
    /// The next target to read.
    next_target: usize,
    /// Resolved targets: the contact's id and the target's index.
    resolved: Vec<(u64, usize)>,
    /// Each contact id resolved (in decimal), and whether its target untags it: a contact named twice
    /// goes once.
    named: Map<String, Value>,
    /// How many of `resolved` a batch took.
    batched: usize,
    /// No request may go any more (see [`Self::stop`]).
    stopped: bool,
    failed: Vec<TagFailure>,
    tag: Option<Record>,
    last_error: Option<Error>,
    tagged: u32,
    untagged: u32,
}

impl TagFlow {
    /// Tags and untags the targets of `request`.
    pub fn new(request: TagRequest) -> Self {
        Self {
            request,
            sent: Sent::Nothing,
            next_target: 0,
            resolved: Vec::new(),
            named: Map::new(),
            batched: 0,
            stopped: false,
            failed: Vec::new(),
            tag: None,
            last_error: None,
            tagged: 0,
            untagged: 0,
        }
    }

    fn target(&self, index: usize) -> Option<&ContactTarget> {
        self.request.targets.get(index)
    }

    /// Fails the target at `index` with `error`, less Gist's items: a target's failure says its code and
    /// message, and a batch's error would otherwise be held once for each of its targets.
    fn fail(&mut self, index: usize, mut error: Error) {
        error.errors = Vec::new();
        if let Some(target) = self.request.targets.get(index) {
            self.failed.push(TagFailure {
                target: target.given.clone(),
                error,
            });
        }
    }

    /// Takes the target at `index`, resolved to the contact `id`, for a batch, unless an earlier target
    /// named the same contact: to the same end it is done (sent and counted once), to the other it fails.
    fn resolve(&mut self, id: u64, index: usize) {
        let untag = self.target(index).is_some_and(|t| t.untag);
        let mut key = String::new();
        json::push_u64(&mut key, id);
        match self.named.get(&key).map(Value::as_bool) {
            None => {
                self.named.insert(key, untag.into());
                self.resolved.push((id, index));
            }
            Some(earlier) if earlier == Some(untag) => {}
            Some(_) => {
                self.fail(
                    index,
                    Error::invalid_argument(
                        "an earlier target names this contact too, with the other `untag`",
                    ),
                );
            }
        }
    }

    /// The next request: the next target's lookup, or a batch once it is full or every target is
    /// read; the tag alone when no target could be resolved.
    pub fn next_request(&mut self) -> Next {
        self.sent = Sent::Nothing;
        while !self.stopped && self.resolved.len() - self.batched < BATCH_SIZE {
            let Some(target) = self.request.targets.get(self.next_target) else {
                break;
            };
            match &target.reference {
                Ok(ContactRef::Id(id)) => self.resolve(*id, self.next_target),
                Ok(reference) => {
                    self.sent = Sent::Lookup(self.next_target);
                    return Next::Send(find_request(reference));
                }
                Err(error) => {
                    let error = error.clone();
                    self.fail(self.next_target, error);
                }
            }
            self.next_target += 1;
        }
        if self.batched < self.resolved.len() {
            self.sent = Sent::Batch(self.batched);
            return Next::Send(self.batch(self.batched));
        }
        if !self.stopped && self.resolved.is_empty() && self.tag.is_none() {
            self.sent = Sent::CreateOnly;
            return Next::Send(HttpRequest::post(
                "/tags",
                json!({ "name": self.request.tag.as_str() }),
            ));
        }
        Next::Done(self.result())
    }

    /// What follows an answer, or a request that got none (see [`super::Flow::goes_on_past`]).
    pub fn answered(&mut self, answer: Result<HttpResponse, Error>) -> Result<Next, Error> {
        // No request may go any more: the deadline passed, or none may go before it (not a 429
        // answer); or an answer was refused (a redirect, or past `maxResponseBytes`), as the next would be.
        let stops = match &answer {
            Err(error) if error.code == ErrorCode::InvalidResponse => Some(error.clone()),
            Err(error) if error.status.is_none() => {
                matches!(error.code, ErrorCode::Timeout | ErrorCode::RateLimited)
                    .then(|| error.clone())
            }
            _ => None,
        };
        match self.sent {
            Sent::Lookup(index) => {
                let target = self.target(index);
                let reference = target.and_then(|t| Some((t.reference.as_ref().ok()?, t.kind)));
                let id = match (answer, reference) {
                    (Ok(response), Some((reference, kind))) => {
                        read_single(&response.body, reference, kind)
                            .map_err(|_| not_json(response.status))
                            .and_then(|contact| contact)
                            .and_then(|contact| {
                                check_kind(&contact, reference, kind)?;
                                contact
                                    .get("id")
                                    .as_u64()
                                    .filter(|id| *id > 0)
                                    .ok_or_else(|| {
                                        Error::invalid_response("Gist's contact has no positive id")
                                    })
                            })
                    }
                    (Err(mut error), _) => {
                        error.may_have_acted = false; // a lookup reads
                        Err(error)
                    }
                    (Ok(_), None) => Err(Error::invalid_response("no target to resolve")),
                };
                match id {
                    Ok(id) => self.resolve(id, index),
                    Err(error) => self.fail(index, error),
                }
                self.next_target = index + 1;
            }
            Sent::Batch(start) => {
                let end = (start + BATCH_SIZE).min(self.resolved.len());
                let batch = self.resolved.get(start..end).unwrap_or_default().to_vec();
                match answer.and_then(read_tag) {
                    Ok(tag) => {
                        let untags = batch
                            .iter()
                            .filter(|(_, index)| self.target(*index).is_some_and(|t| t.untag))
                            .count() as u32;
                        self.untagged += untags;
                        self.tagged += batch.len() as u32 - untags;
                        self.tag = Some(tag);
                    }
                    Err(mut error) => {
                        // A batch the deadline cut off, that got no answer, whose answer was refused
                        // or was a server error that is not a refusal (503 is) may have gone: unlike
                        // the targets never sent, and those Gist refused.
                        let why = match error.code {
                            // Sent and unanswered: not held by pacing, nor unconnected.
                            ErrorCode::Timeout | ErrorCode::NetworkError
                                if error.may_have_acted =>
                            {
                                Some("did not come")
                            }
                            ErrorCode::InvalidResponse => Some("was refused"),
                            _ if error.status.is_some_and(|status| !refused_unheard(status)) => {
                                Some("was a server error")
                            }
                            _ => None,
                        };
                        error.may_have_acted = why.is_some();
                        if let Some(why) = why {
                            error.message = text!(
                                "{} (this batch's answer {}: its contacts may have been tagged)",
                                error.message,
                                why
                            );
                        }
                        for (_, index) in &batch {
                            self.fail(*index, error.clone());
                        }
                        self.last_error = Some(error);
                    }
                }
                self.batched = end;
            }
            Sent::CreateOnly => self.tag = Some(answer.and_then(read_tag)?),
            Sent::Nothing => {}
        }
        if let Some(error) = stops {
            self.stop(error);
        }
        match self.next_request() {
            Next::Done(_) if self.tag.is_none() => Err(self
                .last_error
                .take()
                .unwrap_or_else(|| Error::invalid_response("no batch was answered"))),
            next => Ok(next),
        }
    }

    /// No request may go any more (the call's deadline, a rate limit past it, or an answer refused):
    /// every target not yet looked up or sent fails with `error` (or its own), and the call ends.
    fn stop(&mut self, mut error: Error) {
        error.may_have_acted = false; // for the targets never sent
        for index in self.next_target..self.request.targets.len() {
            let own = self.target(index).and_then(|t| t.reference.clone().err());
            self.fail(index, own.unwrap_or_else(|| error.clone()));
        }
        self.next_target = self.request.targets.len();
        for (_, index) in self
            .resolved
            .split_off(self.batched.min(self.resolved.len()))
        {
            self.fail(index, error.clone());
        }
        self.stopped = true;
        self.last_error = Some(error);
    }

    /// The request of the batch starting at `start`.
    fn batch(&self, start: usize) -> HttpRequest {
        let end = (start + BATCH_SIZE).min(self.resolved.len());
        let contacts: Vec<Value> = self
            .resolved
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|(id, index)| {
                let mut contact = Map::new();
                contact.set("id", (*id).into());
                if self.target(*index).is_some_and(|t| t.untag) {
                    contact.set("untag", true.into());
                }
                Value::Object(contact)
            })
            .collect();
        HttpRequest::post(
            "/tags",
            json!({ "name": self.request.tag.as_str(), "contacts": contacts }),
        )
    }

    /// The call's value: `{ tag, tagged, untagged, failed }`.
    fn result(&mut self) -> Value {
        let Some(tag) = self.tag.clone() else {
            return Value::Null;
        };
        TagResult {
            tag,
            tagged: self.tagged,
            untagged: self.untagged,
            failed: std::mem::take(&mut self.failed),
        }
        .to_value()
    }
}

/// The tag an answer carries.
fn read_tag(response: HttpResponse) -> Result<Record, Error> {
    normalize::single(&response.body, "tag", &TAG).map_err(|_| not_json(response.status))?
}
