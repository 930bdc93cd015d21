//! JSON numbers kept as their text, so that ids and amounts pass through exactly.

/// A JSON number, as written (always valid JSON number text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// Wraps text the parser has checked is a JSON number.
    pub(super) fn from_checked(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// A float: finite, as Rust writes it; NaN or ±∞, which JSON has no text for, as `NaN`, `inf` or
    /// `-inf`, written as `null` and refused in a call's arguments (as JS refuses one).
    pub(super) fn from_f64(n: f64) -> Self {
        Self(n.to_string())
    }

    /// Whether its text is a JSON number: false for a float that was NaN or ±∞ (a JSON number ends
    /// in a digit; `NaN`, `inf` and `-inf` do not).
    pub fn is_json(&self) -> bool {
        self.0.bytes().last().is_some_and(|b| b.is_ascii_digit())
    }

    /// The number's JSON text (`NaN`, `inf` or `-inf` where [`Self::is_json`] is false).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value, if it is a whole number that fits, written without fraction or exponent.
    pub fn as_u64(&self) -> Option<u64> {
        digits_value(&self.0)
    }

    /// The value, if it is a whole number that fits, written without fraction or exponent.
    pub fn as_i64(&self) -> Option<i64> {
        parse_i64(&self.0)
    }

    /// The nearest `f64`: correctly rounded on native targets (a model's or a `Value`'s number goes
    /// through serde as it came); in the `.wasm`, within a few units in the last place (exact for
    /// whole numbers up to 2^53), without Rust's float parser's 4 KB of tables.
    pub fn as_f64(&self) -> f64 {
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(value) = self.0.parse::<f64>() {
            return value;
        }
        close_f64(&self.0)
    }
}

/// A JSON number's `f64`, exact for whole numbers up to 2^53 and otherwise within a few units in the
/// last place: all the JS client's core needs of fractions (limits, timeouts and flags), without Rust's
/// float parser's 4 KB of tables.
fn close_f64(number: &str) -> f64 {
    let (negative, text) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut value = 0f64;
    for digit in whole.bytes().chain(fraction.bytes()) {
        value = value * 10.0 + f64::from(digit - b'0');
    }
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let shift = match exponent.strip_prefix('-') {
        Some(digits) => -clamp_exponent(digits),
        None => clamp_exponent(exponent),
    } - fraction.len() as i32;
    value = match shift {
        // Powers of ten up to 1e22 are exact, so these are correctly rounded (13.08 is 1308 / 100).
        0..=22 => value * 10f64.powi(shift),
        -22..0 => value / 10f64.powi(-shift),
        // In two halves, so that neither power overflows or underflows on its own (5e-324 stays
        // above zero).
        _ => {
            let half = shift / 2;
            value * 10f64.powi(half) * 10f64.powi(shift - half)
        }
    };
    if negative {
        -value
    } else {
        value
    }
}

/// An exponent's digits as a number, clamped where it no longer matters for an `f64`.
fn clamp_exponent(digits: &str) -> i32 {
    digits
        .bytes()
        .fold(0i32, |n, d| (n * 10 + i32::from(d - b'0')).min(10_000))
}

/// The value of a string of ASCII digits, if it is one and fits in a `u64`.
/// A decimal integer with an optional sign, as `str::parse::<i64>` reads it (whose code is larger in
/// the `.wasm`).
pub fn parse_i64(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(digits) => 0i64.checked_sub_unsigned(digits_value(digits)?),
        None => i64::try_from(digits_value(text.strip_prefix('+').unwrap_or(text))?).ok(),
    }
}

/// Decimal digits as a `u64`, as `str::parse::<u64>` reads them but without a sign; `None` when
/// empty, not digits or too large.
pub fn digits_value(digits: &str) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, d| {
        if d.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// Writes `n` in decimal (`core::fmt` would pull float and padding code into the `.wasm`).
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(start) {
        out.push(char::from(d));
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        let mut text = String::new();
        write_u64(&mut text, n);
        Self(text)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        let mut text = String::new();
        if n < 0 {
            text.push('-');
        }
        write_u64(&mut text, n.unsigned_abs());
        Self(text)
    }
}

macro_rules! widen {
    ($wide:ty: $($t:ty)*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Self::from(n as $wide)
            }
        }
    )*};
}
widen!(u64: u8 u16 u32 usize);
widen!(i64: i8 i16 i32 isize);

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Number {
        Number::from_checked(text)
    }

    #[test]
    fn whole_numbers_read_exactly_and_only_without_fraction_or_exponent() {
        assert_eq!(number("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(number("18446744073709551616").as_u64(), None);
        assert_eq!(number("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(number("-1").as_u64(), None);
        assert_eq!(number("1.0").as_u64(), None);
        assert_eq!(number("1e3").as_i64(), None);
    }

    #[test]
    fn floats_read_closely() {
        for (text, value) in [
            ("0", 0.0),
            ("60", 60.0),
            ("-2.5", -2.5),
            ("1.5e3", 1500.0),
            ("1E-2", 0.01),
            ("9007199254740993", 9_007_199_254_740_992.0),
            ("13.08", 13.08),
            ("0.1", 0.1),
        ] {
            let read = close_f64(text);
            assert!(
                (read - value).abs() <= value.abs() * 1e-15,
                "{text}: {read}"
            );
        }
        assert!(close_f64("1e400").is_infinite());
        assert!(close_f64("5e-324") > 0.0, "the smallest subnormal");
        assert_eq!(close_f64("1e-400"), 0.0);
    }

    #[test]
    fn floats_read_exactly_on_native_targets() {
        // An outside review: 10.885001501416781 came back 10.88500150141678 through serde, and
        // f64::MAX as infinity (null).
        for value in [
            10.885001501416781,
            f64::MAX,
            -19.531102488060938,
            1e300,
            5e-324,
        ] {
            assert_eq!(number(&value.to_string()).as_f64(), value);
            assert_eq!(number(&format!("{value:e}")).as_f64(), value);
        }
        assert!(number("1e400").as_f64().is_infinite());
    }

    #[test]
    fn integers_write_in_decimal() {
        assert_eq!(Number::from(0u64).as_str(), "0");
        assert_eq!(Number::from(u64::MAX).as_str(), "18446744073709551615");
        assert_eq!(Number::from(4_294_967_295u64).as_str(), "4294967295");
        assert_eq!(Number::from(4_294_967_296u64).as_str(), "4294967296");
        assert_eq!(Number::from(10_000_000_000u64).as_str(), "10000000000");
        assert_eq!(Number::from(i64::MIN).as_str(), "-9223372036854775808");
        assert_eq!(Number::from(-42i32).as_str(), "-42");
    }

    #[test]
    fn integers_read_as_str_parse_reads_them() {
        for text in [
            "0",
            "-0",
            "+0",
            "42",
            "+42",
            "-42",
            "007",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "",
            "+",
            "-",
            "+-1",
            "-+1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x1",
            "١",
        ] {
            assert_eq!(parse_i64(text), text.parse::<i64>().ok(), "{text:?}");
            assert_eq!(
                digits_value(text),
                text.parse::<u64>().ok().filter(|_| !text.starts_with('+')),
                "{text:?}"
            );
        }
    }
}
