//! The crate's own JSON: a value tree with numbers kept as their JSON text, objects in insertion
//! order, a strict parser and a compact writer. It replaces serde_json: the `.wasm` needs only this
//! much of JSON, and carries no float formatting, no `BTreeMap` and no serde machinery.

mod index;
mod macros;
mod map;
mod number;
mod parse;
#[cfg(feature = "serde")]
mod serde;
mod write;

pub use map::Map;
pub use number::write_u64 as push_u64;
pub use number::Number;
pub use number::{digits_value, parse_i64};
pub(crate) use parse::MAX_DEPTH;
pub use parse::{from_str, read_object_unbounded, ParseError, Reader};
pub use write::string as push_string;
pub use write::value as push_value;

/// A JSON value. One the crate parses is at most 128 levels deep; one built deeper by hand (tens of
/// thousands of levels) overflows the stack where it is dropped, printed, compared or written.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, exactly as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object; later keys replace earlier ones.
    Object(Map<String, Value>),
    /// A value already written as JSON text (checked, and written out as it is): what the streaming
    /// normaliser ([`crate::models::normalize`]) makes, so that it is never parsed into a tree. Only
    /// the crate makes one: text written out unchecked could forge the JSON around it.
    Text(RawJson),
}

/// JSON text that the crate wrote or checked: [`Value::Text`]'s. It cannot be made outside the crate,
/// so no caller's text is written into a request unchecked:
///
/// ```compile_fail
/// let forged = getgist::RawJson::new(r#""pro"}, "email": "evil@example.com""#.to_owned());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RawJson(String);

impl RawJson {
    /// `text`, which the crate wrote or checked as one JSON value.
    pub(crate) fn new(text: String) -> Self {
        Self(text)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON text, as an owned string.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

static NULL: Value = Value::Null;

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as a `u64`, if it is a whole one written without fraction or exponent.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The number as an `i64`, if it is a whole one written without fraction or exponent.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as the nearest `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Self::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        match self {
            Self::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The object, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Map<String, Value>> {
        match self {
            Self::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Self::Array(_))
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Self::String(_))
    }

    /// The field `key` of an object (`None` for a missing key or a non-object).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|map| map.get(key))
    }

    /// The field `key` of an object, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.as_object_mut().and_then(|map| map.get_mut(key))
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// The value as compact JSON text.
    pub fn to_json(&self) -> String {
        self.to_json_sized(0)
    }

    /// [`Self::to_json`] into room for `capacity` bytes reserved up front: with a good guess, a long
    /// text is written without the doubling reallocations that would leave the heap holes.
    pub fn to_json_sized(&self, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        write::value(&mut out, self);
        out
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl std::ops::Index<&str> for Value {
    type Output = Value;

    /// The field `key`, or `null` when missing (as serde_json does).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;

    /// The array item at `index`, or `null` when missing.
    fn index(&self, index: usize) -> &Value {
        self.as_array()
            .and_then(|items| items.get(index))
            .unwrap_or(&NULL)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Self::String(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Self::Number(n)
    }
}

impl From<Map<String, Value>> for Value {
    fn from(map: Map<String, Value>) -> Self {
        Self::Object(map)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Self::Array(items.into_iter().map(Into::into).collect())
    }
}

/// Parses one JSON value.
///
/// ```
/// let value: getgist::Value = r#"{"plan": "pro", "seats": 3}"#.parse().expect("JSON");
/// assert_eq!(value.get("plan").and_then(|plan| plan.as_str()), Some("pro"));
/// assert_eq!("{".parse::<getgist::Value>().expect_err("not JSON").offset, 1);
/// ```
impl std::str::FromStr for Value {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, ParseError> {
        from_str(text)
    }
}

/// A float as its shortest exact decimal, or `null` when not finite. The crate itself never calls
/// it: `core::fmt`'s float printing would add 14 KB to the `.wasm`.
/// NaN and ±∞ are kept (see [`Number::is_json`]): written as `null`, refused in a call's arguments.
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Self::Number(Number::from_f64(n))
    }
}

impl FromIterator<Value> for Value {
    fn from_iter<I: IntoIterator<Item = Value>>(items: I) -> Self {
        Self::Array(items.into_iter().collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

macro_rules! from_integer {
    ($($t:ty)*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Self::Number(Number::from(n))
            }
        }
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                self.as_number() == Some(&Number::from(*other))
            }
        }
    )*};
}
from_integer!(u8 u16 u32 u64 usize i8 i16 i32 i64 isize);

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}
