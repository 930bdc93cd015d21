//! What users and leads share: naming a contact, the writable fields, and the calls on `/contacts`.
//!
//! Gist's `POST /contacts` is an upsert (docs/gist-api.md, "Create and update: one upsert"), so
//! `update` first makes sure the contact exists and is of the asked type, then posts the changes
//! with the contact's `id` (and, for a user, its current `user_id`; for a lead, its email) as the
//! match keys. `delete` checks the type the same way and deletes by id, so `deleteUser` can never
//! remove a lead.

use crate::error::Error;
use crate::flows::{Act, ContactFlow, Flow, Listing, Single};
use crate::http::HttpRequest;
use crate::input::Fields;
use crate::input::{positive_id, safe_whole};
use crate::json::{Map, ParseError, Value};
use crate::models::normalize::{self, Items, CONTACT};
use crate::models::{ContactType, Record};
use crate::text::text;

/// Largest `limit` of a list call.
pub const MAX_LIMIT: u32 = 10_000;
/// `limit` of a list call when none is given.
pub const DEFAULT_LIMIT: u32 = 100;

/// How a caller names a contact: Gist's id, your `user_id`, or the email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactRef {
    /// Gist's internal id.
    Id(u64),
    /// Your own user id (digits).
    UserId(String),
    /// The email address.
    Email(String),
}

impl ContactRef {
    /// Reads `{id}`, `{user_id}` or `{email}` (exactly one, the others absent or `null`); `extra` names
    /// other keys that may appear.
    pub fn from_value(value: &Value, kind: ContactType, extra: &[&str]) -> Result<Self, Error> {
        let keys: &[&str] = match kind {
            ContactType::User => &["id", "user_id", "email"],
            ContactType::Lead => &["id", "email"],
        };
        // In the messages, `{{}}` is the shape in its braces: `{id} | {user_id} | {email}`.
        let shape = keys.join("} | {");
        let object = value.as_object().ok_or_else(|| {
            Error::invalid_argument(text!("name the {} as {{}}", kind.as_str(), shape))
        })?;
        if let Some(unknown) = object
            .keys()
            .find(|k| !keys.contains(&k.as_str()) && !extra.contains(&k.as_str()))
        {
            return Err(Error::invalid_argument(text!(
                "unknown key `{}`: name the {} as {{}}",
                unknown,
                kind.as_str(),
                shape
            )));
        }
        // A key given as `null` counts as not given, as in every reader of caller input.
        let given: Vec<(&String, &Value)> = object
            .iter()
            .filter(|(k, v)| keys.contains(&k.as_str()) && !v.is_null())
            .collect();
        let [(key, value)] = given.as_slice() else {
            return Err(Error::invalid_argument(text!(
                "name the {} by exactly one of {{}}",
                kind.as_str(),
                shape
            )));
        };
        match key.as_str() {
            // A number, as the types say: a string of digits is not coerced into an id.
            "id" => positive_id(value).map(Self::Id),
            "user_id" => UserId::from_value(value).map(|u| Self::UserId(u.0)),
            _ => check_email(value.as_str()).map(|e| Self::Email(e.to_owned())),
        }
    }

    /// The reference for a message: ids are shown, an email never is.
    /// The reference as a message may name it (never an email).
    pub fn describe(&self) -> String {
        match self {
            Self::Id(id) => text!("id {}", id),
            Self::UserId(user_id) => text!("user_id {}", user_id),
            Self::Email(_) => "that email".to_owned(),
        }
    }
}

/// A user id: a whole number, given as a number or a string of digits; sent as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(pub String);

impl UserId {
    /// Reads a whole number (or a string of digits).
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        match value {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Self(s.clone()))
            }
            Value::Number(_) => safe_whole(value)
                .map(|n| Self(text!("{}", n)))
                .ok_or_else(|| {
                    Error::invalid_argument(
                        "user_id must be a whole number up to 2^53 - 1 (past it, a string of digits)",
                    )
                }),
            _ => Err(Error::invalid_argument(
                "user_id must be a whole number (a number or a string of digits)",
            )),
        }
    }
}

/// An email address (white space around it aside) of the characters an unquoted address holds, one the
/// scrubber hides whole however Gist echoes it: one it would show part of (`ada smith@x.io`,
/// `ada(work)@x.io`, `"ada smith"@x.io` echoed as HTML) could reach an error or a log.
fn check_email(email: Option<&str>) -> Result<&str, Error> {
    let address = |e: &str| {
        let e = e.trim();
        e.bytes().all(|b| {
            !b.is_ascii() || b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.@".contains(&b)
        }) && crate::redact::redact_emails(e) == "[email]"
    };
    match email {
        Some(e) if e.contains('@') && address(e) => Ok(e),
        _ => Err(Error::invalid_argument(
            "email must be one address (a local part, an at sign, a domain; no white space, quotes, comments or brackets)",
        )),
    }
}

/// The writable fields of a contact but `user_id` (the seed's Create User / Create Lead fields).
/// Off wasm32 its `Debug` shows no email (`native::input`), and with `serde` it (de)serialises as the JS
/// object (`native::input_serde`); the wasm build never prints it.
#[cfg_attr(target_arch = "wasm32", derive(Debug))]
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ContactFields {
    /// Email address.
    pub email: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The last IP address the contact was seen from.
    pub last_seen_ip: Option<String>,
    /// The last user agent the contact was seen with.
    pub last_seen_user_agent: Option<String>,
    /// Whether the contact unsubscribed from emails.
    pub unsubscribed_from_emails: Option<bool>,
    /// When the user signed up, in Unix seconds.
    pub signed_up_at: Option<u64>,
    /// Tag names to add (created when missing; case-sensitive).
    pub tags: Option<Vec<String>>,
    /// Custom properties: strings, finite numbers, booleans or null (a date as Unix seconds).
    pub custom_properties: Option<Map<String, Value>>,
}

impl ContactFields {
    #[doc(hidden)]
    /// Takes the writable fields out of an input object (the caller finishes it).
    pub fn read(fields: &mut Fields) -> Result<Self, Error> {
        let email = fields.string("email")?;
        if let Some(email) = &email {
            check_email(Some(email))?;
        }
        Ok(Self {
            email,
            name: fields.string("name")?,
            phone: fields.string("phone")?,
            last_seen_ip: fields.string("last_seen_ip")?,
            last_seen_user_agent: fields.string("last_seen_user_agent")?,
            unsubscribed_from_emails: fields.boolean("unsubscribed_from_emails")?,
            signed_up_at: fields.unix_seconds("signed_up_at")?,
            tags: fields.strings("tags")?,
            custom_properties: fields.scalars("custom_properties")?,
        })
    }

    /// The fields that are set, as a JSON body.
    pub fn to_body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        let texts = [
            ("email", &self.email),
            ("name", &self.name),
            ("phone", &self.phone),
            ("last_seen_ip", &self.last_seen_ip),
            ("last_seen_user_agent", &self.last_seen_user_agent),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                body.insert(key.into(), Value::String(value.clone()));
            }
        }
        if let Some(unsubscribed) = self.unsubscribed_from_emails {
            body.set("unsubscribed_from_emails", Value::Bool(unsubscribed));
        }
        if let Some(signed_up_at) = self.signed_up_at {
            body.set("signed_up_at", signed_up_at.into());
        }
        if let Some(tags) = &self.tags {
            body.set(
                "tags",
                tags.iter().map(|t| Value::String(t.clone())).collect(),
            );
        }
        if let Some(properties) = &self.custom_properties {
            body.set("custom_properties", Value::Object(properties.clone()));
        }
        body
    }
}

/// The field to sort a contact list by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactOrderBy {
    /// Creation time.
    CreatedAt,
    /// Last seen time.
    LastSeenAt,
    /// Sign-up time.
    SignedUpAt,
    /// Last update time.
    UpdatedAt,
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending (the default).
    #[default]
    Desc,
}

/// Filters and sorting of `listUsers` / `listLeads` (the seed's List Users fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListContactsOptions {
    /// The most contacts to return: default 100, at most 10000.
    pub limit: Option<f64>,
    /// Only contacts in this segment.
    pub segment_id: Option<u64>,
    /// Only contacts with this tag.
    pub tag_id: Option<u64>,
    /// Only contacts created at or after this Unix time.
    pub created_since: Option<u64>,
    /// Only contacts with this status.
    pub status: Option<String>,
    /// The field to sort by.
    pub order_by: Option<ContactOrderBy>,
    /// The direction; default `"desc"`.
    pub order: Option<SortOrder>,
}

const ORDER_BY: [(&str, ContactOrderBy); 4] = [
    ("created_at", ContactOrderBy::CreatedAt),
    ("last_seen_at", ContactOrderBy::LastSeenAt),
    ("signed_up_at", ContactOrderBy::SignedUpAt),
    ("updated_at", ContactOrderBy::UpdatedAt),
];

impl ContactOrderBy {
    /// The wire name, such as `"created_at"`.
    pub fn as_str(self) -> &'static str {
        ORDER_BY
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("created_at", |(name, _)| name)
    }
}

impl SortOrder {
    /// `"asc"` or `"desc"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl ListContactsOptions {
    /// Reads the options object (`null` or `undefined` gives the defaults).
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::optional(value, "options")?;
        let names = ORDER_BY.map(|(name, _)| name);
        let order_by = fields.choice("order_by", &names)?;
        let options = Self {
            limit: fields.number("limit")?,
            segment_id: fields.whole("segment_id")?,
            tag_id: fields.whole("tag_id")?,
            created_since: fields.unix_seconds("created_since")?,
            status: fields.string("status")?,
            order_by: ORDER_BY
                .iter()
                .find(|(n, _)| Some(*n) == order_by)
                .map(|(_, o)| *o),
            order: fields.choice("order", &["asc", "desc"])?.map(|o| match o {
                "asc" => SortOrder::Asc,
                _ => SortOrder::Desc,
            }),
        };
        fields.finish()?;
        Ok(options)
    }

    /// The list request, without its page parameters.
    pub fn request(&self) -> HttpRequest {
        HttpRequest::get("/contacts")
            .query("order", self.order.unwrap_or_default().as_str())
            .query_opt("order_by", self.order_by.map(ContactOrderBy::as_str))
            .query_opt("segment_id", self.segment_id)
            .query_opt("tag_id", self.tag_id)
            .query_opt("created_since", self.created_since)
            .query_opt("status", self.status.as_deref())
    }
}

/// The request that reads one contact.
pub fn find_request(reference: &ContactRef) -> HttpRequest {
    match reference {
        ContactRef::Id(id) => HttpRequest::get(text!("/contacts/{}", id)),
        ContactRef::UserId(user_id) => HttpRequest::get("/contacts").query("user_id", user_id),
        ContactRef::Email(email) => HttpRequest::get("/contacts").query("email", email),
    }
}

/// Reads the contact of `kind` that `reference` names from an answer's text: `{contact}`, which must not
/// be another one (a server that ignored the query must not have another contact updated or deleted), or,
/// tolerated, `{contacts: [...]}`, of which the first one named and of `kind` is taken (else the first
/// one named, which the caller refuses as of the other type).
///
/// # Errors
/// The text when it is not JSON; `invalid_response` or `not_found` inside when no contact is read.
pub fn read_single(
    text: &str,
    reference: &ContactRef,
    kind: ContactType,
) -> Result<Result<Record, Error>, ParseError> {
    let (mut single, mut list) = (None, None);
    let matches = |contact: &Record| names(contact, reference, false);
    normalize::answer(text, &mut |name, reader| {
        match name {
            "contact" => {
                single =
                    Some(normalize::object(reader, 1, &CONTACT, normalize::room(text, &CONTACT))?.1)
            }
            "contacts" => list = normalize::items(reader, 1, &CONTACT, &matches)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(match (single, list) {
        (Some(contact), _) => contact.and_then(|contact| named(contact, reference, "contact")),
        (None, None) => Err(Error::invalid_response(
            "Gist's answer has no `contact` object",
        )),
        (
            None,
            Some(Items {
                error: Some(error), ..
            }),
        ) => Err(error),
        (None, Some(items)) => {
            let of_kind = items.records.iter().position(|c| is_of_kind(c, kind));
            let mut records = items.records;
            match of_kind.unwrap_or(0) {
                at if at < records.len() => Ok(records.swap_remove(at)),
                _ => Err(Error::not_found("no contact matches")),
            }
        }
    })
}

/// `record`, a `what` (a contact; by id, a segment, a campaign or a tag), if it is the one `reference`
/// names (its id, `user_id` or email); else `invalid_response`: Gist answered about another.
pub fn named(record: Record, reference: &ContactRef, what: &str) -> Result<Record, Error> {
    if names(&record, reference, true) {
        return Ok(record);
    }
    Err(Error::invalid_response(text!(
        "Gist answered with a {} other than {}",
        what,
        reference.describe()
    )))
}

/// Whether `contact` carries the id, `user_id` or email that `reference` names (an email in any ASCII
/// case, without the white space around it). `lenient`, an email with letters outside ASCII is named by
/// one that agrees with it in every ASCII character, in any case, the others left out: Gist may match
/// `Åsa` for `åsa`, which only Unicode's tables, 7 KB of the `.wasm`, could tell; `zoë@a.org` never
/// names `ada@b.org`.
fn names(contact: &Record, reference: &ContactRef, lenient: bool) -> bool {
    match reference {
        ContactRef::Id(id) => contact.get("id").as_u64() == Some(*id),
        ContactRef::UserId(user_id) => contact.get("user_id").as_str() == Some(user_id),
        ContactRef::Email(email) => contact.get("email").as_str().is_some_and(|given| {
            let (given, email) = (given.trim(), email.trim()); // as a server may store it
            given.eq_ignore_ascii_case(email)
                || (lenient
                    && !(given.is_ascii() && email.is_ascii())
                    && ascii_lowered(given).eq(ascii_lowered(email)))
        }),
    }
}

/// The ASCII bytes of `text`, in lower case, the others left out.
fn ascii_lowered(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.bytes()
        .filter(u8::is_ascii)
        .map(|b| b.to_ascii_lowercase())
}

/// The not-found error for `contact`, found by `reference`, unless it is of `kind`.
///
/// # Errors
/// `not_found`: "{reference} is a lead, not a user".
pub fn check_kind(
    contact: &Record,
    reference: &ContactRef,
    kind: ContactType,
) -> Result<(), Error> {
    if is_of_kind(contact, kind) {
        return Ok(());
    }
    let other = match kind {
        ContactType::User => "a lead",
        ContactType::Lead => "a user",
    };
    Err(Error::not_found(text!(
        "{} is {}, not a {}",
        reference.describe(),
        other,
        kind.as_str()
    )))
}

/// Whether a contact record is of type `kind`.
pub fn is_of_kind(contact: &Record, kind: ContactType) -> bool {
    contact.get("type").as_str() == Some(kind.as_str())
}

/// Creates or updates a contact (`POST /contacts`, an upsert) with `body`; the answer must name the
/// contact by the body's `user_id`, else its email (an upsert may match another contact first).
pub fn create(body: Map<String, Value>) -> Flow {
    let text = |key| body.get(key).and_then(Value::as_str).map(str::to_owned);
    let reference = text("user_id")
        .map(ContactRef::UserId)
        .or_else(|| text("email").map(ContactRef::Email));
    let request = HttpRequest::post("/contacts", Value::Object(body));
    Flow::Single(Single::writing(request, reference))
}

/// Finds the contact of `kind` that `reference` names, then does `act`; `instead` says what to use
/// when it is of the other type.
pub fn found(kind: ContactType, reference: ContactRef, instead: &'static str, act: Act) -> Flow {
    Flow::Contact(ContactFlow::new(kind, reference, instead, act))
}

/// The contacts list, keeping contacts of `kind`, as `list{name}` lists it.
pub const fn listing(name: &'static str, kind: ContactType) -> Listing {
    Listing {
        name,
        key: "contacts",
        model: &CONTACT,
        keep: Some(kind),
        options: |options| {
            let options = ListContactsOptions::from_value(options)?;
            Ok((options.request(), options.limit))
        },
    }
}
