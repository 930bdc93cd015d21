//! The retry policy of the README's "Retries", as pure functions.

use crate::http::Method;
use crate::json::{self, digits_value, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Longest wait taken from a `Retry-After` header, in milliseconds.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;
const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_CAP_MS: f64 = 8_000.0;

/// How an attempt failed, as the retry policy reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An answer with this status.
    Status(u16),
    /// No answer, the request perhaps sent (a reset, an answer cut short).
    NoAnswer,
    /// No connection was made: nothing of the request was sent.
    Unreached,
}

impl Failure {
    /// The answer's status; `None` when none came.
    pub fn status(self) -> Option<u16> {
        match self {
            Self::Status(status) => Some(status),
            Self::NoAnswer | Self::Unreached => None,
        }
    }
}

/// Whether a failed attempt may be repeated.
///
/// Reads and deletes are retried after a network failure or a 429, 500, 502, 503 or 504. Writes only
/// after a 429 or 503, when the server said it did not act: Gist has no idempotency keys. Any request
/// whose connection was never made is retried: nothing of it was sent.
pub fn is_retryable(method: Method, failure: Failure) -> bool {
    match (method.is_idempotent(), failure) {
        (_, Failure::Unreached) => true,
        (true, Failure::NoAnswer) => true,
        (true, Failure::Status(s)) => matches!(s, 429 | 500 | 502 | 503 | 504),
        (false, Failure::Status(s)) => matches!(s, 429 | 503),
        (false, Failure::NoAnswer) => false,
    }
}

/// Retries a client may spend before its requests have earned any: an outage in the first calls still
/// gets a few.
const BUDGET_FLOOR: u32 = 10 * BUDGET_UNIT;
/// What each first attempt earns: retries add at most 20% to a client's requests.
const BUDGET_PER_REQUEST: u32 = BUDGET_UNIT / 5;
/// The most a quiet client can save up, so that a long healthy spell does not fund a retry storm.
const BUDGET_CAP: u32 = 50 * BUDGET_UNIT;
/// One retry, in the budget's units (tenths of a retry: whole numbers, so the sums are exact).
const BUDGET_UNIT: u32 = 10;

/// A client's retry budget: each first attempt earns a fifth of a retry, each retry spends one, so
/// that an outage cannot turn a client's traffic into a retry storm (over any run of calls, retries
/// stay within 20% of the requests plus a floor of 10). Shared by every call of one client, on any
/// thread.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            tokens: AtomicU32::new(BUDGET_FLOOR),
        }
    }
}

impl RetryBudget {
    /// A first attempt was sent.
    pub fn earn(&self) {
        let earn = |tokens: u32| Some((tokens + BUDGET_PER_REQUEST).min(BUDGET_CAP));
        // `earn` always returns `Some`, so the update always happens.
        let _ = self
            .tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, earn);
    }

    /// Spends one retry; `false` when the budget cannot pay for it.
    pub fn spend(&self) -> bool {
        self.tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |tokens| {
                tokens.checked_sub(BUDGET_UNIT)
            })
            .is_ok()
    }
}

/// Two budgets are alike whatever they hold: a budget is a client's state, not its configuration.
impl PartialEq for RetryBudget {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A copy starts afresh.
impl Clone for RetryBudget {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// How long a call with `left_ms` before its deadline may wait before a request: what it leaves the
/// request itself is half of that time, up to 5 s (as the JS client's pacer and `pacedFetch` leave it).
/// A request sent just before the deadline would time out in flight, and may have acted.
pub fn wait_budget(left_ms: f64) -> f64 {
    (left_ms - (left_ms / 2.0).min(5000.0)).max(0.0)
}

/// Exponential backoff with full jitter: a random wait up to 0.5 s, 1 s, 2 s, ... capped at 8 s.
pub fn backoff_ms(retry_index: u32, random: f64) -> f64 {
    let ceiling = (BACKOFF_BASE_MS * 2f64.powi(retry_index.min(16) as i32)).min(BACKOFF_CAP_MS);
    // A host's random number outside [0, 1), or NaN (which `clamp` lets through, and would take the
    // retry past any deadline), reads as no wait.
    ceiling
        * if (0.0..1.0).contains(&random) {
            random
        } else {
            0.0
        }
}

/// The longest `Retry-After` handed on (a day): past it, a caller could not sleep it (Rust's
/// `Duration` panics at 1e300 s). As long a wait is past any call's deadline all the same.
pub const LONGEST_RETRY_AFTER_SECONDS: f64 = 86_400.0;

/// Seconds to wait from a `Retry-After` header: [`retry_after_seconds`], at most a day.
pub fn retry_after(value: &str, now_ms: f64) -> Option<f64> {
    retry_after_seconds(value, now_ms).map(|seconds| seconds.min(LONGEST_RETRY_AFTER_SECONDS))
}

/// Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date (IMF-fixdate).
pub fn retry_after_seconds(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    // Read as a JSON number: Rust's float parser would add 4 KB of tables to the `.wasm`.
    // One too large for a double reads as infinite: a very long wait (RFC 9110), as any over the cap.
    if let Ok(Value::Number(seconds)) = json::from_str(value) {
        let seconds = seconds.as_f64();
        return (seconds >= 0.0).then_some(seconds);
    }
    let at = parse_http_date(value)?;
    Some((at - now_ms / 1000.0).max(0.0))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into Unix seconds.
fn parse_http_date(value: &str) -> Option<f64> {
    // A field up to 9999 (leading zeros allowed): past it, it could overflow the arithmetic below.
    let field = |text: &str| digits_value(text).filter(|&n| n <= 9999).map(|n| n as i64);
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?;
    let day = field(parts.next()?)?;
    let month = parts.next()?;
    let year = field(parts.next()?)?;
    let time = parts.next()?;
    // IMF-fixdate is 29 characters, two-digit day and time fields: one longer has more in it.
    if parts.next()? != "GMT" || value.len() != 29 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let mut hms = time.split(':').map(field);
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    // A field past its range is read on (`31 Feb` as 3 March, `25:00:00` as the next day's 01:00), as
    // the wait is capped all the same.
    Some((days_from_civil(year, month, day) * 86_400 + h * 3_600 + m * 60 + s) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_deletes_retry_on_network_failure_and_transient_statuses() {
        for method in [Method::Get, Method::Delete] {
            assert!(is_retryable(method, Failure::NoAnswer));
            assert!(is_retryable(method, Failure::Unreached));
            for status in [429, 500, 502, 503, 504] {
                assert!(
                    is_retryable(method, Failure::Status(status)),
                    "{method:?} {status}"
                );
            }
            for status in [400, 401, 404, 501] {
                assert!(
                    !is_retryable(method, Failure::Status(status)),
                    "{method:?} {status}"
                );
            }
        }
    }

    #[test]
    fn writes_retry_only_when_the_server_said_it_did_not_act_or_nothing_was_sent() {
        for method in [Method::Post, Method::Put, Method::Patch] {
            assert!(!is_retryable(method, Failure::NoAnswer));
            assert!(is_retryable(method, Failure::Unreached), "{method:?}");
            assert!(is_retryable(method, Failure::Status(429)));
            assert!(is_retryable(method, Failure::Status(503)));
            for status in [500, 502, 504, 400] {
                assert!(
                    !is_retryable(method, Failure::Status(status)),
                    "{method:?} {status}"
                );
            }
        }
    }

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_eight() {
        assert_eq!(backoff_ms(0, 0.999_999).round(), 500.0);
        assert_eq!(backoff_ms(1, 0.999_999).round(), 1000.0);
        assert_eq!(backoff_ms(4, 0.999_999).round(), 8000.0);
        assert_eq!(backoff_ms(30, 0.999_999).round(), 8000.0);
        assert_eq!(backoff_ms(3, 0.0), 0.0);
        // A host's random number that is NaN waits nothing, where it took the retry past any deadline.
        assert_eq!(backoff_ms(3, f64::NAN), 0.0);
        // And so does one of 1 or more, as docs/rust.md says (before: the longest wait).
        for outside in [1.0, 2.0, f64::INFINITY, -1.0] {
            assert_eq!(backoff_ms(3, outside), 0.0, "{outside}");
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        assert_eq!(retry_after_seconds("3", 0.0), Some(3.0));
        assert_eq!(retry_after_seconds("-1", 0.0), None);
        assert_eq!(retry_after_seconds("soon", 0.0), None);
        // 1994-11-06T08:49:37Z is 784111777.
        let now_ms = 784_111_770_000.0;
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", now_ms),
            Some(7.0)
        );
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", now_ms + 60_000.0),
            Some(0.0)
        );
    }

    #[test]
    fn an_http_date_with_text_after_it_is_no_date_and_a_field_past_its_range_is_read_on() {
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Nov 1994 08:49:37 GMT extra GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\tGMT",
            "Sun, 06 Nov 1994 08:49:37:01:02 GMT",
        ] {
            assert_eq!(retry_after_seconds(value, 0.0), None, "{value}");
        }
        let at = |value| retry_after_seconds(value, 0.0);
        assert_eq!(
            at("Tue, 31 Feb 2026 00:00:00 GMT"),
            at("Tue, 03 Mar 2026 00:00:00 GMT")
        );
        assert_eq!(
            at("Sun, 06 Nov 1994 25:00:00 GMT"),
            at("Mon, 07 Nov 1994 01:00:00 GMT")
        );
    }

    #[test]
    fn a_retry_after_is_at_most_a_day() {
        assert_eq!(retry_after("120", 0.0), Some(120.0));
        let past_a_double = "9".repeat(309);
        for value in [
            "86400",
            "86401",
            "1e300",
            "1e309",
            &past_a_double,
            "Sun, 06 Nov 9999 08:49:37 GMT",
        ] {
            assert_eq!(retry_after(value, 0.0), Some(86_400.0), "{value}");
        }
    }

    #[test]
    fn an_http_date_with_fields_too_long_is_no_date_rather_than_an_overflow() {
        for value in [
            "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
            "Sun, 06 Nov 1994 9999999999999999:49:37 GMT",
            "Sun, 9223372036854775807 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov -9223372036854775808 08:49:37 GMT",
        ] {
            assert_eq!(retry_after_seconds(value, 0.0), None, "{value}");
        }
    }
}
