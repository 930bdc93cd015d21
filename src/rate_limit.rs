//! What an answer says of the rate limit, read tolerantly from `X-RateLimit-Limit`, `-Remaining` and
//! `-Reset`, or the same without `X-` (docs/gist-api.md: Gist's own headers are unknown).

use crate::json::{self, Map, Value};
use crate::retry::retry_after_seconds;

/// A reset value this large is a Unix time in seconds (after 2001), not seconds from now.
const UNIX_SECONDS_FROM: f64 = 1_000_000_000.0;
/// A reset value this large is a Unix time in milliseconds (after 2001), as some servers send it.
const UNIX_MS_FROM: f64 = 1_000_000_000_000.0;
/// A reset further ahead than this (a day) is not believed: no request waits for it.
const LONGEST_RESET_MS: f64 = 86_400_000.0;

/// The headers each part of a rate limit is read from, as Gist may send them: with `X-` and without.
pub const HEADERS: [[&str; 2]; 3] = [
    ["x-ratelimit-limit", "ratelimit-limit"],
    ["x-ratelimit-remaining", "ratelimit-remaining"],
    ["x-ratelimit-reset", "ratelimit-reset"],
];

/// The rate limit an answer reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets, in milliseconds since the Unix epoch.
    pub reset_at_ms: Option<f64>,
}

impl RateLimit {
    /// The rate limit of an answer's headers (names in any case), if it reports one; `now_ms` turns
    /// a reset in seconds from now into a time.
    pub fn from_headers(headers: &[(String, String)], now_ms: f64) -> Option<Self> {
        let [limit, remaining, reset] = HEADERS;
        let find = |names: [&str; 2]| {
            headers
                .iter()
                .find(|(key, _)| names.iter().any(|name| key.eq_ignore_ascii_case(name)))
                .map(|(_, value)| value.trim())
        };
        let whole = |names| {
            find(names).and_then(|text| match json::from_str(text) {
                Ok(Value::Number(n)) => n.as_u64(),
                _ => None,
            })
        };
        let reset_at_ms = find(reset).and_then(|text| {
            let value = retry_after_seconds(text, now_ms)?;
            let digits = text.bytes().all(|b| b.is_ascii_digit());
            let at = match digits {
                true if value >= UNIX_MS_FROM => value,
                true if value >= UNIX_SECONDS_FROM => value * 1000.0,
                _ => now_ms + value * 1000.0,
            };
            (at - now_ms <= LONGEST_RESET_MS).then_some(at)
        });
        let limit = Self {
            limit: whole(limit),
            remaining: whole(remaining),
            reset_at_ms,
        };
        (limit != Self::NONE).then_some(limit)
    }

    const NONE: Self = Self {
        limit: None,
        remaining: None,
        reset_at_ms: None,
    };

    /// `{ limit, remaining, resetAt }`, each a whole number or null.
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.set("limit", self.limit.into());
        out.set("remaining", self.remaining.into());
        out.set(
            "resetAt",
            self.reset_at_ms.map(|ms| ms.max(0.0).round() as u64).into(),
        );
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_either_family_and_both_kinds_of_reset() {
        let now = 1_700_000_000_000.0;
        let read = RateLimit::from_headers(
            &headers(&[
                ("x-ratelimit-limit", "100"),
                ("X-RateLimit-Remaining", "0"),
                ("x-ratelimit-reset", "30"),
            ]),
            now,
        )
        .expect("reported");
        assert_eq!(read.limit, Some(100));
        assert_eq!(read.remaining, Some(0));
        assert_eq!(read.reset_at_ms, Some(now + 30_000.0));
        let read = RateLimit::from_headers(&headers(&[("ratelimit-reset", "1700000060")]), now)
            .expect("reported");
        assert_eq!(read.reset_at_ms, Some(1_700_000_060_000.0), "a Unix time");
        let read =
            RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1700000061000")]), now)
                .expect("read");
        assert_eq!(
            read.reset_at_ms,
            Some(1_700_000_061_000.0),
            "a Unix time in ms"
        );
        for far in ["1800000000", "100000", "1900000000000"] {
            let read = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", far)]), now);
            assert_eq!(
                read.and_then(|r| r.reset_at_ms),
                None,
                "{far}: more than a day ahead"
            );
        }
        assert_eq!(read.limit, None);
    }

    #[test]
    fn junk_and_absence_report_nothing() {
        assert_eq!(
            RateLimit::from_headers(&headers(&[("content-type", "x")]), 0.0),
            None
        );
        let junk = headers(&[("x-ratelimit-limit", "many"), ("x-ratelimit-reset", "soon")]);
        assert_eq!(RateLimit::from_headers(&junk, 0.0), None);
    }
}
