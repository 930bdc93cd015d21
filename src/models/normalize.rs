//! The streaming normaliser: Gist's answers read once, without a tree for what no model names. Each
//! model is a table of its fields and their rules, made by the model's declaration
//! (`declare.rs`); an object of that model is written out with every field the table does not
//! name copied as its JSON text (checked, never re-encoded), then the named fields, normalised. The
//! model types' `from_value` reads through it too: each rule is written once, here.

use crate::error::Error;
use crate::json::{self, ParseError, Reader, Value};
use crate::serde_util;
use crate::text::text;

/// How a model's field is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The required numeric id: a whole number or a string of digits.
    Id,
    /// A string (numbers become strings; `""` is null).
    Text,
    /// A string, `""` when unknown.
    TextOrEmpty,
    /// A string, else the kept field `key` when it is a string, else null.
    TextOr(&'static str),
    /// A whole number, or null.
    Whole,
    /// A whole number, left out when unknown.
    WholeIfKnown,
    /// Unix seconds, or null.
    Timestamp,
    /// A boolean ("true"/"false" accepted), or null.
    Boolean,
    /// `"user"` or `"lead"`: Gist's `type`, else whether `user_id` is set.
    ContactType,
}

impl Rule {
    /// Whether a field of this rule is left out of the object written, for its normalised `value`.
    pub fn left_out(self, value: &Value) -> bool {
        self == Self::WholeIfKnown && value.is_null()
    }
}

/// A model: its name (for errors) and its fields, in the order they are written.
#[derive(Debug)]
pub struct Model {
    /// What the object is, as an error names it.
    pub what: &'static str,
    /// The fields the model names, and their rules.
    pub fields: &'static [(&'static str, Rule)],
}

pub use super::campaign::CAMPAIGN;
pub use super::contact::CONTACT;
pub use super::event::EVENT;
pub use super::segment::SEGMENT;
pub use super::tag::TAG;

/// One object read as a model: its normalised JSON text and the values of the model's fields.
#[derive(Debug, Clone)]
pub struct Record {
    /// The object, normalised, as JSON text.
    pub json: String,
    /// The model's fields, normalised, in the table's order (null when unknown).
    pub values: Vec<Value>,
    model: &'static Model,
}

impl Record {
    /// The normalised value of the model's field `name` (null when unknown or not in the model).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.model
            .fields
            .iter()
            .zip(&self.values)
            .find(|((field, _), _)| *field == name)
            .map_or(&NULL, |(_, value)| value)
    }

    /// The record as a JSON value tree.
    pub fn to_value(&self) -> Value {
        json::from_str(&self.json).unwrap_or_default()
    }

    /// The record as a value that is written out as its JSON text.
    pub fn into_value(self) -> Value {
        Value::Text(json::RawJson::new(self.json))
    }
}

/// An object read as a model: its `id` as Gist sent it, and the record, or why the model refuses it.
pub type Read = (Option<Value>, Result<Record, Error>);

/// Reads the value that comes next, inside `depth` arrays or objects, as a `model` object, written
/// into `out` (room for it: the record keeps it). A text that is not JSON is an `Err`; an object the
/// model refuses is read to its end all the same.
pub fn object(
    reader: &mut Reader<'_>,
    depth: usize,
    model: &'static Model,
    mut out: String,
) -> Result<Read, ParseError> {
    let (id, values) = write_object(reader, depth, model, &mut out)?;
    let record = values.map(|values| Record {
        json: out,
        values,
        model,
    });
    Ok((id, record))
}

/// Room to write the one `model` object of an answer `text`: the text's length, and for each of the
/// model's fields its name and value written anew, so that the object is written without growing it.
pub fn room(text: &str, model: &Model) -> String {
    const FIELD: usize = 64;
    String::with_capacity(text.len() + FIELD * model.fields.len())
}

/// An object written: its `id` as Gist sent it, and the model's fields normalised, or why the model
/// refuses the object.
type Written = (Option<Value>, Result<Vec<Value>, Error>);

/// [`object`], written into `out` (cleared first): the object's `id` as Gist sent it, and the
/// model's fields normalised, or why the model refuses the object.
fn write_object(
    reader: &mut Reader<'_>,
    depth: usize,
    model: &'static Model,
    out: &mut String,
) -> Result<Written, ParseError> {
    out.clear();
    if reader.peek() != Some(b'{') {
        reader.skip(depth)?;
        return Ok((None, Err(not_an_object(model))));
    }
    let mut raw: Vec<Option<Value>> = vec![None; model.fields.len()];
    let kept_key = kept_key(model);
    let mut kept = None;
    out.push('{');
    reader.enter(depth)?;
    let mut first = true;
    while reader.more(b'}', first)? {
        first = false;
        let (written, key) = reader.key()?;
        if let Some(slot) = model
            .fields
            .iter()
            .position(|(name, _)| *name == key)
            .and_then(|i| raw.get_mut(i))
        {
            // Every rule reads an array or an object as unknown, whatever it holds: none is built.
            *slot = Some(match reader.peek() {
                Some(b'[' | b'{') => reader.skip(depth + 1).map(|_| Value::Array(Vec::new()))?,
                _ => reader.value(depth + 1)?,
            });
            continue;
        }
        let text = reader.skip(depth + 1)?;
        if Some(key.as_ref()) == kept_key {
            // Only a text is used (the last given): no tree is made of anything else.
            kept = text
                .starts_with('"')
                .then(|| crate::json::from_str(text).ok())
                .flatten();
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(written);
        out.push(':');
        out.push_str(text);
    }
    let id = model
        .fields
        .iter()
        .position(|(name, _)| *name == "id")
        .and_then(|i| raw.get(i))
        .cloned()
        .flatten();
    let values = normalized(model, raw, kept).inspect(|values| {
        for ((name, rule), value) in model.fields.iter().zip(values) {
            if rule.left_out(value) {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            crate::json::push_string(out, name);
            out.push(':');
            crate::json::push_value(out, value);
        }
        out.push('}');
    });
    Ok((id, values))
}

/// The error for a `model` object that is not a JSON object.
pub(crate) fn not_an_object(model: &Model) -> Error {
    Error::invalid_response(text!(
        "Gist sent a {} that is not a JSON object",
        model.what
    ))
}

/// The key of the field that the model's `TextOr` field falls back to, if it has one.
pub(crate) fn kept_key(model: &Model) -> Option<&'static str> {
    model.fields.iter().find_map(|(_, rule)| match rule {
        Rule::TextOr(key) => Some(*key),
        _ => None,
    })
}

/// The most items one list answer may hold: ten times the largest `perPage` (Gist's cap is 60). Each
/// item read is held, normalised, at many times its size: a hostile answer of tiny items stops here.
pub const MAX_PAGE_ITEMS: usize = 10_000;

/// The items of a list answer, read as a model.
#[derive(Debug, Clone)]
pub struct Items {
    /// The items kept, in order.
    pub records: Vec<Record>,
    /// How many items the array held.
    pub count: usize,
    /// The first item's `id`, as Gist sent it.
    pub first_id: Option<Value>,
    /// The last `id` (not null) of its items, as Gist sent it.
    pub last_id: Option<Value>,
    /// A hash of the items that have no id, if any ([`crate::pagination::idless`]).
    pub idless: Option<u64>,
    /// Why the model refused the first item it refused.
    pub error: Option<Error>,
}

/// Reads the array that comes next (inside `depth` arrays or objects) as `model` objects, keeping the
/// records that `keep` accepts; `None` for anything but an array.
pub fn items(
    reader: &mut Reader<'_>,
    depth: usize,
    model: &'static Model,
    keep: &dyn Fn(&Record) -> bool,
) -> Result<Option<Items>, ParseError> {
    if reader.peek() != Some(b'[') {
        reader.skip(depth)?;
        return Ok(None);
    }
    reader.enter(depth)?;
    let mut out = String::new();
    let mut items = Items {
        records: Vec::new(),
        count: 0,
        first_id: None,
        last_id: None,
        idless: None,
        error: None,
    };
    while reader.more(b']', items.count == 0)? {
        if items.count == MAX_PAGE_ITEMS && items.error.is_none() {
            items.error = Some(Error::invalid_response(text!(
                "Gist sent a list of more than {} items in one answer",
                MAX_PAGE_ITEMS
            )));
        }
        if items.error.is_some() {
            reader.skip(depth + 1)?; // the call fails: no id is read
            items.count += 1;
            continue;
        }
        let (id, values) = write_object(reader, depth + 1, model, &mut out)?;
        let record = values.map(|values| Record {
            json: out.as_str().into(),
            values,
            model,
        });
        // An id counts where the model keeps it: one it drops ("", false) names nothing.
        let id = id.filter(|_| {
            record
                .as_ref()
                .is_ok_and(|record| !record.get("id").is_null())
        });
        if items.count == 0 {
            items.first_id = id.clone();
        }
        if id.is_some() {
            items.last_id = id;
        } else if let Ok(record) = &record {
            items.idless = crate::pagination::idless(items.idless, &record.json);
        }
        items.count += 1;
        match record {
            Ok(record) if keep(&record) => items.records.push(record),
            Ok(_) => {}
            Err(error) => items.error = Some(error),
        }
    }
    Ok(Some(items))
}

/// Reads a whole answer: each field of the top-level object goes to `read` (its key, and the reader
/// at its value, inside one object), which returns whether it read the value; the others are checked
/// and skipped. `Ok(false)` when the answer is not an object.
pub fn answer<'t>(
    text: &'t str,
    read: &mut dyn FnMut(&str, &mut Reader<'t>) -> Result<bool, ParseError>,
) -> Result<bool, ParseError> {
    let mut reader = Reader::new(text);
    let is_object = reader.peek() == Some(b'{');
    if is_object {
        reader.enter(0)?;
        let mut first = true;
        while reader.more(b'}', first)? {
            first = false;
            let (_, key) = reader.key()?;
            if !read(&key, &mut reader)? {
                reader.skip(1)?;
            }
        }
    } else {
        reader.skip(0)?;
    }
    reader.finish()?;
    Ok(is_object)
}

/// Reads a list answer `{<key>: [...], pages?}`: its `model` items that `keep` accepts, and whether
/// its `pages` names a next page ([`paging`]).
pub fn list(
    text: &str,
    key: &str,
    model: &'static Model,
    keep: &dyn Fn(&Record) -> bool,
) -> Result<(Option<Items>, Option<bool>), ParseError> {
    let (mut items, mut next) = (None, None);
    answer(text, &mut |name, reader| {
        match name {
            _ if name == key => items = self::items(reader, 1, model, keep)?,
            "pages" => next = paging(reader.skip(1)?)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((items, next))
}

/// What the paging loop reads of a page's `pages` ([`crate::pagination::has_more`]): for an object,
/// whether its `next` is neither missing, null nor `""`; nothing for any other value. Read without a
/// tree, so a large `pages` costs none.
pub fn paging(text: &str) -> Result<Option<bool>, ParseError> {
    let mut next = false;
    let is_object = answer(text, &mut |name, reader| {
        if name != "next" {
            return Ok(false);
        }
        next = !matches!(reader.skip(1)?, "null" | "\"\"");
        Ok(true)
    })?;
    Ok(is_object.then_some(next))
}

/// Reads the answer `{<key>: {...}}` (a `model` object under `key`).
///
/// # Errors
/// The answer's text when it is not JSON; `invalid_response` when the object is missing or refused.
pub fn single(
    text: &str,
    key: &str,
    model: &'static Model,
) -> Result<Result<Record, Error>, ParseError> {
    let mut found = None;
    answer(text, &mut |name, reader| match name == key {
        true => object(reader, 1, model, room(text, model))
            .map(|(_, record)| found = Some(record))
            .map(|()| true),
        false => Ok(false),
    })?;
    Ok(found.unwrap_or_else(|| {
        Err(Error::invalid_response(text!(
            "Gist's answer has no `{}` object",
            key
        )))
    }))
}

/// The model's fields normalised from what was read (`raw`, in the table's order; `kept`: the value
/// of the field a `TextOr` falls back to).
pub(crate) fn normalized(
    model: &Model,
    raw: Vec<Option<Value>>,
    mut kept: Option<Value>,
) -> Result<Vec<Value>, Error> {
    let mut values = Vec::with_capacity(raw.len());
    for ((_, rule), value) in model.fields.iter().zip(raw) {
        values.push(match rule {
            Rule::Id => match value.as_ref().and_then(serde_util::as_whole) {
                Some(id) => Value::from(id),
                None => {
                    return Err(Error::invalid_response(text!(
                        "Gist sent a {} without a numeric id",
                        model.what
                    )))
                }
            },
            Rule::Text => serde_util::string(value).into(),
            Rule::TextOrEmpty => serde_util::string(value).unwrap_or_default().into(),
            Rule::TextOr(_) => serde_util::string(value)
                .or_else(|| match kept.take() {
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                })
                .into(),
            Rule::Whole | Rule::WholeIfKnown => {
                value.as_ref().and_then(serde_util::as_whole).into()
            }
            Rule::Timestamp => serde_util::timestamp(value.as_ref()).into(),
            Rule::Boolean => serde_util::boolean(value.as_ref()).into(),
            Rule::ContactType => match serde_util::string(value).as_deref() {
                Some(kind @ ("user" | "lead")) => kind.into(),
                _ => Value::Null, // decided below, from the normalised `user_id`
            },
        });
    }
    let user_id_set = model
        .fields
        .iter()
        .zip(&values)
        .any(|((name, _), value)| *name == "user_id" && value.is_string());
    for ((_, rule), value) in model.fields.iter().zip(&mut values) {
        if *rule == Rule::ContactType && value.is_null() {
            *value = if user_id_set { "user" } else { "lead" }.into();
        }
    }
    Ok(values)
}
