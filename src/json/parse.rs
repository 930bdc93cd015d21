//! A strict JSON parser (RFC 8259): no trailing commas or comments; nesting at most [`MAX_DEPTH`]
//! deep, so a hostile text cannot exhaust the stack. An escaped lone surrogate (`"\ud83d"`, half an
//! emoji), which the RFC's grammar allows and `JSON.parse` keeps, reads as U+FFFD, as JS's
//! `TextEncoder` writes one.

use super::{Map, Number, Value};
use std::borrow::Cow;

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 128;

/// Why a text is not JSON: the byte offset where reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the text.
    pub offset: usize,
}

/// "not JSON (at byte N)".
impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not JSON (at byte {})", self.offset)
    }
}

impl std::error::Error for ParseError {}

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

/// Reads `text` as one JSON object, however deeply it nests (past the 128 levels where [`from_str`]
/// stops), without building it: `field` gets each top-level key with the reader before its value, and
/// reads that value (true) or leaves it to be skipped (false). Whether `text` is one JSON object.
pub fn read_object_unbounded(
    text: &str,
    field: &mut dyn FnMut(&str, &mut Reader) -> Result<bool, ParseError>,
) -> bool {
    let mut reader = Reader::new(text);
    reader.peek() == Some(b'{') && {
        reader.0.at += 1;
        reader.fields_unbounded(field).is_ok() && reader.finish().is_ok()
    }
}

/// A pull reader over one JSON text, for a caller that walks it without building a tree: the same
/// rules as [`from_str`] (nesting depth included), and what it skips is still checked.
#[derive(Debug)]
pub struct Reader<'t>(Parser<'t>);

impl<'t> Reader<'t> {
    /// A reader at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Self(Parser { text, at: 0 })
    }

    /// The first byte of the next value, after white space.
    pub fn peek(&mut self) -> Option<u8> {
        self.0.skip_space();
        self.0.peek()
    }

    /// Steps into the array or object that starts next, inside `depth` others.
    pub fn enter(&mut self, depth: usize) -> Result<(), ParseError> {
        match self.peek() {
            Some(b'{' | b'[') if depth < MAX_DEPTH => {
                self.0.at += 1;
                Ok(())
            }
            _ => Err(self.0.error()),
        }
    }

    /// Whether another item follows in the array or object being read (closed by `close`; `first`:
    /// none read yet); its comma, or the closing byte, is consumed.
    pub fn more(&mut self, close: u8, first: bool) -> Result<bool, ParseError> {
        match first {
            true => Ok(!self.0.closes(close)),
            false => self.0.after_item(close).map(|closed| !closed),
        }
    }

    /// An object's next key, as written (quotes included) and as text, and the colon after it.
    pub fn key(&mut self) -> Result<(&'t str, Cow<'t, str>), ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.0.error());
        }
        let start = self.0.at;
        let key = self.0.string()?;
        let written = self.0.text.get(start..self.0.at).ok_or(self.0.error())?;
        self.0.consume(b':')?;
        Ok((written, key))
    }

    /// The next value, inside `depth` arrays or objects, as a tree.
    pub fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.0.value(depth)
    }

    /// Checks the next value, inside `depth` arrays or objects, and returns its text.
    pub fn skip(&mut self, depth: usize) -> Result<&'t str, ParseError> {
        self.0.skip_space();
        let start = self.0.at;
        self.0.skip(depth)?;
        self.0.text.get(start..self.0.at).ok_or(self.0.error())
    }

    /// The rest of an object just entered, to its closing brace, as [`read_object_unbounded`] reads it.
    fn fields_unbounded(
        &mut self,
        field: &mut dyn FnMut(&str, &mut Reader) -> Result<bool, ParseError>,
    ) -> Result<(), ParseError> {
        let mut first = true;
        while self.more(b'}', first)? {
            first = false;
            let (_, key) = self.key()?;
            if !field(&key, self)? {
                self.0.skip_unbounded()?;
            }
        }
        Ok(())
    }

    /// Checks that nothing but white space is left.
    pub fn finish(mut self) -> Result<(), ParseError> {
        self.0.skip_space();
        match self.0.at == self.0.text.len() {
            true => Ok(()),
            false => Err(self.0.error()),
        }
    }
}

#[derive(Debug)]
struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Parser<'t> {
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
            Some(b'"') => self.string().map(|s| Value::String(s.into_owned())),
            Some(b'-' | b'0'..=b'9') => self
                .number()
                .map(|n| Value::Number(Number::from_checked(n))),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.error()),
        }
    }

    /// [`Self::value`] without building it.
    fn skip(&mut self, depth: usize) -> Result<(), ParseError> {
        self.skip_space();
        match self.peek() {
            Some(open @ (b'{' | b'[')) if depth < MAX_DEPTH => {
                self.at += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                let mut first = true;
                while match first {
                    true => !self.closes(close),
                    false => !self.after_item(close)?,
                } {
                    first = false;
                    if open == b'{' {
                        self.object_key()?;
                    }
                    self.skip(depth + 1)?;
                }
                Ok(())
            }
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            _ => self.value(depth).map(drop),
        }
    }

    /// An object's key and the colon after it.
    fn object_key(&mut self) -> Result<Cow<'t, str>, ParseError> {
        self.skip_space();
        if self.peek() != Some(b'"') {
            return Err(self.error());
        }
        let key = self.string()?;
        self.consume(b':')?;
        Ok(key)
    }

    /// [`Self::skip`] at any depth: the closing bytes still awaited are kept in a `Vec`, not on the
    /// call stack.
    fn skip_unbounded(&mut self) -> Result<(), ParseError> {
        let mut awaited = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    self.at += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if !self.closes(close) {
                        awaited.push(close);
                        if close == b'}' {
                            self.object_key()?;
                        }
                        continue;
                    }
                }
                _ => self.value(MAX_DEPTH).map(drop)?,
            }
            loop {
                let Some(&close) = awaited.last() else {
                    return Ok(());
                };
                if self.after_item(close)? {
                    awaited.pop();
                } else {
                    if close == b'}' {
                        self.object_key()?;
                    }
                    break;
                }
            }
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
                let key = self.object_key()?.into_owned();
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

    fn number(&mut self) -> Result<&'t str, ParseError> {
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
        self.text.get(start..self.at).ok_or(self.error())
    }

    /// A string, borrowed from the text when it has no escapes.
    fn string(&mut self) -> Result<Cow<'t, str>, ParseError> {
        self.at += 1;
        let start = self.at;
        let rest = self.rest();
        let run = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
        if rest.get(run) == Some(&b'"') {
            self.at += run + 1;
            return self
                .text
                .get(start..start + run)
                .map(Cow::Borrowed)
                .ok_or(self.error());
        }
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
                Some(b'"') => return Ok(Cow::Owned(out)),
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

    /// After `\u`: one code point, from a surrogate pair when it takes two escapes; a lone surrogate
    /// is U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = match (first, self.low_surrogate_next(first)) {
            (0xD800..=0xDBFF, Some(second)) => {
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    /// After a high surrogate `first`, the low one a `\uDC00`..`\uDFFF` escape right here spells, read
    /// past; else nothing is read.
    fn low_surrogate_next(&mut self, first: u32) -> Option<u32> {
        if !(0xD800..=0xDBFF).contains(&first) {
            return None;
        }
        let start = self.at;
        if self.next() == Some(b'\\') && self.next() == Some(b'u') {
            if let Ok(second @ 0xDC00..=0xDFFF) = self.hex4() {
                return Some(second);
            }
        }
        self.at = start;
        None
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
            "\"\\ud800\\u12\"",
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
    fn lone_surrogates_read_as_the_replacement_character() {
        for (text, read) in [
            (r#""\ud800""#, "\u{fffd}"),
            (r#""\udc00x""#, "\u{fffd}x"),
            (r#""\ud800\u0041""#, "\u{fffd}A"),
            (r#""\ud83d\ud83d\ude00""#, "\u{fffd}😀"),
            (r#""\ud83d\n""#, "\u{fffd}\n"),
        ] {
            assert_eq!(from_str(text), Ok(Value::String(read.into())), "{text}");
        }
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |n| "[".repeat(n) + &"]".repeat(n);
        assert!(from_str(&deep(MAX_DEPTH)).is_ok());
        assert!(from_str(&deep(MAX_DEPTH + 1)).is_err());
        assert!(from_str(&"[".repeat(1_000_000)).is_err());
    }

    #[test]
    fn an_object_is_read_at_any_depth() {
        let deep = |n| format!("{{\"a\":{}1{}}}", "[{\"b\":".repeat(n), "}]".repeat(n));
        let is_object = |text: &str| read_object_unbounded(text, &mut |_, _| Ok(false));
        assert!(from_str(&deep(200)).is_err());
        let mut top = Vec::new();
        let wide = format!(
            "{{\"z\":\"y\",{},\"c\":2}}",
            &deep(300)[1..deep(300).len() - 1]
        );
        let read = read_object_unbounded(&wide, &mut |key, reader| {
            top.push(key.to_owned());
            Ok(key == "z" && reader.value(1)? == Value::String("y".into()))
        });
        assert!(read);
        assert_eq!(
            top,
            ["z", "a", "c"],
            "the top level's keys only, however deep the values"
        );
        for text in [
            deep(0),
            deep(200),
            deep(100_000),
            " {} ".into(),
            r#"{"a":[1,{},[]],"b":"\u00e9"}"#.into(),
        ] {
            assert!(is_object(&text), "{}", text.get(..40).unwrap_or(&text));
        }
        let mut cut = deep(300);
        cut.pop();
        for text in [
            "[]",
            "1",
            "\"{}\"",
            "{",
            "{}}",
            "{\"a\"}",
            "{\"a\":[}",
            "{\"a\":1,}",
            &cut,
        ] {
            assert!(!is_object(text), "{text}");
        }
    }
}
