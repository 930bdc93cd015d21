//! Tags: create, rename, delete, list, and tag or untag many contacts at once.
//!
//! Tag names are sent exactly as given: through the API "TAG" and "tag" are two tags. Tagging goes
//! through `POST /tags {name, contacts: [{id, untag?}]}` in batches of at most 50 contacts (Gist
//! warns that more may time out); one failed batch or one unknown contact is reported in `failed`
//! and the rest still goes through.

use super::contacts::{self, ContactRef};
use super::{every, limit_of, list, single};
use crate::client::Client;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json;
use crate::json::{Map, Value};
use crate::models::normalize::TAG;
use crate::models::{ContactType, Record};
use crate::transport::Transport;

/// Most contacts sent in one tagging request.
pub const BATCH_SIZE: usize = 50;

/// Checks a tag name: any text that is not blank.
pub fn check_name(name: &str) -> Result<(), Error> {
    match name.trim().is_empty() {
        true => Err(Error::invalid_argument("the tag name must not be empty")),
        false => Ok(()),
    }
}

/// Creates a tag (`POST /tags {name}`).
pub async fn create_tag<T: Transport>(client: &Client<'_, T>, name: &str) -> Result<Record, Error> {
    check_name(name)?;
    post_tag(client, json!({ "name": name })).await
}

/// Renames a tag (`POST /tags {id, name}`).
pub async fn update_tag<T: Transport>(
    client: &Client<'_, T>,
    id: u64,
    name: &str,
) -> Result<Record, Error> {
    check_name(name)?;
    post_tag(client, json!({ "id": id, "name": name })).await
}

/// Deletes a tag.
pub async fn delete_tag<T: Transport>(client: &Client<'_, T>, id: u64) -> Result<(), Error> {
    client
        .send(&HttpRequest::delete(format!("/tags/{id}")))
        .await?;
    Ok(())
}

/// Lists tags, page by page, up to `limit` (default 100, at most 10000).
pub async fn list_tags<T: Transport>(
    client: &Client<'_, T>,
    limit: Option<f64>,
) -> Result<Vec<Record>, Error> {
    let limit = limit_of(limit)?;
    list(
        client,
        &HttpRequest::get("/tags"),
        ("tags", &TAG),
        &every,
        limit,
    )
    .await
}

async fn post_tag<T: Transport>(client: &Client<'_, T>, body: Value) -> Result<Record, Error> {
    single(client, &HttpRequest::post("/tags", body), "tag", &TAG).await
}

/// One contact to tag or untag, as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactTarget {
    /// The target as given, to report it back in `failed`.
    pub given: Value,
    /// How it names the contact, or why it cannot be read.
    pub reference: Result<ContactRef, Error>,
    /// Whether to remove the tag instead of adding it.
    pub untag: bool,
}

/// A `tagContacts` request: the tag's name and the users and leads to tag or untag.
#[derive(Debug, Clone, PartialEq)]
pub struct TagRequest {
    /// The tag's name, exactly as given.
    pub tag: String,
    /// Users first, then leads.
    pub targets: Vec<ContactTarget>,
}

impl TagRequest {
    /// Reads `{ tag, users?, leads? }`; a malformed target is kept, to be reported in `failed`, unless
    /// every target is malformed: then nothing can be done, and the first one's error is returned.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "request")?;
        let tag = fields
            .string("tag")?
            .ok_or_else(|| Error::invalid_argument("request.tag is required: the tag's name"))?;
        check_name(&tag)?;
        let mut targets = Vec::new();
        for (key, kind) in [("users", ContactType::User), ("leads", ContactType::Lead)] {
            let list = match fields.take(key) {
                None => Vec::new(),
                Some(Value::Array(list)) => list,
                Some(_) => {
                    return Err(Error::invalid_argument(format!(
                        "request.{key} must be an array"
                    )))
                }
            };
            targets.extend(list.into_iter().map(|given| target(given, kind)));
        }
        fields.finish()?;
        if targets.iter().all(|t| t.reference.is_err()) {
            if let Some(Err(error)) = targets.first().map(|t| t.reference.clone()) {
                return Err(error);
            }
        }
        Ok(Self { tag, targets })
    }
}

fn target(given: Value, kind: ContactType) -> ContactTarget {
    let untag = given.get("untag").map(|u| u.as_bool().ok_or(()));
    let reference = match untag {
        Some(Err(())) => Err(Error::invalid_argument("untag must be true or false")),
        _ => ContactRef::from_value(&given, kind, &["untag"]),
    };
    ContactTarget {
        untag: matches!(untag, Some(Ok(true))),
        reference,
        given,
    }
}

/// A target that could not be tagged, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TagFailure {
    /// The target as given.
    pub target: Value,
    /// Why it failed.
    pub error: Error,
}

/// What `tagContacts` did.
#[derive(Debug, Clone)]
pub struct TagResult {
    /// The tag, as Gist answered.
    pub tag: Record,
    /// Contacts tagged.
    pub tagged: u32,
    /// Contacts untagged.
    pub untagged: u32,
    /// Targets that failed, with their errors.
    pub failed: Vec<TagFailure>,
}

impl TagResult {
    /// The result as JSON: `{ tag, tagged, untagged, failed: [{ target, error: { code, message } }] }`.
    pub fn to_value(&self) -> Value {
        let failed: Vec<Value> = self
            .failed
            .iter()
            .map(|f| json!({ "target": f.target.clone(), "error": { "code": f.error.code.as_str(), "message": f.error.message.as_str() } }))
            .collect();
        json!({ "tag": Value::Text(self.tag.json.clone()), "tagged": self.tagged, "untagged": self.untagged, "failed": failed })
    }
}

/// Tags and untags contacts: targets named by email or user_id are resolved to ids first, then sent
/// in batches of at most 50. Resolves with what failed; rejects only when nothing could be done.
pub async fn tag_contacts<T: Transport>(
    client: &Client<'_, T>,
    request: &TagRequest,
) -> Result<TagResult, Error> {
    let mut failed = Vec::new();
    let mut resolved: Vec<(u64, &ContactTarget)> = Vec::new();
    for target in &request.targets {
        let id = match &target.reference {
            Ok(ContactRef::Id(id)) => Ok(*id),
            Ok(reference) => resolve(client, reference).await,
            Err(error) => Err(error.clone()),
        };
        match id {
            Ok(id) => resolved.push((id, target)),
            Err(error) => failed.push(TagFailure {
                target: target.given.clone(),
                error,
            }),
        }
    }
    if resolved.is_empty() {
        let tag = create_tag(client, &request.tag).await?;
        return Ok(TagResult {
            tag,
            tagged: 0,
            untagged: 0,
            failed,
        });
    }
    let (mut tag, mut last_error, mut tagged, mut untagged) = (None, None, 0, 0);
    for batch in resolved.chunks(BATCH_SIZE) {
        match post_tag(client, batch_body(&request.tag, batch)).await {
            Ok(answer) => {
                let untags = batch.iter().filter(|(_, t)| t.untag).count() as u32;
                untagged += untags;
                tagged += batch.len() as u32 - untags;
                tag = Some(answer);
            }
            Err(error) => {
                failed.extend(batch.iter().map(|(_, t)| TagFailure {
                    target: t.given.clone(),
                    error: error.clone(),
                }));
                last_error = Some(error);
            }
        }
    }
    match (tag, last_error) {
        (Some(tag), _) => Ok(TagResult {
            tag,
            tagged,
            untagged,
            failed,
        }),
        (None, error) => {
            Err(error.unwrap_or_else(|| Error::invalid_response("no batch was answered")))
        }
    }
}

async fn resolve<T: Transport>(
    client: &Client<'_, T>,
    reference: &ContactRef,
) -> Result<u64, Error> {
    let request = contacts::find_request(reference);
    client
        .send_reading(&request, &|text| contacts::read_single(text, reference))
        .await?
        .map(|contact| contact.get("id").as_u64().unwrap_or_default())
        .map_err(|e| e.at(request.method, &request.path))
}

fn batch_body(name: &str, batch: &[(u64, &ContactTarget)]) -> Value {
    let contacts: Vec<Value> = batch
        .iter()
        .map(|(id, target)| {
            let mut contact = Map::new();
            contact.insert("id".into(), (*id).into());
            if target.untag {
                contact.insert("untag".into(), true.into());
            }
            Value::Object(contact)
        })
        .collect();
    json!({ "name": name, "contacts": contacts })
}
