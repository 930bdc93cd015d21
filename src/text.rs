//! `text!`: messages and paths filled in without `core::fmt`.
//!
//! `format!` links `core::fmt` into the `.wasm` (its writer, padding and integer printing: 2.4 KB);
//! `text!("{} must be an object", what)` copies its template and puts each piece in its `{}`, strings
//! as they are and integers in decimal with the JSON writer's [`push_u64`](crate::json::push_u64).
//! And [`without_bom`], for text read from bytes.

/// A piece of text `text!` puts in a hole: strings and chars as they are, unsigned integers in decimal.
pub trait Piece {
    /// At most how many bytes the piece takes (so that [`fill`] allocates once).
    fn max_len(&self) -> usize;

    /// Appends the piece to `out`.
    fn put(&self, out: &mut String);
}

impl Piece for str {
    fn max_len(&self) -> usize {
        self.len()
    }

    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn max_len(&self) -> usize {
        self.len()
    }

    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn max_len(&self) -> usize {
        self.len_utf8()
    }

    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn max_len(&self) -> usize {
        (**self).max_len()
    }

    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

// `usize` is at most 64 bits on every target Rust supports.
macro_rules! unsigned {
    ($($t:ty)*) => {$(
        impl Piece for $t {
            fn max_len(&self) -> usize {
                // The digits of the largest value.
                <$t>::MAX.ilog10() as usize + 1
            }

            fn put(&self, out: &mut String) {
                crate::json::push_u64(out, *self as u64);
            }
        }
    )*};
}
unsigned!(u16 u32 u64 usize);

/// `text` without a byte order mark before it, as a UTF-8 decoder (`TextDecoder`, `fetch`'s `text()`)
/// drops it.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// `template` with each `{}` in it replaced by the next of `pieces`: what `text!` calls, with each
/// piece behind a `dyn`, so that a call site passes only its template and its pieces. One allocation,
/// of the template's length and the pieces' most.
pub fn fill(template: &str, pieces: &[&dyn Piece]) -> String {
    let len = pieces.iter().map(|piece| piece.max_len()).sum::<usize>() + template.len();
    let mut out = String::with_capacity(len);
    let mut pieces = pieces.iter();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        rest = match after.strip_prefix('}') {
            Some(after) => {
                if let Some(piece) = pieces.next() {
                    piece.put(&mut out);
                }
                after
            }
            None => {
                out.push('{');
                after
            }
        };
    }
    out.push_str(rest);
    out
}

/// How many `{}` `template` holds, as [`fill`] finds them: `text!` checks at compile time that
/// each has its piece.
pub const fn holes(template: &str) -> usize {
    let mut count = 0;
    let mut rest = template.as_bytes();
    loop {
        rest = match rest {
            [b'{', b'}', tail @ ..] => {
                count += 1;
                tail
            }
            [_, tail @ ..] => tail,
            [] => return count,
        };
    }
}

/// A `String` of `template` with each `{}` replaced by the next piece (each a [`Piece`]: `&str`,
/// `String`, `char`, an unsigned integer): `text!("{}.{} must be {}", what, key, expected)`.
/// Unlike `format!`, braces need no escape and a hole takes no name or format spec; a template
/// whose holes and pieces differ in number does not compile.
macro_rules! text {
    ($template:expr $(, $piece:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::text::holes($template) == <[&str]>::len(&[$(stringify!($piece)),*]),
            "text!: one piece for each {{}} of the template"
        );
        $crate::text::fill($template, &[$(&$piece as &dyn $crate::text::Piece),*])
    }};
}
pub(crate) use text;

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_fill_the_holes_as_format_would() {
        let what = "options";
        let key = String::from("limit");
        assert_eq!(
            text!(
                "{}.{} must be from {} to {}, not {}{}",
                what,
                key,
                1u32,
                u64::MAX,
                0usize,
                '!'
            ),
            format!("{what}.{key} must be from 1 to {}, not 0!", u64::MAX)
        );
        assert_eq!(text!(""), "");
        assert_eq!(text!("{}{}", 404u16, &&"!"), "404!");
        assert_eq!(text!("{{}} {", "a"), "{a} {");
    }

    #[test]
    fn holes_are_counted_as_they_are_filled() {
        assert_eq!(super::holes("{}{}} {{} {"), 3);
        assert_eq!(super::holes("no hole"), 0);
    }
}
