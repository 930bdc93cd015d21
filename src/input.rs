//! Reading caller input (already JSON) into typed requests, with `invalid_argument` on any mismatch.

use crate::error::Error;
use crate::redact::redact_emails;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads `value` as a `T`; `what` names the argument in the error message.
pub fn parse<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, Error> {
    serde_json::from_value(value)
        .map_err(|e| Error::invalid_argument(redact_emails(&format!("{what}: {e}"))))
}

/// Reads an optional options object: `null` (or `undefined`) gives the defaults.
pub fn parse_options<T: DeserializeOwned + Default>(what: &str, value: Value) -> Result<T, Error> {
    if value.is_null() {
        Ok(T::default())
    } else {
        parse(what, value)
    }
}

/// Checks an optional `limit` against `1..=max`.
pub fn limit(value: Option<f64>, default: Option<u32>, max: u32) -> Result<Option<u32>, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.fract() == 0.0 && v >= 1.0 && v <= f64::from(max) => Ok(Some(v as u32)),
        Some(_) => Err(Error::invalid_argument(format!(
            "limit must be a whole number from 1 to {max}"
        ))),
    }
}
