//! Lenient readers for Gist's quirks (gist-api.md §10.1-10.2): ids and timestamps as numbers or
//! strings, `user_id`/`phone` as numbers, booleans as "true"/"false", empty strings for "unset".

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An id: a whole number, or a string of digits.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(d)?;
    as_whole(&value).ok_or_else(|| serde::de::Error::custom("an id must be a whole number"))
}

/// A string that may come as a number; `null` and `""` become `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A boolean that may come as `"true"`/`"false"` (or 1/0); anything else is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_f64().map(|n| n != 0.0),
        _ => None,
    })
}

/// Unix seconds that may come as a number or a numeric string; `null`, `""` and junk become `None`.
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(match &value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f as i64),
        _ => None,
    })
}

/// A JSON value as a whole non-negative number, if it is one (a number or a string of digits).
pub fn as_whole(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9_007_199_254_740_992.0)
                .map(|f| f as u64)
        }),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_timestamp")]
        t: Option<i64>,
    }

    fn probe(value: Value) -> Probe {
        serde_json::from_value(value).expect("probe parses")
    }

    #[test]
    fn numbers_become_strings_and_empty_strings_become_none() {
        assert_eq!(
            probe(json!({"s": 9876543210u64})).s.as_deref(),
            Some("9876543210")
        );
        assert_eq!(probe(json!({"s": ""})).s, None);
        assert_eq!(probe(json!({"s": null})).s, None);
    }

    #[test]
    fn string_booleans_become_booleans() {
        assert_eq!(probe(json!({"b": "true"})).b, Some(true));
        assert_eq!(probe(json!({"b": "false"})).b, Some(false));
        assert_eq!(probe(json!({"b": false})).b, Some(false));
        assert_eq!(probe(json!({"b": "maybe"})).b, None);
    }

    #[test]
    fn timestamps_accept_numbers_and_numeric_strings_only() {
        assert_eq!(probe(json!({"t": 1_502_979_465})).t, Some(1_502_979_465));
        assert_eq!(probe(json!({"t": "1502979465"})).t, Some(1_502_979_465));
        assert_eq!(probe(json!({"t": ""})).t, None);
        assert_eq!(probe(json!({"t": "yesterday"})).t, None);
        assert_eq!(probe(json!({"t": 0})).t, Some(0));
    }

    #[test]
    fn whole_numbers_come_from_numbers_or_digit_strings() {
        assert_eq!(as_whole(&json!(42)), Some(42));
        assert_eq!(as_whole(&json!(42.0)), Some(42));
        assert_eq!(as_whole(&json!("42")), Some(42));
        assert_eq!(as_whole(&json!(4.5)), None);
        assert_eq!(as_whole(&json!(-1)), None);
        assert_eq!(as_whole(&json!("4a")), None);
        assert_eq!(as_whole(&json!("")), None);
    }
}
