//! Compact JSON text: no spaces; strings escaped as JSON requires and no more.

use super::Value;

/// Appends `value` as JSON.
pub fn value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // The shipped `.wasm` reads every number from JSON: only Rust code makes one from a float.
        #[cfg(not(target_arch = "wasm32"))]
        Value::Number(n) if !n.is_json() => out.push_str("null"),
        Value::Number(n) => out.push_str(n.as_str()),
        Value::Text(text) => out.push_str(text.as_str()),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                self::value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, key);
                out.push(':');
                self::value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string.
pub fn string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            for nibble in [byte >> 4, byte & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use crate::json::from_str;

    #[test]
    fn writes_what_it_reads() {
        for text in [
            r#"{"a":[1,-2.5e3,true,false,null],"b":"x\"\\\n\r\t\u0001é😀","c":{}}"#,
            "[]",
            "\"\"",
            "0",
        ] {
            assert_eq!(from_str(text).expect("valid").to_json(), text);
        }
    }
}
