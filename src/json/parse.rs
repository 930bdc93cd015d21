//! A strict JSON parser (RFC 8259): no trailing commas, comments or lone surrogates; nesting at
//! most [`MAX_DEPTH`] deep, so a hostile text cannot exhaust the stack.

use super::{Map, Number, Value};

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 128;

/// Why a text is not JSON: the byte offset where reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the text.
    pub offset: usize,
}

/// Parses one JSON value, with nothing but white space around it.
pub fn from_str(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at == text.len() {
        Ok(value)
    } else {
        Err(parser.error())
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn error(&self) -> ParseError {
        ParseError { offset: self.at }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        self.at += 1;
        byte
    }

    #[inline(always)]
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The bytes from here on.
    #[inline(always)]
    fn rest(&self) -> &[u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    fn consume(&mut self, byte: u8) -> Result<(), ParseError> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self
            .text
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.skip_space();
        match self.peek() {
            Some(b'{') if depth < MAX_DEPTH => self.object(depth + 1),
            Some(b'[') if depth < MAX_DEPTH => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.error()),
        }
    }

    /// Whether the next non-space byte is `close` (consumed if so).
    fn closes(&mut self, close: u8) -> bool {
        self.skip_space();
        let closes = self.peek() == Some(close);
        if closes {
            self.at += 1;
        }
        closes
    }

    /// After an item: `true` at `close`, `false` after a comma, else an error.
    fn after_item(&mut self, close: u8) -> Result<bool, ParseError> {
        if self.closes(close) {
            return Ok(true);
        }
        self.consume(b',').map(|()| false)
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.at += 1;
        let mut items = Vec::new();
        if !self.closes(b']') {
            loop {
                items.push(self.value(depth)?);
                if self.after_item(b']')? {
                    break;
                }
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.at += 1;
        let mut map = Map::new();
        if !self.closes(b'}') {
            loop {
                self.skip_space();
                if self.peek() != Some(b'"') {
                    return Err(self.error());
                }
                let key = self.string()?;
                self.consume(b':')?;
                let value = self.value(depth)?;
                map.insert(key, value);
                if self.after_item(b'}')? {
                    break;
                }
            }
        }
        Ok(Value::Object(map))
    }

    fn digits(&mut self) -> usize {
        let rest = self.rest();
        let count = rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        self.at += count;
        count
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        match self.digits() {
            0 => return Err(self.error()),
            1 => {}
            _ if leading_zero => return Err(self.error()),
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error());
            }
        }
        let text = self.text.get(start..self.at).ok_or(self.error())?;
        Ok(Value::Number(Number::from_checked(text)))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let run_start = self.at;
            let rest = self.rest();
            self.at += rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            // A run ends at an ASCII byte, so both ends are character boundaries.
            out.push_str(self.text.get(run_start..self.at).ok_or(self.error())?);
            match self.next() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => self.escape(&mut out)?,
                _ => {
                    self.at -= 1;
                    return Err(self.error());
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape()?,
            _ => return Err(self.error()),
        };
        out.push(c);
        Ok(())
    }

    /// After `\u`: one code point, from a surrogate pair when it takes two escapes.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                    return Err(self.error());
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error());
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error()),
            _ => first,
        };
        char::from_u32(code).ok_or(self.error())
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .next()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(self.error())?;
            code = code * 16 + digit;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_value() {
        let value = from_str(r#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "a": {}} "#)
            .expect("valid");
        assert_eq!(value["a"], Value::Object(Map::new()), "a later key wins");
        assert_eq!(value["b"], "x\"\\/\né😀");
        let value = from_str(r#"[1, -2.5e3, true, false, null, "s"]"#).expect("valid");
        assert_eq!(value[1].as_number().map(Number::as_str), Some("-2.5e3"));
        assert_eq!(value[2], true);
        assert!(value[4].is_null());
    }

    #[test]
    fn refuses_what_rfc_8259_refuses() {
        for text in [
            "",
            " ",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "\"open",
            "[",
            "{",
            "1 2",
            "// c\n1",
        ] {
            assert!(from_str(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |n| "[".repeat(n) + &"]".repeat(n);
        assert!(from_str(&deep(MAX_DEPTH)).is_ok());
        assert!(from_str(&deep(MAX_DEPTH + 1)).is_err());
        assert!(from_str(&"[".repeat(1_000_000)).is_err());
    }
}
