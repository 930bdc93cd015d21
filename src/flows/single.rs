//! [`Single`]: one request, its answer read as a model, as nothing, or as it came (a raw API call).

use super::{not_json, Next};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Map, Value};
use crate::models::normalize::{self, Model, CONTACT};
use crate::resources::contacts::{named, ContactRef};

/// How an answer is read.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    /// The object under this key, as this model.
    Model(&'static str, &'static Model),
    /// Nothing: the call resolves with `null`.
    Nothing,
    /// `{ status, headers, body }`, whatever the status; the body parsed when it is JSON.
    Raw,
}

/// One request and how its answer is read.
#[derive(Debug)]
pub struct Single {
    request: Option<HttpRequest>,
    /// How the answer is read.
    pub read: Read,
    /// What the answer's object must be: the contact a write names, the segment an id names.
    names: Option<ContactRef>,
}

impl Single {
    /// `request`, its answer read as `read`.
    pub fn new(request: HttpRequest, read: Read) -> Self {
        Self {
            request: Some(request),
            read,
            names: None,
        }
    }

    /// `request`, a write of the contact `writes` names (if known), whose answer must name it.
    pub fn writing(request: HttpRequest, writes: Option<ContactRef>) -> Self {
        Self {
            names: writes,
            ..Self::new(request, Read::Model("contact", &CONTACT))
        }
    }

    /// `request`, its answer read as `read`: an object that must have the id `id`.
    pub fn of_id(request: HttpRequest, read: Read, id: u64) -> Self {
        Self {
            names: Some(ContactRef::Id(id)),
            ..Self::new(request, read)
        }
    }

    /// The request.
    pub fn start(&mut self) -> Next {
        match self.request.take() {
            Some(request) => Next::Send(request),
            None => Next::Done(Value::Null),
        }
    }

    /// The call's value, read from the answer.
    pub fn answered(&mut self, answer: Result<HttpResponse, Error>) -> Result<Next, Error> {
        let response = answer?;
        let value = match self.read {
            Read::Model(key, model) => {
                let record = normalize::single(&response.body, key, model)
                    .map_err(|_| not_json(response.status))??;
                match &self.names {
                    Some(reference) => named(record, reference, model.what)?,
                    None => record,
                }
                .into_value()
            }
            Read::Nothing => Value::Null,
            Read::Raw => raw(response),
        };
        Ok(Next::Done(value))
    }
}

/// An answer as `{ status, headers, body }`: header names in lower case, the body parsed when it is
/// JSON, else its text.
fn raw(response: HttpResponse) -> Value {
    let headers: Map<String, Value> = response
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), Value::String(value.clone())))
        .collect();
    let body = crate::json::from_str(&response.body).unwrap_or(Value::String(response.body));
    let mut answer = Map::new();
    answer.set("status", response.status.into());
    answer.set("headers", Value::Object(headers));
    answer.set("body", body);
    Value::Object(answer)
}
