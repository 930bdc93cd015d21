//! [`TagFlow`]: tag and untag contacts. Targets named by email or `user_id` are resolved to ids first,
//! one request each, then sent in batches of at most 50 (`POST /tags {name, contacts}`). One failed
//! batch or one unknown contact is reported in `failed` and the rest still goes through; the call
//! rejects only when nothing could be done.

use super::{not_json, Next};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::json;
use crate::json::{Map, Value};
use crate::models::normalize::{self, Record, TAG};
use crate::resources::contacts::{check_kind, find_request, read_single, ContactRef};
use crate::resources::tags::{ContactTarget, TagFailure, TagRequest, TagResult, BATCH_SIZE};
use crate::text::text;

/// Where the flow stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// Resolving the target at this index.
    Resolving(usize),
    /// Sending the batch that starts at this index of the resolved targets.
    Batch(usize),
    /// Creating the tag alone: no target could be resolved.
    CreateOnly,
}

/// A `tagContacts` call in progress.
#[derive(Debug)]
pub struct TagFlow {
    request: TagRequest,
    stage: Stage,
    /// Resolved targets: the contact's id and the target's index.
    resolved: Vec<(u64, usize)>,
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
            stage: Stage::Resolving(0),
            resolved: Vec::new(),
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

    fn fail(&mut self, index: usize, error: Error) {
        if let Some(target) = self.request.targets.get(index) {
            self.failed.push(TagFailure {
                target: target.given.clone(),
                error,
            });
        }
    }

    /// The next request: a target's resolution, then each batch.
    pub fn next_request(&mut self) -> Next {
        if let Stage::Resolving(mut index) = self.stage {
            while let Some(target) = self.request.targets.get(index) {
                match &target.reference {
                    Ok(ContactRef::Id(id)) => self.resolved.push((*id, index)),
                    Ok(reference) => {
                        let request = find_request(reference);
                        self.stage = Stage::Resolving(index);
                        return Next::Send(request);
                    }
                    Err(error) => {
                        let error = error.clone();
                        self.fail(index, error);
                    }
                }
                index += 1;
            }
            self.stage = match self.resolved.is_empty() {
                true => Stage::CreateOnly,
                false => Stage::Batch(0),
            };
        }
        match self.stage {
            Stage::Batch(start) if start < self.resolved.len() => Next::Send(self.batch(start)),
            Stage::CreateOnly if self.tag.is_none() => Next::Send(HttpRequest::post(
                "/tags",
                json!({ "name": self.request.tag.as_str() }),
            )),
            _ => Next::Done(self.result()),
        }
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
        match self.stage {
            Stage::Resolving(index) => {
                let target = self.target(index);
                let reference = target.and_then(|t| Some((t.reference.as_ref().ok()?, t.kind)));
                let id = match (answer, reference) {
                    (Ok(response), Some((reference, kind))) => {
                        read_single(&response.body, reference, kind)
                            .map_err(|_| not_json(response.status))
                            .and_then(|contact| contact)
                            .and_then(|contact| {
                                check_kind(&contact, reference, kind)?;
                                Ok(contact.get("id").as_u64().unwrap_or_default())
                            })
                    }
                    (Err(error), _) => Err(error),
                    (Ok(_), None) => Err(Error::invalid_response("no target to resolve")),
                };
                match id {
                    Ok(id) => self.resolved.push((id, index)),
                    Err(error) => self.fail(index, error),
                }
                self.stage = Stage::Resolving(index + 1);
            }
            Stage::Batch(start) => {
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
                        // A batch the deadline cut off, or whose answer was refused, may have gone:
                        // unlike the targets never sent.
                        let why = match error.code {
                            ErrorCode::Timeout if stops.is_some() => Some("did not come"),
                            ErrorCode::InvalidResponse => Some("was refused"),
                            _ => None,
                        };
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
                self.stage = Stage::Batch(end);
            }
            Stage::CreateOnly => self.tag = Some(answer.and_then(read_tag)?),
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
    fn stop(&mut self, error: Error) {
        let pending = match self.stage {
            Stage::Resolving(index) => {
                for index in index..self.request.targets.len() {
                    let own = self.target(index).and_then(|t| t.reference.clone().err());
                    self.fail(index, own.unwrap_or_else(|| error.clone()));
                }
                0
            }
            Stage::Batch(start) => start,
            Stage::CreateOnly => return,
        };
        for (_, index) in self.resolved.split_off(pending.min(self.resolved.len())) {
            self.fail(index, error.clone());
        }
        self.stage = Stage::Batch(self.resolved.len());
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
