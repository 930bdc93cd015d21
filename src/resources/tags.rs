//! Tags: create, rename, delete, list, and tag or untag many contacts at once.
//!
//! Tag names are sent exactly as given: through the API "TAG" and "tag" are two tags. Tagging goes
//! through `POST /tags {name, contacts: [{id, untag?}]}` in batches of at most 50 contacts (Gist
//! warns that more may time out); one failed batch or one unknown contact is reported in `failed`
//! and the rest still goes through.

use super::contacts::ContactRef;
use super::limit_only;
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::flows::{single, single_of, Flow, Listing, Read, TagFlow};
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::json;
use crate::json::Value;
use crate::models::normalize::TAG;
use crate::models::{ContactType, Record};
use crate::text::text;

/// `createTag(name)`, `updateTag(id, name)` (a rename), `deleteTag(id)` and `tagContacts(request)`.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint! {
        /// Creates a tag; the name is kept exactly as given ("TAG" and "tag" are two tags).
        createTag("name: string") -> "Tag",
        |args| post_tag(json!({ "name": tag_name(args.arg())? })),
    },
    endpoint! {
        /// Renames the tag with this id.
        updateTag("id: number", "name: string") -> "Tag",
        |args| {
            let id = args.id()?;
            let body = json!({ "id": id, "name": tag_name(args.arg())? });
            Ok(single_of(HttpRequest::post("/tags", body), Read::Model("tag", &TAG), id))
        },
    },
    endpoint! {
        /// Deletes the tag with this id.
        deleteTag("id: number") -> "void",
        |args| {
            Ok(single(
                HttpRequest::delete(text!("/tags/{}", args.id()?)),
                Read::Nothing,
            ))
        },
    },
    endpoint! {
        /// Tags and untags users and leads, 50 per request; what failed is listed in `failed`, and the
        /// call rejects when no batch was answered as done (its `mayHaveActed` says whether one may have tagged).
        tagContacts("request: TagRequest") -> "TagResult",
        |args| {
            Ok(Flow::Tags(TagFlow::new(TagRequest::from_value(
                args.arg(),
            )?)))
        },
    },
];

/// `listTags({ limit? })`.
pub const LIST: Listing = Listing {
    name: "tags",
    key: "tags",
    model: &TAG,
    keep: None,
    options: |options| limit_only("/tags", options),
};

list_methods! {
    LIST("LimitOptions") -> "Tag",
    /// Lists tags, paging until `limit` (default 100, at most 10000) or the end.
    list,
    /// Iterates over tags, one page at a time; `limit` stops early, `cursor` resumes.
    iter,
}

/// Reads a tag name: a string that is not blank.
fn tag_name(value: Value) -> Result<String, Error> {
    match value {
        Value::String(name) => check_name(&name).map(|()| name),
        _ => Err(Error::invalid_argument("the tag name must be a string")),
    }
}

/// `POST /tags` with `body`, which creates or renames a tag.
fn post_tag(body: Value) -> Result<Flow, Error> {
    Ok(single(
        HttpRequest::post("/tags", body),
        Read::Model("tag", &TAG),
    ))
}

/// Most contacts sent in one tagging request.
pub const BATCH_SIZE: usize = 50;

/// The most targets (users and leads together) one `tagContacts` call takes: 200 batches. Each target
/// that fails keeps its own error until the call ends, so that many more would hold that many errors.
pub const MAX_TARGETS: usize = 10_000;

/// Checks a tag name: any text that is not blank.
pub fn check_name(name: &str) -> Result<(), Error> {
    match name.trim().is_empty() {
        true => Err(Error::invalid_argument("the tag name must not be empty")),
        false => Ok(()),
    }
}

/// One contact to tag or untag, as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactTarget {
    /// The target as given, to report it back in `failed`.
    pub given: Value,
    /// How it names the contact, or why it cannot be read.
    pub reference: Result<ContactRef, Error>,
    /// Whether it was given as a user or as a lead: a contact resolved by email or `user_id` must be one.
    pub kind: ContactType,
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
                    return Err(Error::invalid_argument(text!(
                        "request.{} must be an array",
                        key
                    )))
                }
            };
            if targets.len() + list.len() > MAX_TARGETS {
                const _: () = assert!(MAX_TARGETS == 10_000, "the message below names it");
                return Err(Error::invalid_argument(
                    "request names more than 10000 targets (users and leads together): split them into more calls",
                ));
            }
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

/// Reads one target `{ ...ref, untag? }` given as a `kind`; one that cannot be read keeps its error.
pub fn target(given: Value, kind: ContactType) -> ContactTarget {
    let untag = given
        .get("untag")
        .filter(|u| !u.is_null())
        .map(|u| u.as_bool().ok_or(()));
    let reference = match untag {
        Some(Err(())) => Err(Error::invalid_argument("untag must be true or false")),
        _ => ContactRef::from_value(&given, kind, &["untag"]),
    };
    ContactTarget {
        untag: matches!(untag, Some(Ok(true))),
        reference,
        kind,
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
    /// The result as JSON: `{ tag, tagged, untagged, failed: [{ target, error: { code, message,
    /// mayHaveActed, retryAfter? } }] }`.
    pub fn to_value(&self) -> Value {
        let failed: Vec<Value> = self
            .failed
            .iter()
            .map(|f| {
                let mut error = json!({ "code": f.error.code.as_str(), "message": f.error.message.as_str(), "mayHaveActed": f.error.may_have_acted });
                if let (Some(seconds), Value::Object(error)) = (f.error.retry_after, &mut error) {
                    // Whole seconds, rounded up, as an error's own `retryAfter` (no float formatting).
                    error.set("retryAfter", (seconds.max(0.0).ceil() as u64).into());
                }
                json!({ "target": f.target.clone(), "error": error })
            })
            .collect();
        json!({ "tag": Value::Text(crate::json::RawJson::new(self.tag.json.clone())), "tagged": self.tagged, "untagged": self.untagged, "failed": failed })
    }
}
