//! `Serialize` and `Deserialize` for [`Value`] (the `serde` feature), so that the models convert to
//! and from any serde format, `serde_json::Value` included.

use super::{from_str, Map, Value};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(n), _) => serializer.serialize_u64(n),
                (None, Some(n)) => serializer.serialize_i64(n),
                (None, None) => serializer.serialize_f64(n.as_f64()),
            },
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(map) => map.serialize(serializer),
            Self::Text(text) => from_str(text.as_str())
                .map_err(|_| serde::ser::Error::custom("a JSON text that does not parse"))?
                .serialize(serializer),
        }
    }
}

impl Serialize for Map<String, Value> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
}

impl<'de> Deserialize<'de> for Map<String, Value> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(map) => Ok(map),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// A delivery as the JS `parseWebhook` gives it: `{ kind, topic?, contact | conversation, payload }`.
impl Serialize for crate::webhook::WebhookEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

/// Reads back what [`crate::webhook::WebhookEvent`]'s `Serialize` wrote
/// ([`crate::webhook::WebhookEvent::from_value`]).
impl<'de> Deserialize<'de> for crate::webhook::WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(|error| serde::de::Error::custom(&error.message))
    }
}

/// The error as a JS `GistError`'s fields: `{ code, message, status?, errors?, requestId?,
/// retryAfter?, method?, path?, mayHaveActed }`.
impl Serialize for crate::error::Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = Map::new();
        out.set("code", self.code.as_str().into());
        out.set("message", self.message.as_str().into());
        out.set("status", self.status.into());
        let errors = self.errors.iter().map(|item| {
            let mut map = Map::new();
            map.set("code", item.code.as_str().into());
            map.set("message", item.message.as_str().into());
            Value::Object(map)
        });
        out.set("errors", errors.collect());
        out.set("requestId", self.request_id.as_deref().into());
        out.set("retryAfter", self.retry_after.into());
        out.set("method", self.method.map(|m| m.as_str()).into());
        out.set("path", self.path.as_deref().into());
        out.set("mayHaveActed", self.may_have_acted.into());
        out.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use crate::json::{self, Value};

    #[test]
    fn values_go_through_serde_json_unchanged() {
        let text = r#"{"id":179351,"n":-3,"x":1.5,"s":"a","b":true,"z":null,"list":[1,{"k":"v"}]}"#;
        let value = json::from_str(text).expect("parses");
        let through: serde_json::Value = serde_json::to_value(&value).expect("serialises");
        let expected: serde_json::Value = serde_json::from_str(text).expect("parses");
        assert_eq!(through, expected);
        let back: Value = serde_json::from_str(text).expect("deserialises");
        assert_eq!(back, value);
        let raw = Value::Text(crate::json::RawJson::new(r#"{"a":[1]}"#.into()));
        assert_eq!(
            serde_json::to_string(&raw).expect("serialises"),
            r#"{"a":[1]}"#
        );
    }

    #[test]
    fn models_go_through_serde_normalised_with_unknown_fields_kept() {
        let gist = r#"{"id": "179351", "user_id": 100488, "unsubscribed_from_emails": "false", "signed_up_at": "", "plan": {"tier": 2}}"#;
        let contact: crate::models::Contact = serde_json::from_str(gist).expect("deserialises");
        assert_eq!(
            (contact.id, contact.user_id.as_deref()),
            (179_351, Some("100488"))
        );
        assert_eq!(contact.unsubscribed_from_emails, Some(false));
        let out = serde_json::to_value(&contact).expect("serialises");
        assert_eq!(out["plan"]["tier"], 2, "an unknown field is kept");
        assert_eq!(out["type"], "user");
        assert!(serde_json::from_str::<crate::models::Contact>(r#"{"email": "a@b.c"}"#).is_err());
        let error = crate::error::Error::from_status(
            404,
            r#"{"errors": [{"code": "not_found", "message": "no"}]}"#,
        );
        let out = serde_json::to_value(&error).expect("serialises");
        assert_eq!(
            (out["code"].as_str(), out["status"].as_u64()),
            (Some("not_found"), Some(404))
        );
    }
}
