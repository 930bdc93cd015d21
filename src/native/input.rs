//! The arguments of the client's methods, typed. Each becomes the JSON argument the JS method takes
//! (`to_value`), and the core reads it exactly as it reads JS input: one set of checks for both.

use crate::error::Error;
use crate::http::{joined_headers, Method};
use crate::input::{nested_too_deep, MAX_ARGUMENT_BYTES, MAX_ARGUMENT_DEPTH};
use crate::json::{Map, Value};
use crate::resources::contacts::ContactFields;
use crate::text::text;
use std::fmt;

/// An email field as an input's `Debug` shows it, when set: withheld whole, as
/// [`redact_emails`](crate::redact::redact_emails) writes an address (a malformed one is just as
/// personal).
const EMAIL: &str = "[email]";

/// A value as its `Debug` shows it, with every email address in it as `[email]`
/// ([`redact_emails`](crate::redact::redact_emails)): for the fields of an input a caller may have put
/// an address in (a name, a custom property, a request's body). Inputs are what callers log (`?input`
/// in a span): their `Debug` shows no email.
pub(crate) struct NoEmails<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for NoEmails<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match f.alternate() {
            true => format!("{:#?}", self.0),
            false => format!("{:?}", self.0),
        };
        f.write_str(&crate::redact::redact_emails(&shown))
    }
}

/// Sets optional fields: `.name(value)`, a text field taking anything `Into<String>`; `in fields:` first
/// sets them on the struct's `fields`.
macro_rules! setters {
    (in $via:ident: $($(#[doc = $doc:literal])* $field:ident: $type:tt),* $(,)?) => {
        $(setter!([$via] $(#[doc = $doc])* $field: $type);)*
    };
    ($($(#[doc = $doc:literal])* $field:ident: $type:tt),* $(,)?) => {
        $(setter!([] $(#[doc = $doc])* $field: $type);)*
    };
}

/// One setter of [`setters!`] (on `self.$via.$field`, or `self.$field`).
macro_rules! setter {
    ([$($via:ident)?] $(#[doc = $doc:literal])* $field:ident: String) => {
        $(#[doc = $doc])*
        #[must_use]
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self$(.$via)?.$field = Some(value.into());
            self
        }
    };
    ([$($via:ident)?] $(#[doc = $doc:literal])* $field:ident: $type:ty) => {
        $(#[doc = $doc])*
        #[must_use]
        pub fn $field(mut self, value: $type) -> Self {
            self$(.$via)?.$field = Some(value);
            self
        }
    };
}

/// Puts `value` under `key` when it is set.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        map.insert(key.into(), value.into());
    }
}

/// A `user_id` as [`ContactRef::user_id`] and [`ContactInput::user`] take it: a string (of digits, which
/// the call checks) or an integer. Not a float, which does not compile: JS refuses one past 2^53 - 1
/// (`invalid_argument`), and past it an `f64` names another id than the one written.
#[diagnostic::on_unimplemented(
    message = "a user_id is an integer or a string of digits, not `{Self}`",
    note = "user_id must be a whole number up to 2^53 - 1 (past it, a string of digits): a float past it names another id"
)]
pub trait IntoUserId {
    /// The `user_id` as sent: the string, or the integer's digits.
    fn into_user_id(self) -> String;
}

/// [`IntoUserId`] for each string type, and each integer type, its reference and its `NonZero`.
macro_rules! user_ids {
    (strings: $($string:ty),*; integers: $($integer:ty),*) => {
        $(impl IntoUserId for $string {
            fn into_user_id(self) -> String {
                self.into()
            }
        })*
        $(impl IntoUserId for $integer {
            fn into_user_id(self) -> String {
                self.to_string()
            }
        }
        impl IntoUserId for &$integer {
            fn into_user_id(self) -> String {
                self.to_string()
            }
        }
        impl IntoUserId for std::num::NonZero<$integer> {
            fn into_user_id(self) -> String {
                self.to_string()
            }
        })*
    };
}
user_ids! {
    strings: &str, String, &String, Box<str>, std::borrow::Cow<'_, str>;
    integers: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
}

/// Which contact: by Gist's id, your `user_id`, or email (`ContactRef` in JS). Its `Debug` shows no
/// email.
#[derive(Clone, PartialEq, Eq)]
pub enum ContactRef {
    /// Gist's internal id.
    Id(u64),
    /// Your own id for a user (whole number, as digits).
    UserId(String),
    /// The contact's email address.
    Email(String),
}

impl fmt::Debug for ContactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.debug_tuple("Id").field(id).finish(),
            Self::UserId(user_id) => f.debug_tuple("UserId").field(&NoEmails(user_id)).finish(),
            Self::Email(_) => f.debug_tuple("Email").field(&EMAIL).finish(),
        }
    }
}

impl ContactRef {
    /// By Gist's internal id.
    pub fn id(id: u64) -> Self {
        Self::Id(id)
    }

    /// By your own id for a user: an integer, or a string of digits.
    pub fn user_id(user_id: impl IntoUserId) -> Self {
        Self::UserId(user_id.into_user_id())
    }

    /// By email address.
    pub fn email(email: impl Into<String>) -> Self {
        Self::Email(email.into())
    }

    /// `{ id } | { user_id } | { email }`.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        match self {
            Self::Id(id) => map.set("id", (*id).into()),
            Self::UserId(user_id) => map.set("user_id", user_id.as_str().into()),
            Self::Email(email) => map.set("email", email.as_str().into()),
        };
        Value::Object(map)
    }
}

/// A contact to create, or changes to one (JS's `NewUser`, `UserChanges`, `NewLead`, `LeadChanges`):
/// only the fields set are sent. Its `Debug` shows no email.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ContactInput {
    /// Your own id for the user (required to create a user; a lead has none).
    pub user_id: Option<String>,
    /// The contact's other writable fields: `email`, `name`, `tags`, `custom_properties`, ...
    pub fields: ContactFields,
}

impl fmt::Debug for ContactInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactInput")
            .field("user_id", &NoEmails(&self.user_id))
            .field("fields", &self.fields)
            .finish()
    }
}

impl ContactInput {
    /// A user with your own id for it (an integer, or a string of digits).
    pub fn user(user_id: impl IntoUserId) -> Self {
        Self {
            user_id: Some(user_id.into_user_id()),
            ..Self::default()
        }
    }

    /// A lead (no `user_id`), or changes with nothing set yet.
    pub fn lead() -> Self {
        Self::default()
    }

    setters! { in fields:
        /// Sets `email`.
        email: String,
        /// Sets `name`.
        name: String,
        /// Sets `phone`.
        phone: String,
        /// Sets `last_seen_ip`.
        last_seen_ip: String,
        /// Sets `last_seen_user_agent`.
        last_seen_user_agent: String,
        /// Sets `unsubscribed_from_emails`.
        unsubscribed_from_emails: bool,
        /// Sets `signed_up_at` (Unix seconds).
        signed_up_at: u64,
    }

    /// Adds a tag name.
    #[must_use]
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.fields
            .tags
            .get_or_insert_with(Vec::new)
            .push(name.into());
        self
    }

    /// Sets a custom property. A float that is not finite (NaN, ±∞) fails the call `invalid_argument`,
    /// unsent (as `null`, which JSON would make it, it may clear the property in Gist).
    #[must_use]
    pub fn custom(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let custom = self.fields.custom_properties.get_or_insert_with(Map::new);
        dismantle(custom.insert(name.into(), value.into()));
        self
    }

    /// The JS object: the fields that are set.
    pub fn to_value(&self) -> Value {
        let mut map = self.fields.to_body();
        put(&mut map, "user_id", self.user_id.as_deref());
        Value::Object(map)
    }

    /// [`Self::to_value`], its custom properties moved, not copied (a copy recurses through them).
    pub(crate) fn into_value(mut self) -> Value {
        let custom = self.fields.custom_properties.take();
        let mut map = self.fields.to_body();
        put(&mut map, "custom_properties", custom.map(Value::Object));
        put(&mut map, "user_id", self.user_id);
        Value::Object(map)
    }
}

/// No email: [`ContactInput`]'s fields, as its `Debug` shows them (the type is the core's, shared with
/// the wasm build, which never prints it).
impl fmt::Debug for ContactFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactFields")
            .field("email", &self.email.as_ref().map(|_| EMAIL))
            .field("name", &NoEmails(&self.name))
            .field("phone", &NoEmails(&self.phone))
            .field("last_seen_ip", &NoEmails(&self.last_seen_ip))
            .field(
                "last_seen_user_agent",
                &NoEmails(&self.last_seen_user_agent),
            )
            .field("unsubscribed_from_emails", &self.unsubscribed_from_emails)
            .field("signed_up_at", &self.signed_up_at)
            .field("tags", &NoEmails(&self.tags))
            .field("custom_properties", &NoEmails(&self.custom_properties))
            .finish()
    }
}

/// The options of `list_users`, `list_leads`, `users` and `leads`.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ListContacts {
    /// The most contacts returned: for a `list_*`, 100 by default and at most 10 000; a walk has none.
    pub limit: Option<u32>,
    /// Only the contacts of this segment.
    pub segment_id: Option<u64>,
    /// Only the contacts with this tag.
    pub tag_id: Option<u64>,
    /// Only the contacts created since (Unix seconds).
    pub created_since: Option<u64>,
    /// Only the contacts of this status.
    pub status: Option<String>,
    /// `created_at`, `last_seen_at`, `signed_up_at` or `updated_at`.
    pub order_by: Option<String>,
    /// `asc` or `desc` (the default).
    pub order: Option<String>,
    /// Resumes a walk: a page's `cursor` (it carries the filters: pass only `limit` with it).
    pub cursor: Option<String>,
}

impl ListContacts {
    setters! {
        /// Sets `limit`.
        limit: u32,
        /// Sets `segment_id`.
        segment_id: u64,
        /// Sets `tag_id`.
        tag_id: u64,
        /// Sets `created_since`.
        created_since: u64,
        /// Sets `status`.
        status: String,
        /// Sets `order_by`.
        order_by: String,
        /// Sets `order`.
        order: String,
        /// Sets `cursor`.
        cursor: String,
    }

    /// The JS options object.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put(&mut map, "limit", self.limit);
        put(&mut map, "segment_id", self.segment_id);
        put(&mut map, "tag_id", self.tag_id);
        put(&mut map, "created_since", self.created_since);
        put(&mut map, "status", self.status.as_deref());
        put(&mut map, "order_by", self.order_by.as_deref());
        put(&mut map, "order", self.order.as_deref());
        put(&mut map, "cursor", self.cursor.as_deref());
        Value::Object(map)
    }
}

impl fmt::Debug for ListContacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListContacts")
            .field("limit", &self.limit)
            .field("segment_id", &self.segment_id)
            .field("tag_id", &self.tag_id)
            .field("created_since", &self.created_since)
            .field("status", &NoEmails(&self.status))
            .field("order_by", &NoEmails(&self.order_by))
            .field("order", &NoEmails(&self.order))
            .field("cursor", &NoEmails(&self.cursor))
            .finish()
    }
}

/// The options of `list_segments` and `segments`.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ListSegments {
    /// The most segments returned.
    pub limit: Option<u32>,
    /// Whether Gist counts each segment's contacts.
    pub include_count: Option<bool>,
    /// Resumes a walk: a page's `cursor`.
    pub cursor: Option<String>,
}

impl ListSegments {
    setters! {
        /// Sets `limit`.
        limit: u32,
        /// Sets `include_count`.
        include_count: bool,
        /// Sets `cursor`.
        cursor: String,
    }

    /// The JS options object.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put(&mut map, "limit", self.limit);
        put(&mut map, "include_count", self.include_count);
        put(&mut map, "cursor", self.cursor.as_deref());
        Value::Object(map)
    }
}

/// A cursor is any text a caller passes: an email given as one is shown as `[email]`.
impl fmt::Debug for ListSegments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListSegments")
            .field("limit", &self.limit)
            .field("include_count", &self.include_count)
            .field("cursor", &NoEmails(&self.cursor))
            .finish()
    }
}

/// The options of the lists with no filters: tags, campaigns, events.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ListOptions {
    /// The most items returned.
    pub limit: Option<u32>,
    /// Resumes a walk: a page's `cursor`.
    pub cursor: Option<String>,
}

impl ListOptions {
    setters! {
        /// Sets `limit`.
        limit: u32,
        /// Sets `cursor`.
        cursor: String,
    }

    /// The JS options object.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put(&mut map, "limit", self.limit);
        put(&mut map, "cursor", self.cursor.as_deref());
        Value::Object(map)
    }
}

/// A cursor is any text a caller passes: an email given as one is shown as `[email]`.
impl fmt::Debug for ListOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListOptions")
            .field("limit", &self.limit)
            .field("cursor", &NoEmails(&self.cursor))
            .finish()
    }
}

/// One contact to tag or untag (JS's `ContactTarget`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagTarget {
    /// The contact.
    pub contact: ContactRef,
    /// Removes the tag instead of adding it.
    pub untag: bool,
}

impl TagTarget {
    /// `{ ...ref, untag? }`.
    pub fn to_value(&self) -> Value {
        let mut value = self.contact.to_value();
        if let (Value::Object(map), true) = (&mut value, self.untag) {
            map.set("untag", true.into());
        }
        value
    }
}

/// Tag or untag many users and leads at once (JS's `TagRequest`). Its `Debug` shows no email.
#[derive(Clone, PartialEq, Eq)]
pub struct TagRequest {
    /// The tag's name (created when missing).
    pub tag: String,
    /// Users to tag or untag.
    pub users: Vec<TagTarget>,
    /// Leads to tag or untag.
    pub leads: Vec<TagTarget>,
}

impl fmt::Debug for TagRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TagRequest")
            .field("tag", &NoEmails(&self.tag))
            .field("users", &self.users)
            .field("leads", &self.leads)
            .finish()
    }
}

impl TagRequest {
    /// A request for the tag `name`, with no contacts yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            tag: name.into(),
            users: Vec::new(),
            leads: Vec::new(),
        }
    }

    /// Tags a user.
    #[must_use]
    pub fn user(mut self, contact: ContactRef) -> Self {
        self.users.push(TagTarget {
            contact,
            untag: false,
        });
        self
    }

    /// Untags a user.
    #[must_use]
    pub fn untag_user(mut self, contact: ContactRef) -> Self {
        self.users.push(TagTarget {
            contact,
            untag: true,
        });
        self
    }

    /// Tags a lead.
    #[must_use]
    pub fn lead(mut self, contact: ContactRef) -> Self {
        self.leads.push(TagTarget {
            contact,
            untag: false,
        });
        self
    }

    /// Untags a lead.
    #[must_use]
    pub fn untag_lead(mut self, contact: ContactRef) -> Self {
        self.leads.push(TagTarget {
            contact,
            untag: true,
        });
        self
    }

    /// `{ tag, users?, leads? }`.
    pub fn to_value(&self) -> Value {
        let targets = |list: &[TagTarget]| list.iter().map(TagTarget::to_value).collect::<Value>();
        let mut map = Map::new();
        map.set("tag", self.tag.as_str().into());
        if !self.users.is_empty() {
            map.set("users", targets(&self.users));
        }
        if !self.leads.is_empty() {
            map.set("leads", targets(&self.leads));
        }
        Value::Object(map)
    }
}

/// A tracked event to record (JS's `NewEvent`); its name is normalised when sent. Its `Debug` shows no
/// email.
#[derive(Clone, PartialEq)]
pub struct NewEvent {
    /// The event's name, as given (`completed.order` is stored as `completed-order`).
    pub event_name: String,
    /// The user or lead it belongs to.
    pub contact: ContactRef,
    /// Whether `contact` is a lead (else a user).
    pub lead: bool,
    /// Free-form properties.
    pub properties: Option<Map<String, Value>>,
    /// When it happened, Unix seconds (default: when Gist receives it).
    pub occurred_at: Option<u64>,
}

impl fmt::Debug for NewEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewEvent")
            .field("event_name", &NoEmails(&self.event_name))
            .field("contact", &self.contact)
            .field("lead", &self.lead)
            .field("properties", &NoEmails(&self.properties))
            .field("occurred_at", &self.occurred_at)
            .finish()
    }
}

impl NewEvent {
    /// An event of a user.
    pub fn user(event_name: impl Into<String>, user: ContactRef) -> Self {
        Self {
            event_name: event_name.into(),
            contact: user,
            lead: false,
            properties: None,
            occurred_at: None,
        }
    }

    /// An event of a lead.
    pub fn lead(event_name: impl Into<String>, lead: ContactRef) -> Self {
        Self {
            lead: true,
            ..Self::user(event_name, lead)
        }
    }

    /// Sets a property. A float that is not finite (NaN, ±∞) fails the call `invalid_argument`, unsent.
    #[must_use]
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let properties = self.properties.get_or_insert_with(Map::new);
        dismantle(properties.insert(name.into(), value.into()));
        self
    }

    /// Sets `occurred_at` (Unix seconds).
    #[must_use]
    pub fn occurred_at(mut self, unix_seconds: u64) -> Self {
        self.occurred_at = Some(unix_seconds);
        self
    }

    /// `{ event_name, user | lead, properties?, occurred_at? }`.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// [`Self::to_value`], its properties moved, not copied (a copy recurses through them).
    pub(crate) fn into_value(self) -> Value {
        let mut map = Map::new();
        map.set("event_name", self.event_name.into());
        let who = if self.lead { "lead" } else { "user" };
        map.set(who, self.contact.to_value());
        put(&mut map, "properties", self.properties.map(Value::Object));
        put(&mut map, "occurred_at", self.occurred_at);
        Value::Object(map)
    }
}

/// Any request to a path of the API (JS's `apiCall` argument): answered whatever its status. Its
/// `Debug` shows no header's value (a header may carry a secret or an email: `http::shown_headers`), and
/// no email in its path, query or body.
#[derive(Clone, PartialEq)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// A path relative to the base URL, starting with `/` (an absolute URL is refused).
    pub url: String,
    /// Extra headers (never `Authorization`).
    pub headers: Vec<(String, String)>,
    /// Query parameters.
    pub query: Vec<(String, Value)>,
    /// A JSON body (not for GET or DELETE).
    pub body: Option<Value>,
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &NoEmails(&self.url))
            .field("headers", &crate::http::shown_headers(&self.headers))
            .field("query", &NoEmails(&self.query))
            .field("body", &NoEmails(&self.body))
            .finish()
    }
}

impl ApiRequest {
    /// A request with `method` to `path`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            url: path.into(),
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }

    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// A POST of `body` to `path`.
    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::Post, path).json(body)
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter (a string, number or boolean).
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        dismantle(self.body.replace(body));
        self
    }

    /// `{ url, method, headers?, query?, body? }`: a header added twice once, its values joined with
    /// `, ` (as HTTP reads them).
    ///
    /// # Errors
    /// `invalid_argument` when a query parameter is added twice (JS's query, an object, cannot name one
    /// twice, and what Gist makes of a repeated one is unknown).
    pub fn to_value(&self) -> Result<Value, Error> {
        self.clone().into_value()
    }

    /// [`Self::to_value`], its query and body moved, not copied (a copy recurses through them).
    pub(crate) fn into_value(self) -> Result<Value, Error> {
        let mut named = std::collections::HashSet::new();
        if let Some((name, _)) = self.query.iter().find(|(name, _)| !named.insert(name)) {
            let error = Error::invalid_argument(format!(
                "request.query.{name} is given twice: name each parameter once"
            ));
            dismantle(
                self.query
                    .into_iter()
                    .map(|(_, value)| value)
                    .chain(self.body),
            );
            return Err(error);
        }
        let mut map = Map::new();
        map.set("url", self.url.into());
        map.set("method", self.method.as_str().into());
        if !self.headers.is_empty() {
            map.set("headers", Value::Object(joined_headers(&self.headers)));
        }
        if !self.query.is_empty() {
            let query = self.query.into_iter().collect();
            map.set("query", Value::Object(query));
        }
        put(&mut map, "body", self.body);
        Ok(Value::Object(map))
    }
}

/// The arguments of a call, refused (`invalid_argument`, as JS refuses them) when one nests deeper than
/// JS reads, before anything copies, writes or sends them: each of those recurses through a value and
/// can overflow the stack (a refused value is taken apart without recursion, not dropped); when one
/// holds a float that is NaN or ±∞ (JSON has no text for one: it would go as `null`, which may clear a
/// field in Gist); or when one is more than [`MAX_ARGUMENT_BYTES`] as JSON.
pub(crate) fn within_limits(args: Vec<Value>) -> Result<Vec<Value>, Error> {
    let unsendable = args
        .iter()
        .find_map(|arg| unsendable(arg, MAX_ARGUMENT_DEPTH));
    if let Some(why) = unsendable {
        dismantle(args);
        return Err(match why {
            Unsendable::TooDeep => nested_too_deep(),
            Unsendable::NotFinite => Error::invalid_argument(
                "an argument holds a number that is not finite (NaN or ±∞), which JSON cannot carry",
            ),
        });
    }
    match args
        .iter()
        .any(|arg| arg.to_json().len() > MAX_ARGUMENT_BYTES)
    {
        true => Err(Error::invalid_argument(text!(
            "an argument is more than {} bytes as JSON",
            MAX_ARGUMENT_BYTES
        ))),
        false => Ok(args),
    }
}

/// Why an argument cannot be sent as JS would send it.
enum Unsendable {
    /// Arrays and objects nest deeper than JS reads.
    TooDeep,
    /// A number is NaN or ±∞.
    NotFinite,
}

/// What in `value` cannot be sent: arrays and objects nested more than `max` deep (a plain value nests
/// none), or a number that is not finite; iterative.
fn unsendable(value: &Value, max: usize) -> Option<Unsendable> {
    // Each value still to look into, with how many arrays and objects hold it.
    let mut open: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((value, outside)) = open.pop() {
        match value {
            Value::Array(_) | Value::Object(_) if outside >= max => {
                return Some(Unsendable::TooDeep)
            }
            Value::Array(items) => open.extend(items.iter().map(|item| (item, outside + 1))),
            Value::Object(map) => open.extend(map.values().map(|item| (item, outside + 1))),
            Value::Number(n) if !n.is_json() => return Some(Unsendable::NotFinite),
            _ => {}
        }
    }
    None
}

/// Drops `values` one array or object at a time, emptied first: `Value`'s own drop recurses through
/// it, and overflows the stack on a value nested some thousands deep.
fn dismantle(values: impl IntoIterator<Item = Value>) {
    let mut left: Vec<Value> = values.into_iter().collect();
    while let Some(value) = left.pop() {
        match value {
            Value::Array(items) => left.extend(items),
            Value::Object(map) => left.extend(map.into_iter().map(|(_, value)| value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ContactInput;
    use crate::json;

    #[test]
    fn a_contact_lists_options_show_no_email() {
        let options = super::ListContacts::default()
            .status("ada@example.com")
            .order_by("bob@example.com")
            .limit(5);
        for shown in [format!("{options:?}"), format!("{options:#?}")] {
            assert!(!shown.contains('@'), "{shown}");
            assert!(shown.contains("limit") && shown.contains('5'), "{shown}");
        }
    }

    #[test]
    fn an_argument_of_more_than_8_mib_as_json_is_refused() {
        use super::{within_limits, MAX_ARGUMENT_BYTES};
        use crate::json::Value;
        let string = |length: usize| Value::String("x".repeat(length));
        assert!(
            within_limits(vec![string(MAX_ARGUMENT_BYTES - 2)]).is_ok(),
            "quoted: the cap"
        );
        let error = within_limits(vec![Value::Null, string(MAX_ARGUMENT_BYTES - 1)])
            .expect_err("a byte past it");
        assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
        assert!(
            error.message.contains("8388608 bytes as JSON"),
            "{}",
            error.message
        );
    }

    /// The check and the refusal look at each level in a loop: on a thread of 128 KB, far less than a
    /// recursion through 100,000 levels takes, a value that deep is refused and taken apart.
    /// A value of `depth` arrays, or of objects, each in the next, built in a loop.
    fn nested(depth: usize, object: bool) -> crate::json::Value {
        use crate::json::{Map, Value};
        let mut value = Value::Null;
        for _ in 0..depth {
            value = match object {
                true => Value::Object(Map::from_iter([("k".to_owned(), value)])),
                false => Value::Array(vec![value]),
            };
        }
        value
    }

    /// Runs `run` on a thread of 128 KB, far less than a recursion through 100,000 levels takes.
    fn on_a_small_stack<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(128 << 10)
            .spawn(run)
            .expect("a thread")
            .join()
            .expect("no overflow")
    }

    #[test]
    fn the_depth_check_and_the_refusal_do_not_recurse() {
        use super::{within_limits, MAX_ARGUMENT_DEPTH};
        use crate::json::Value;
        for object in [false, true] {
            assert!(within_limits(vec![Value::Null, nested(MAX_ARGUMENT_DEPTH, object)]).is_ok());
            let error = within_limits(vec![Value::Null, nested(MAX_ARGUMENT_DEPTH + 1, object)])
                .expect_err("one level too deep");
            assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
            let deep = nested(100_000, object);
            assert!(on_a_small_stack(move || within_limits(vec![deep]).is_err()));
        }
    }

    /// A deep value an input lets go of (a query parameter given twice, a property or a body set
    /// again) is taken apart in a loop, not dropped: a drop recurses through it.
    #[test]
    fn a_deep_value_given_twice_or_replaced_does_not_overflow_the_stack() {
        use super::{ApiRequest, ContactRef, NewEvent};
        let (query, body) = (nested(100_000, false), nested(100_000, true));
        let error = on_a_small_stack(move || {
            let request = ApiRequest::get("/tags")
                .query("q", query)
                .query("q", 1)
                .json(body);
            request.into_value().expect_err("q given twice")
        });
        assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
        assert!(error.message.contains("given twice"), "{}", error.message);
        let (custom, property, body) = (
            nested(100_000, true),
            nested(100_000, false),
            nested(100_000, false),
        );
        on_a_small_stack(move || {
            let _ = ContactInput::default().custom("k", custom).custom("k", 1);
            let _ = NewEvent::user("e", ContactRef::id(1))
                .property("k", property)
                .property("k", 1);
            let _ = ApiRequest::get("/tags").json(body).json(1.into());
        });
    }

    #[test]
    fn a_contact_input_is_one_flat_object_as_the_js_argument() {
        let input = ContactInput::user(42)
            .email("ada@example.com")
            .tag("vip")
            .custom("plan", "pro");
        let expected = json!({
            "email": "ada@example.com",
            "tags": ["vip"],
            "custom_properties": {"plan": "pro"},
            "user_id": "42",
        });
        assert_eq!(input.to_value(), expected);
    }
}
