//! `model!`: each model declared once. One declaration (the model's doc, and each field's doc,
//! JSON name and [`Rule`](super::normalize::Rule)) makes the typed struct with
//! `from_value`/`into_value`, the table the streaming normaliser reads ([`Model`]), and the model's
//! TypeScript declaration (`super::typescript`, on the host). A field's Rust and TypeScript types
//! follow from its rule.

use super::normalize::{self, Model};
use super::ContactType;
use crate::error::Error;
use crate::json::{self, Map, Value};
use crate::text::text;

/// The Rust type of a field read by the rule `$rule`.
macro_rules! field_type {
    (Id) => { u64 };
    (Text) => { Option<String> };
    (TextOrEmpty) => { String };
    (TextOr) => { Option<String> };
    (Whole) => { Option<u64> };
    (WholeIfKnown) => { Option<u64> };
    (Timestamp) => { Option<i64> };
    (Boolean) => { Option<bool> };
    (ContactType) => { $crate::models::ContactType };
}

/// A field's JSON name: the one given, else the field's own.
macro_rules! field_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $key:literal) => {
        $key
    };
}

/// Declares a model: `pub struct Name as CONST, "what" { fields } as_sent { fields }`. Each field
/// is `/// one line of doc` then `name: Rule`, or `name "json_name": Rule`, or
/// `name: TextOr("key")`; each `as_sent` field (TypeScript only: kept as Gist sent it, with every
/// field not named) is `/// doc` then `name: "its TypeScript type"`. Fields are written in the
/// order declared, after the fields not named.
macro_rules! model {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident as $table:ident, $what:literal {
            $(
                #[doc = $field_doc:literal]
                $field:ident $($key:literal)?: $rule:ident $(($arg:literal))?,
            )*
        }
        as_sent {
            $(#[doc = $sent_doc:literal] $sent:ident: $sent_type:literal,)*
        }
    ) => {
        $(#[doc = $doc])*
        ///
        /// With the `serde` feature it (de)serialises as the JSON the JS client gives, through
        /// [`Self::from_value`] and [`Self::into_value`]: Gist's quirks normalised, unknown fields kept.
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(try_from = "crate::json::Value", into = "crate::json::Value"))]
        pub struct $name {
            $(#[doc = $field_doc] pub $field: field_type!($rule),)*
            /// Every other field, as Gist sent it.
            pub other: $crate::json::Map<String, $crate::json::Value>,
        }

        #[doc = concat!("The fields of a [`", stringify!($name), "`] and their rules.")]
        pub const $table: $crate::models::normalize::Model = $crate::models::normalize::Model {
            what: $what,
            fields: &[$((
                field_key!($field $($key)?),
                $crate::models::normalize::Rule::$rule $(($arg))?,
            ),)*],
        };

        impl $name {
            #[cfg(not(target_arch = "wasm32"))]
            #[doc = concat!("Its TypeScript declaration: [`", stringify!($table), "`] and the docs.")]
            // For the npm package's `.d.ts`: its type is under the hidden `internal` module.
            #[doc(hidden)]
            pub const TYPESCRIPT: $crate::models::typescript::Declaration =
                $crate::models::typescript::Declaration {
                    name: stringify!($name),
                    doc: &[$($doc),*],
                    model: &$table,
                    docs: &[$($field_doc),*],
                    as_sent: &[$((stringify!($sent), $sent_type, $sent_doc)),*],
                };

            #[doc = concat!("Reads a ", $what, " object from Gist, normalising its fields.")]
            pub fn from_value(value: $crate::json::Value) -> Result<Self, $crate::error::Error> {
                use $crate::models::declare::Field as _;
                let (values, other) = $crate::models::declare::read(&$table, value)?;
                let mut values = values.into_iter();
                Ok(Self {
                    $($field: <field_type!($rule)>::from_normalized(
                        values.next().unwrap_or_default(),
                    ),)*
                    other,
                })
            }

            #[doc = concat!("The ", $what, " as JSON: the fields not named, then the named ones.")]
            pub fn into_value(self) -> $crate::json::Value {
                $crate::models::declare::write(&$table, vec![$(self.$field.into()),*], self.other)
            }

            /// [`Self::into_value`] of a copy.
            pub fn to_value(&self) -> $crate::json::Value {
                self.clone().into_value()
            }
        }

        impl TryFrom<$crate::json::Value> for $name {
            type Error = $crate::error::Error;

            fn try_from(value: $crate::json::Value) -> Result<Self, Self::Error> {
                Self::from_value(value)
            }
        }

        impl From<$name> for $crate::json::Value {
            fn from(model: $name) -> Self {
                model.into_value()
            }
        }
    };
}

/// A field's Rust type, made from the value its rule normalised (which is always of the right kind).
pub trait Field {
    /// The field, from its normalised value.
    fn from_normalized(value: Value) -> Self;
}

impl Field for u64 {
    fn from_normalized(value: Value) -> Self {
        value.as_u64().unwrap_or_default()
    }
}

impl Field for Option<u64> {
    fn from_normalized(value: Value) -> Self {
        value.as_u64()
    }
}

impl Field for Option<i64> {
    fn from_normalized(value: Value) -> Self {
        value.as_i64()
    }
}

impl Field for Option<bool> {
    fn from_normalized(value: Value) -> Self {
        value.as_bool()
    }
}

impl Field for Option<String> {
    fn from_normalized(value: Value) -> Self {
        match value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl Field for String {
    fn from_normalized(value: Value) -> Self {
        Option::from_normalized(value).unwrap_or_default()
    }
}

impl Field for ContactType {
    fn from_normalized(value: Value) -> Self {
        match value.as_str() {
            Some("user") => Self::User,
            _ => Self::Lead,
        }
    }
}

/// Reads a JSON tree as a `model` object (or its JSON text, as the core hands out a list's items):
/// its fields normalised by the streaming normaliser's rules, in the table's order, and every other
/// field as Gist sent it. The tree is read as it is, not written out and read again.
///
/// # Errors
/// `invalid_response` when `value` is not an object, or the model refuses it.
pub fn read(
    model: &'static Model,
    value: Value,
) -> Result<(Vec<Value>, Map<String, Value>), Error> {
    let mut other = match value {
        Value::Object(map) => map,
        Value::Text(text) => match json::from_str(text.as_str()) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(normalize::not_an_object(model)),
            Err(_) => {
                return Err(Error::invalid_response(text!(
                    "Gist sent a {} too deep to read",
                    model.what
                )))
            }
        },
        _ => return Err(normalize::not_an_object(model)),
    };
    let raw = model
        .fields
        .iter()
        .map(|(name, _)| other.remove(name))
        .collect();
    let kept = normalize::kept_key(model).and_then(|key| other.get(key).cloned());
    Ok((normalize::normalized(model, raw, kept)?, other))
}

/// Writes a `model` object: the fields not named (`other`), then the named ones (`values`, in the
/// table's order) as the streaming normaliser writes them.
pub fn write(model: &Model, values: Vec<Value>, mut other: Map<String, Value>) -> Value {
    for ((name, rule), value) in model.fields.iter().zip(values) {
        if !rule.left_out(&value) {
            other.insert((*name).into(), value);
        }
    }
    Value::Object(other)
}
