//! One call's own options (`RequestOptions` in JS, but `signal`, which the runtime keeps): a
//! timeout, a retry count and extra headers that override the client's for this call only.

use crate::config::{check_max_retries, check_timeout};
use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;

/// A call's options; every field falls back to the client's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    /// This call's deadline, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// This call's retries.
    pub max_retries: Option<u32>,
    /// Headers added to every request of this call (never `Authorization`).
    pub headers: Vec<(String, String)>,
}

impl CallOptions {
    /// Reads `{ timeoutMs?, maxRetries?, headers? }`; `null` is no options.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::optional(value, "request options")?;
        let timeout_ms = fields.number("timeoutMs")?;
        let max_retries = fields.number("maxRetries")?;
        let options = Self {
            timeout_ms: timeout_ms
                .map(|ms| check_timeout(Some(ms), 0.0))
                .transpose()?,
            max_retries: max_retries.map(check_max_retries).transpose()?,
            headers: fields.headers("headers")?,
        };
        fields.finish()?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::json;

    #[test]
    fn reads_every_option_and_refuses_bad_ones() {
        let options = CallOptions::from_value(json!({
            "timeoutMs": 500, "maxRetries": 0, "headers": {"Idempotency-Key": "k1"}
        }))
        .expect("valid");
        assert_eq!(options.timeout_ms, Some(500.0));
        assert_eq!(options.max_retries, Some(0));
        assert_eq!(
            options.headers,
            vec![("Idempotency-Key".into(), "k1".into())]
        );
        assert_eq!(
            CallOptions::from_value(Value::Null),
            Ok(CallOptions::default())
        );
        for bad in [
            json!({"maxRetries": -1}),
            json!({"maxRetries": 1.5}),
            json!({"maxRetries": 11}),
            json!({"timeoutMs": 0}),
            json!({"headers": {"authorization": "Bearer x"}}),
            json!({"headers": {"X-A": "a\r\nX-B: b"}}),
            json!({"headers": {"bad name": "x"}}),
            json!({"headers": {"X-N": 1}}),
            json!({"headers": []}),
            json!({"retries": 1}),
        ] {
            let error = CallOptions::from_value(bad.clone()).expect_err("refused");
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
