//! Lenient readers for Gist's quirks (docs/gist-api.md, "Quirks the client normalises"): ids and
//! timestamps as numbers or strings, `user_id`/`phone` as numbers, booleans as "true"/"false",
//! empty strings for "unset". They read `crate::json::Value`s directly: no serde derive code is
//! generated for Gist's answers.

use crate::json::Value;

/// Whether `n` is a JSON number, not a float that was NaN or ±∞: always, in the shipped `.wasm`, which
/// reads every number from JSON (only Rust code makes one from a float).
fn from_json(n: &crate::json::Number) -> bool {
    cfg!(target_arch = "wasm32") || n.is_json()
}

/// A string that may come as a number; `null`, `""` and anything else (a float that was NaN or ±∞,
/// which is `null` as JSON) become `None`.
pub fn string(value: Option<Value>) -> Option<String> {
    match value? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Number(n) if from_json(&n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

/// A boolean that may come as `"true"`/`"false"` (or 1/0); anything else is `None`.
pub fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim() {
            "true" | "TRUE" | "True" | "1" => Some(true),
            "false" | "FALSE" | "False" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) if from_json(n) => Some(n.as_f64() != 0.0),
        _ => None,
    }
}

/// Unix seconds that may come as a number (a fraction truncated) or a numeric string; `null`, `""`,
/// junk and a number past what an `i64` holds (`1e300`) become `None`.
pub fn timestamp(value: Option<&Value>) -> Option<i64> {
    /// 2^63: the first `f64` past `i64::MAX`, and `i64::MIN`'s magnitude, onto which a number just
    /// below `i64::MIN` rounds (`i64::MIN` itself is read exactly, as an integer).
    const PAST_I64: f64 = 9_223_372_036_854_775_808.0;
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| {
            Some(n.as_f64())
                .filter(|f| f.abs() < PAST_I64)
                .map(|f| f as i64)
        }),
        Value::String(s) => crate::json::parse_i64(s.trim()),
        _ => None,
    }
}

/// A JSON value as a whole non-negative number, if it is one (a number or a string of digits).
pub fn as_whole(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            Some(n.as_f64())
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9_007_199_254_740_992.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => crate::json::digits_value(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn numbers_become_strings_and_empty_strings_become_none() {
        assert_eq!(
            string(Some(json!(9876543210u64))).as_deref(),
            Some("9876543210")
        );
        assert_eq!(string(Some(json!(""))), None);
        assert_eq!(string(Some(json!(null))), None);
        assert_eq!(string(None), None);
    }

    #[test]
    fn string_booleans_become_booleans() {
        assert_eq!(boolean(Some(&json!("true"))), Some(true));
        assert_eq!(boolean(Some(&json!("false"))), Some(false));
        assert_eq!(boolean(Some(&json!(false))), Some(false));
        assert_eq!(boolean(Some(&json!("maybe"))), None);
    }

    #[test]
    fn timestamps_accept_numbers_and_numeric_strings_only() {
        assert_eq!(timestamp(Some(&json!(1_502_979_465))), Some(1_502_979_465));
        assert_eq!(timestamp(Some(&json!("1502979465"))), Some(1_502_979_465));
        assert_eq!(timestamp(Some(&json!(""))), None);
        assert_eq!(timestamp(Some(&json!("yesterday"))), None);
        assert_eq!(timestamp(Some(&json!(0))), Some(0));
        let number = |text| json::from_str(text).expect("JSON");
        assert_eq!(
            timestamp(Some(&number("1502979465.9"))),
            Some(1_502_979_465)
        );
        assert_eq!(timestamp(Some(&number("-1.5"))), Some(-1));
        for junk in [
            "1e300",
            "-1e300",
            "9223372036854775808",
            "1e19",
            "-9223372036854775809",
        ] {
            assert_eq!(timestamp(Some(&number(junk))), None, "{junk}");
        }
    }

    #[test]
    fn whole_numbers_come_from_numbers_or_digit_strings() {
        assert_eq!(as_whole(&json!(42)), Some(42));
        assert_eq!(as_whole(&json::from_str("42.0").expect("JSON")), Some(42));
        assert_eq!(as_whole(&json!("42")), Some(42));
        assert_eq!(as_whole(&json::from_str("4.5").expect("JSON")), None);
        assert_eq!(as_whole(&json!(-1)), None);
        assert_eq!(as_whole(&json!("4a")), None);
        assert_eq!(as_whole(&json!("")), None);
    }
}
