//! The one scrubber for everything an error says: secrets (the API key in any letter case, raw,
//! percent-encoded or JSON-escaped, in parts, and its hex and base64 forms) become `[redacted]`, and
//! email addresses (raw, percent-encoded, and so URL credentials `user:password@host`, or escaped as
//! JSON or HTML) become `[email]`.

/// Scrubs `text` of each secret, then of every email address.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    redact_emails(&scrub_secrets(text, secrets))
}

/// [`scrub`], taking `text` and giving it back as it is (no copy) when it holds no secret and no
/// email: an answer's header, most often.
pub fn scrub_owned(text: String, secrets: &[&str]) -> String {
    let text = without_secrets(&text, secrets).unwrap_or(text);
    if may_hold_email(&text) {
        redact_emails(&text)
    } else {
        text
    }
}

/// Scrubs `text` of each secret, in any letter case (ASCII), raw or with any of its bytes written
/// otherwise: percent-encoded once or twice, in either case (`~` as `%7E`, `%7e` or `%257E`; one byte or
/// every one), or escaped as JSON writes it (`\/`, `\u002f`), with `, ` or invisible characters between
/// its bytes (`sk_, live`, `sk_\u{200b}live`); and of nothing else.
pub fn scrub_secrets(text: &str, secrets: &[&str]) -> String {
    without_secrets(text, secrets).unwrap_or_else(|| text.to_owned())
}

/// [`scrub_secrets`], or `None` when `text` holds no secret.
fn without_secrets(text: &str, secrets: &[&str]) -> Option<String> {
    let mut scrubbed: Option<String> = None;
    // Read raw (a `%` before a secret starting with two hex digits is not its escape), then with
    // escapes read: `%2541` as `A` encoded twice, and, for a secret with a `%`, as its `%` encoded
    // once before `41`, or as JSON escapes it alone (`\"` for `"`, its `%41` as it is). A text without
    // `%` or `\` reads the same every way.
    let escaped = text.bytes().any(|b| b == b'%' || b == b'\\');
    for secret in secrets
        .iter()
        .filter(|s| !s.is_empty() && s.len() <= text.len())
    {
        for mode in [RAW, TWICE, ONCE, JSON] {
            if mode == RAW || escaped && (mode == TWICE || secret.contains('%')) {
                let current = scrubbed.as_deref().unwrap_or(text);
                if let Some(out) = remove_encoded(current, secret.as_bytes(), mode) {
                    scrubbed = Some(out);
                }
            }
        }
    }
    scrubbed
}

/// How [`unit`] reads escapes: not at all, `%HH` once, `%25HH` as encoded twice, or JSON's alone.
const RAW: u8 = 0;
const ONCE: u8 = 1;
const TWICE: u8 = 2;
const JSON: u8 = 3;

const REDACTED: &str = "[redacted]";

/// The shortest base64 or hex form of a key that is searched for: a shorter one could match text that
/// never held the key (`key_forms`).
const SHORTEST_FORM: usize = 16;

/// The forms of `key` a text may echo that the search cannot read off the key itself: its hex (found in
/// either case), and for each of the three places the key can start at in a base64 blob (`Bearer <key>`
/// encoded whole), the characters of its base64 that only the key's bits make (those a blob's bytes on
/// either side, or its padding, share are not among them); each empty when shorter than 16 characters
/// (`SHORTEST_FORM`). One search finds both base64 alphabets (it reads `-` and `_` as `+` and `/`).
pub fn key_forms(key: &str) -> [String; 4] {
    // A key starting at a blob's byte 3n, 3n + 1 or 3n + 2 has its first whole base64 character at
    // its bit 0, 4 or 2.
    let base64 = crate::base64::STANDARD.as_slice();
    [
        (0, 4, b"0123456789abcdef".as_slice()),
        (0, 6, base64),
        (4, 6, base64),
        (2, 6, base64),
    ]
    .map(|(skip, width, alphabet)| {
        let form = digits(key.as_bytes(), skip, width, alphabet);
        if form.len() < SHORTEST_FORM {
            String::new()
        } else {
            form
        }
    })
}

/// The whole digits of `width` bits that `bytes` spell from their bit `skip` on, in `alphabet`.
fn digits(bytes: &[u8], skip: i32, width: i32, alphabet: &[u8]) -> String {
    let mut out = String::new();
    let (mut value, mut bits) = (0u32, -skip);
    for byte in bytes {
        value = (value << 8 | u32::from(*byte)) & 0xFFFF; // never more than 13 bits unread
        bits += 8;
        while bits >= width {
            bits -= width;
            let digit = (value >> bits) as usize & (alphabet.len() - 1);
            out.push(char::from(alphabet.get(digit).copied().unwrap_or(b'=')));
        }
    }
    out
}

/// A byte as the secrets' search compares it: ASCII letters in lower case, and URL-safe base64's `-`
/// and `_` as the standard alphabet's `+` and `/` (so a key is also found with those swapped).
fn fold(byte: u8) -> u8 {
    match byte {
        b'-' => b'+',
        b'_' => b'/',
        _ => byte.to_ascii_lowercase(),
    }
}

/// `text` with each occurrence of `secret`, in any letter case and with any of its bytes written
/// otherwise (see [`unit`]), replaced by [`REDACTED`], or `None` when there is none: a
/// Knuth-Morris-Pratt search over the text read unit by unit (as `mode` says) and case-folded ([`fold`]),
/// so linear in the text's length.
fn remove_encoded(text: &str, secret: &[u8], mode: u8) -> Option<String> {
    if text.len() < secret.len() {
        return None; // each unit is a byte or more
    }
    let bytes = text.as_bytes();
    let folded = |i: usize| secret.get(i).copied().map(fold);
    // The search's fallbacks, then where each of the last `secret.len()` units read began, in a ring
    // (`slot` is the oldest's).
    let mut table = vec![0; 2 * secret.len()];
    let (fallback, starts) = table.split_at_mut(secret.len());
    fallbacks(secret, fallback);
    let (mut out, mut copied, mut matched, mut at, mut slot) = (Vec::new(), 0, 0, 0, 0);
    let mut broken = false; // a line break came inside the match: the indentation after it is skipped too
    loop {
        // Read raw, the search skips on to the next byte that can start a match (most texts have none).
        while matched == 0
            && mode == RAW
            && bytes.get(at).is_some_and(|b| Some(fold(*b)) != folded(0))
        {
            at += 1;
        }
        let Some((byte, width)) = unit(bytes, at, mode) else {
            break;
        };
        // Base64 wrapped in lines (Ruby's and MIME's), folded or indented (a header's continuation, YAML's
        // block): the key goes on after the break and the spaces or tabs that begin the next line.
        let indent = broken && matches!(byte, b' ' | b'\t') && folded(matched) != Some(byte);
        if matched > 0 && (matches!(byte, b'\n' | b'\r') || indent) {
            broken = true;
            at += width;
            continue;
        }
        broken = false;
        let filler = if matched > 0 {
            between_parts(text, at, mode)
        } else {
            0
        };
        if filler > 0 {
            at += filler; // a key shown in parts is still the key
            continue;
        }
        let byte = fold(byte);
        if let Some(start) = starts.get_mut(slot) {
            *start = at;
        }
        slot += 1;
        if slot == secret.len() {
            slot = 0;
        }
        at += width;
        while matched > 0 && folded(matched) != Some(byte) {
            matched = fallback.get(matched - 1).copied().unwrap_or(0);
        }
        if folded(matched) == Some(byte) {
            matched += 1;
        }
        if matched == secret.len() {
            let start = starts.get(slot).copied().unwrap_or(copied);
            out.extend_from_slice(bytes.get(copied..start).unwrap_or_default());
            out.extend_from_slice(REDACTED.as_bytes());
            copied = at;
            matched = 0;
        }
    }
    if copied == 0 {
        return None;
    }
    out.extend_from_slice(bytes.get(copied..).unwrap_or_default());
    // Every cut is at a character's edge (a match starts with the secret's first character, raw or
    // written otherwise in ASCII, and ends after its last one), so the text is whole; were it not,
    // nothing is shown raw.
    Some(String::from_utf8(out).unwrap_or_else(|_| REDACTED.to_owned()))
}

/// The byte a text holds at `at` as a secret may have been written there, and how many of the text's
/// bytes that took: `%HH` (but read [`JSON`]), `%25HH` (read [`TWICE`]), a JSON escape (`\/`, `\\`, `\"`, `\n`, `\r`, `\t`,
/// `\u00HH` for ASCII), or the byte itself (always, read [`RAW`]).
fn unit(bytes: &[u8], at: usize, mode: u8) -> Option<(u8, usize)> {
    let raw = *bytes.get(at)?;
    let hex = |from: usize| bytes.get(from..from + 2).and_then(hex_byte);
    let written = match raw {
        _ if mode == RAW => None,
        b'%' if mode != JSON => match (hex(at + 1), hex(at + 3)) {
            (Some(b'%'), Some(byte)) if mode == TWICE => Some((byte, 5)),
            (Some(byte), _) => Some((byte, 3)),
            _ => None,
        },
        b'\\' => match bytes.get(at + 1) {
            Some(&escaped @ (b'/' | b'\\' | b'"')) => Some((escaped, 2)),
            Some(b'n') => Some((b'\n', 2)),
            Some(b'r') => Some((b'\r', 2)),
            Some(b't') => Some((b'\t', 2)),
            Some(b'u') if bytes.get(at + 2..at + 4) == Some(b"00") => {
                hex(at + 4).filter(u8::is_ascii).map(|byte| (byte, 6))
            }
            _ => None,
        },
        _ => None,
    };
    Some(written.unwrap_or((raw, 1)))
}

/// The length of what a key shown in parts may have at `at` between two of its bytes: the `, ` that
/// joins a header's repeated lines (`fetch` joins them so), or an invisible character (one of Unicode's
/// default-ignorable code points: a soft hyphen, a zero-width space or joiner, a direction mark, a
/// variation selector, a tag...), raw, as its UTF-8 bytes read as Latin-1 (`fetch` reads a header's
/// bytes so: `\u{e2}\u{80}\u{8b}`) or, read with escapes, as JSON writes it (`\u200b`; one of the
/// Basic Multilingual Plane), or one character a stray byte makes (U+0080 to U+00FF, U+FFFD); 0 where
/// there is none.
fn between_parts(text: &str, at: usize, mode: u8) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    if rest.starts_with(", ") {
        return 2;
    }
    let hex = |from: usize| {
        rest.get(from..from + 2)
            .and_then(|hex| hex_byte(hex.as_bytes()))
    };
    let escaped = match rest.strip_prefix("\\u") {
        Some(_) if mode != RAW => hex(2).zip(hex(4)),
        _ => None,
    };
    let (code, width) = match escaped {
        Some((high, low)) => (u32::from_be_bytes([0, 0, high, low]), 6),
        // No character a lead byte read as Latin-1 stands for (U+00C0 to U+00F7) is invisible itself.
        None => utf8_read_as_latin1(rest)
            .or_else(|| rest.chars().next().map(|c| (u32::from(c), c.len_utf8())))
            .unwrap_or((0, 0)),
    };
    // Unicode's default-ignorable code points (DerivedCoreProperties.txt), U+0080 to U+00FF (any raw
    // byte 0x80 to 0xFF in a header, as fetch reads it: C1 controls, and a byte no UTF-8 reader would
    // read, as one character), and U+FFFD (such a byte read as UTF-8: the Rust transport's header, any
    // body): what a text shows as nothing, or as one stray mark.
    let hidden = matches!(code, 0x80..=0xFF | 0xFFFD | 0x34F | 0x61C | 0x115F..=0x1160 | 0x17B4..=0x17B5
        | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164
        | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF);
    if hidden {
        width
    } else {
        0
    }
}

/// The character that `text`'s first characters spell where each is a byte (U+0080 to U+00FF) of its
/// UTF-8, read as Latin-1, and the length in `text` of those characters (two bytes each).
fn utf8_read_as_latin1(text: &str) -> Option<(u32, usize)> {
    let mut chars = text.chars().map(u32::from);
    let lead = chars.next()?;
    let (len, mut code) = match lead {
        0xC0..=0xDF => (2, lead & 0x1F),
        0xE0..=0xEF => (3, lead & 0x0F),
        0xF0..=0xF7 => (4, lead & 0x07),
        _ => return None,
    };
    for _ in 1..len {
        let next = chars.next().filter(|c| (0x80..=0xBF).contains(c))?;
        code = code << 6 | (next & 0x3F);
    }
    Some((code, len * 2))
}

/// The byte two hex digits spell, in either case.
fn hex_byte(digits: &[u8]) -> Option<u8> {
    let [high, low] = digits else { return None };
    let digit = |d: &u8| {
        char::from(*d)
            .to_digit(16)
            .and_then(|v| u8::try_from(v).ok())
    };
    Some(digit(high)? << 4 | digit(low)?)
}

/// Writes into `table`, for each prefix of `pattern` (case-folded, see [`fold`]), the length of its
/// longest proper prefix that is also its suffix.
fn fallbacks(pattern: &[u8], table: &mut [usize]) {
    let folded = |i: usize| pattern.get(i).copied().map(fold);
    let mut len = 0;
    for i in 1..pattern.len() {
        while len > 0 && folded(len) != folded(i) {
            len = table.get(len - 1).copied().unwrap_or(0);
        }
        if folded(len) == folded(i) {
            len += 1;
        }
        if let Some(slot) = table.get_mut(i) {
            *slot = len;
        }
    }
}

/// A request path as errors, hooks and logs show it: without its query (which can hold emails and
/// anything else a caller put there), and with each of `secrets` and any email in the path itself
/// scrubbed.
pub fn shown_path(path: &str, secrets: &[&str]) -> String {
    scrub(path.split('?').next().unwrap_or_default(), secrets)
}

/// Replaces every email address with `[email]`: around each `@` (raw, percent-encoded once or twice,
/// escaped as JSON, `\u0040`, or as HTML, `&#64;`, `&#x40;`, `&commat;`), its local part, back over
/// every character a local part may hold (JSON and HTML escapes among them, `\u00eb`, `&#x27;`, and
/// `=`, `/`, `?`, `&`, `` ` ``), and its domain, on to a character no host name holds. Of an address
/// whose `@` is percent-encoded, a raw `=`, `?`, `&` or `` ` `` ends the local part: whatever wrote
/// `%40` wrote those encoded too, so they are a query's (`?email=` of `?email=ada%40example.com` stays);
/// a raw `/` does not (Python's `quote` leaves it). A backtick or a double quote around an address
/// stays.
pub fn redact_emails(text: &str) -> String {
    if !may_hold_email(text) {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // `copied`: what is in `out`; a local part ending here starts at `local`, or, its `@` encoded, at
    // `query`.
    let (mut copied, mut local, mut query, mut at) = (0, 0, 0, 0);
    while let Some((part, width)) = address_part(bytes, at) {
        let next = at + width;
        match part {
            Part::At(encoded) => {
                let mut end = next;
                while let Some((Part::Atom | Part::At(_), width)) = address_part(bytes, end) {
                    end += width;
                }
                let mut start = if encoded { query } else { local };
                if bytes.get(start) == Some(&b'`') && bytes.get(end) == Some(&b'`') {
                    start += 1; // `ada@x.io`, quoted as code
                }
                out.push_str(text.get(copied..start).unwrap_or_default());
                if start == at {
                    if let Some(open) = quoted_local_part(&out) {
                        out.truncate(open);
                    }
                }
                out.push_str("[email]");
                (copied, local, query, at) = (end, end, end, end);
                continue;
            }
            Part::Other => (local, query) = (next, next),
            Part::Query => query = next,
            Part::Atom | Part::Slash => {}
        }
        at = next;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// Whether `text` has a byte an `@` is written with (raw, `%40`, `\u0040`, `&#64;`): a byte loop, far
/// faster than `contains` with characters.
fn may_hold_email(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'@' | b'%' | b'\\' | b'&'))
}

/// What a unit of text is to an email address ([`address_part`]).
#[derive(Clone, Copy)]
enum Part {
    /// An `@`: percent-encoded (`true`), or raw or escaped.
    At(bool),
    /// Of a local part or a domain: an ASCII letter or digit, any non-ASCII byte, one of
    /// `._%+-'~!#$*^{|}`, a JSON escape's `\` or an HTML escape (`&#x2e;`).
    Atom,
    /// `/`, of a local part only.
    Slash,
    /// `=`, `?`, `&` or `` ` ``, of a local part only, but for one whose `@` is percent-encoded.
    Query,
    /// Anything else: white space, quotes, brackets, `,:;<>`.
    Other,
}

/// The [`Part`] at `at` and its length in bytes.
fn address_part(bytes: &[u8], at: usize) -> Option<(Part, usize)> {
    let byte = *bytes.get(at)?;
    let rest = bytes.get(at + 1..).unwrap_or_default();
    Some(match byte {
        b'@' => (Part::At(false), 1),
        b'%' if rest.starts_with(b"40") => (Part::At(true), 3),
        b'%' if rest.starts_with(b"2540") => (Part::At(true), 5),
        b'\\' if rest.starts_with(b"u0040") => (Part::At(false), 6),
        // `\u`: a JSON escape, read as part of the address it may be in (`\u0020` too: a name before
        // an address may go with it, never a part of the address be shown); escaped again, `\\u` (a
        // JSON document quoted in a JSON string, and that written as JSON), up to 8 times.
        b'\\' if rest.iter().take(8).find(|&&b| b != b'\\') == Some(&b'u') => (Part::Atom, 1),
        b'\\' if rest.starts_with(b"/") => (Part::Slash, 2), // `/` as JSON may write it (PHP's)
        b'&' => html_escape(rest).unwrap_or((Part::Query, 1)),
        b'/' => (Part::Slash, 1),
        b'=' | b'?' | b'`' => (Part::Query, 1),
        _ if byte.is_ascii_alphanumeric()
            || !byte.is_ascii()
            || b"._%+-'~!#$*^{|}".contains(&byte) =>
        {
            (Part::Atom, 1)
        }
        _ => (Part::Other, 1),
    })
}

/// The HTML character reference that `rest`, after a `&`, starts with, and its length with the `&`:
/// `&#64;`, `&#x40;` or `&commat;` (an `@`; a number's `;` may be left out, as HTML allows), or any
/// other (an [`Part::Atom`]).
fn html_escape(rest: &[u8]) -> Option<(Part, usize)> {
    let (radix, from) = match rest {
        [b'#', b'x' | b'X', ..] => (16, 2),
        [b'#', ..] => (10, 1),
        _ => (0, 0),
    };
    let name = rest.get(from..).unwrap_or_default();
    let len = name
        .iter()
        .take_while(|b| match radix {
            0 => b.is_ascii_alphanumeric(),
            _ => char::from(**b).is_digit(radix),
        })
        .count();
    let closed = name.get(len) == Some(&b';');
    let is_at = match radix {
        0 => closed && name.get(..len) == Some(b"commat"),
        _ => {
            name.iter().take(len).try_fold(0u32, |value, digit| {
                let digit = char::from(*digit).to_digit(radix)?;
                value.checked_mul(radix)?.checked_add(digit)
            }) == Some(64)
        }
    };
    (len > 0 && (closed || radix > 0)).then_some((
        if is_at { Part::At(false) } else { Part::Atom },
        1 + from + len + usize::from(closed),
    ))
}

/// Where a quoted local part that `out` ends with opens (`"ada lovelace"` of `"ada lovelace"@x.io`, or
/// `\"ada lovelace\"` in a JSON string): a closing quote after a character a local part ends with (an
/// opening one follows white space or `:([{,=`, as in `"@ada"`), back to the opening quote written as
/// it is, within a local part's 64 bytes (so that a text of many `"@` is read in linear time).
fn quoted_local_part(out: &str) -> Option<usize> {
    let bytes = out.strip_suffix('"')?.as_bytes();
    let escaped = bytes.last() == Some(&b'\\');
    let inside = bytes.get(..bytes.len() - usize::from(escaped))?;
    let last = *inside.last()?;
    if last.is_ascii_whitespace() || b":([{,=".contains(&last) {
        return None;
    }
    (inside.len().saturating_sub(64)..inside.len())
        .rev()
        .find(|&at| {
            let slash = at > 0 && inside.get(at - 1) == Some(&b'\\');
            inside.get(at) == Some(&b'"') && slash == escaped
        })
        .map(|at| at - usize::from(escaped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;
    use crate::http::percent_encode;

    #[test]
    fn an_address_with_json_escapes_is_one_address() {
        assert_eq!(
            redact_emails(r#"{"email":"zo\u00ebmartin@example.com","name":"A\u0020B"}"#),
            r#"{"email":"[email]","name":"A\u0020B"}"#
        );
        assert_eq!(
            redact_emails(r"No contact ada\u002Bnews@example.com here"),
            r"No contact [email] here"
        );
        assert_eq!(
            redact_emails(r"\u00zz a@b.co \u \n"),
            r"\u00zz [email] \u \n"
        );
        assert_eq!(
            redact_emails(r#"{"email":"ada\u0040example.com"}"#),
            r#"{"email":"[email]"}"#
        );
        assert_eq!(
            redact_emails(r#"{\"email\":\"ada.lovelace\\u0040example.com\"}"#),
            r#"{\"email\":\"[email]\"}"#
        );
        assert_eq!(
            redact_emails(r#"\"ada\\u002Bnews\\u0040x.io\""#),
            r#"\"[email]\""#
        );
        assert_eq!(
            redact_emails(r#"{\\\"email\\\":\\\"ada.lovelace\\\\u0040x.io\\\"}"#),
            r#"{\\\"email\\\":\\\"[email]\\\"}"#
        );
    }

    #[test]
    fn replaces_each_email_and_keeps_the_rest() {
        assert_eq!(
            redact_emails("email a+b@x.io is taken, so is c@d.e"),
            "email [email] is taken, so is [email]"
        );
        assert_eq!(redact_emails("no address here"), "no address here");
        assert_eq!(
            redact_emails("taken: a!b#c@x.io, {d|e}@x.io, `f$g*h^i@x.io`"),
            "taken: [email], [email], `[email]`"
        );
    }

    #[test]
    fn percent_encoded_emails_and_credentials_go_too() {
        assert_eq!(
            redact_emails("GET /contacts?email=ada%40example.com failed"),
            "GET /contacts?email=[email] failed"
        );
        assert_eq!(
            redact_emails("field `ada%2bx%40Example.com`"),
            "field `[email]`"
        );
        // A raw `/` may be the address's own (Python's `quote` leaves it): the path goes with it.
        assert_eq!(redact_emails("/contacts/ada%2540example.com"), "[email]");
        assert_eq!(
            redact_emails("http://user:pass@127.0.0.1:9/x"),
            "http://user:[email]:9/x"
        );
        assert_eq!(
            redact_emails("taken: \"ada lovelace\"@example.com, \"a\"@b \"c\"@d"),
            "taken: [email], [email] [email]"
        );
        for (text, scrubbed) in [
            (r#"Email "ada\"lovelace"@example.com"#, "Email [email]"),
            (r#"Email "ada lovelace"%40example.com"#, "Email [email]"),
            // An opening quote before `@` quotes a handle: nothing before it goes.
            (
                r#"user "bob" replied to "@alice" and "@carol""#,
                r#"user "bob" replied to "[email]" and "[email]""#,
            ),
            (
                r#"name "Ada Lovelace", handle "@ada""#,
                r#"name "Ada Lovelace", handle "[email]""#,
            ),
            (
                r#"Contact "Ada" (handle:"@ada") and ["@alice","@bob"]"#,
                r#"Contact "Ada" (handle:"[email]") and ["[email]","[email]"]"#,
            ),
            (
                r#"{"error":"Email \"ada lovelace\"@example.com is taken"}"#,
                r#"{"error":"Email [email] is taken"}"#,
            ),
        ] {
            assert_eq!(redact_emails(text), scrubbed, "{text}");
        }
    }

    #[test]
    fn an_address_whose_local_part_holds_eq_slash_question_amp_or_backtick_goes_whole() {
        for (text, scrubbed) in [
            ("taken: a=b@example.com", "taken: [email]"),
            (
                "bounces+ada=example.org@lists.example bounced",
                "[email] bounced",
            ),
            (
                "to a/b@x.io, c?d@x.io, e&f@x.io, g`h@x.io;",
                "to [email], [email], [email], [email];",
            ),
            ("{\"email\":\"a=b@x.io\"}", "{\"email\":\"[email]\"}"),
            // Backticks around an address quote it; one inside is the address's.
            ("field `f=g`h@x.io` taken", "field `[email]` taken"),
            // Of a raw `@`, a query's `key=` may be the address's too: it goes.
            (
                "GET /contacts?email=ada@example.com failed",
                "GET [email] failed",
            ),
            (
                "log user=ada@example.com status=404",
                "log [email] status=404",
            ),
            // A domain ends where no host name goes on: the path, the query or the address after it stay.
            (
                "see ada@x.io/p?q=1&r=2 and `a@b.io`",
                "see [email]/p?q=1&r=2 and `[email]`",
            ),
            ("a@x.io&b@y.io", "[email][email]"),
            // Of a percent-encoded `@`, a raw `=`, `?`, `&` or `` ` `` is the query's: `email=` stays.
            (
                "GET /contacts?email=ada%40example.com&x=1 failed",
                "GET /contacts?email=[email]&x=1 failed",
            ),
            (
                "/contacts?x=1&email=a%3Db%2540example.com",
                "/contacts?x=1&email=[email]",
            ),
            ("q=`a%2Fb%40x.io`", "q=`[email]`"),
            ("/contacts/a/b%40example.com", "[email]"),
        ] {
            assert_eq!(redact_emails(text), scrubbed, "{text}");
            assert_eq!(scrub(text, &["sk_zz"]), scrubbed, "{text}");
            assert_eq!(scrub_owned(text.to_owned(), &["sk_zz"]), scrubbed, "{text}");
        }
    }

    #[test]
    fn an_address_escaped_as_html_goes_whole() {
        for (text, scrubbed) in [
            ("ada&#64;example.com", "[email]"),
            ("ada&#064;example.com is taken", "[email] is taken"),
            ("ada&#x40;example.com", "[email]"),
            ("<p>ada&#X40;example.com</p>", "<p>[email]</p>"),
            ("ada&commat;example.com", "[email]"),
            ("<b>ada&#64example.com</b>", "<b>[email]</b>"), // HTML reads `&#64` without `;` too
            ("o&#x27;brien@example.com", "[email]"),         // html.escape's apostrophe
            ("a&amp;b@x.io", "[email]"),
            ("ada&#x40;example&#x2e;com, bob", "[email], bob"),
            // No `@`: every other reference stays.
            (
                "Tom &amp; Jerry &#60;b&#62; &#640; &#x40e; &#; &commat &",
                "Tom &amp; Jerry &#60;b&#62; &#640; &#x40e; &#; &commat &",
            ),
            ("&#99999999999999999999;", "&#99999999999999999999;"),
        ] {
            assert_eq!(redact_emails(text), scrubbed, "{text}");
            assert_eq!(scrub_owned(text.to_owned(), &["sk_zz"]), scrubbed, "{text}");
        }
    }

    #[test]
    fn redacting_emails_with_many_escapes_and_local_part_characters_is_linear_in_the_text() {
        // Every kind of unit, many `@` among them, and HTML references left open: four times the text
        // must take far less than sixteen times as long.
        let unit = "a=b/c?d&e`f&#x4&#64&#6 &amp;x&commat %2540y%40&#; \\u0040 `g@h` ";
        let time = |n: usize| {
            let text = unit.repeat(n) + &"&".repeat(n) + &"&#1".repeat(n) + &"x=".repeat(n) + "@";
            // The fastest of five: a busy machine slows some runs, never all of them.
            (0..5)
                .map(|_| {
                    let started = std::time::Instant::now();
                    assert!(!redact_emails(&text).contains('@'));
                    started.elapsed()
                })
                .min()
                .unwrap_or_default()
        };
        let ratio = time(40_000).as_secs_f64() / time(10_000).as_secs_f64().max(1e-9);
        assert!(ratio < 8.0, "{ratio}");
    }

    #[test]
    fn a_text_without_a_secret_an_escape_or_an_at_is_given_back_as_it_is() {
        let key = "sk_live_0123";
        for (text, scrubbed) in [
            ("application/json", "application/json"),
            ("Bearer sk_live_0123", "Bearer [redacted]"),
            ("sk%5Flive%5F0123", "[redacted]"),
            ("ada@example.com", "[email]"),
            ("ada%40example.com", "[email]"),
        ] {
            assert_eq!(scrub_owned(text.to_owned(), &[key]), scrubbed, "{text}");
            assert_eq!(scrub(text, &[key]), scrubbed, "{text}");
        }
    }

    #[test]
    fn secrets_go_in_every_encoding() {
        let key = "sk_LIVE+abc/def=";
        let text = format!("bad key {key}, Bearer {key}, {}", percent_encode(key));
        let scrubbed = scrub(&text, &[key]);
        assert!(!scrubbed.contains("abc"), "{scrubbed}");
        assert_eq!(scrub("nothing", &[""]), "nothing");
    }

    #[test]
    fn secrets_go_in_any_form() {
        let (tilde, b64) = ("sk_test~abc", "K/ey+with=b64/");
        for (key, form) in [
            (tilde, "sk_test%7Eabc"),
            (tilde, "sk_test%7eabc"),
            (tilde, "%73k_test~ab%63"),
            (tilde, "%73%6B%5F%74%65%73%74%7E%61%62%63"),
            (b64, "K%252Fey%252Bwith%253Db64%252F"),
            (b64, "K\\/ey+with=b64\\/"),
            (b64, "K\\u002fey\\u002Bwith=b64/"),
            ("sk_%41%42z", "sk_%2541%2542z"),
            ("sk_%41%42z", "sk_%252541%252542z"),
            ("sk_%41%42z", "sk_%41%42z"),
        ] {
            let text = format!("<{form}> {form}");
            assert_eq!(
                scrub_secrets(&text, &[key]),
                "<[redacted]> [redacted]",
                "{form}"
            );
        }
    }

    #[test]
    fn a_key_goes_in_any_letter_case_raw_percent_encoded_or_json_escaped() {
        let key = "sk_LIVE_a1~Zq";
        for form in [
            "SK_LIVE_A1~ZQ",
            "sk_live_a1~zq",
            "Sk_lIvE_A1%7eZQ",
            "%53K%5flive_A1\\u007EzQ",
            "sK_LiVe_a1%257ezQ",
        ] {
            let text = format!("<{form}> {form}");
            assert_eq!(
                scrub_secrets(&text, &[key]),
                "<[redacted]> [redacted]",
                "{form}"
            );
            assert_eq!(scrub(&text, &[key]), "<[redacted]> [redacted]", "{form}");
            assert_eq!(
                scrub_owned(text, &[key]),
                "<[redacted]> [redacted]",
                "{form}"
            );
        }
        assert_eq!(scrub_secrets("SK_LIVE_A1~Z", &[key]), "SK_LIVE_A1~Z");
        // A key with a `"` or `\\` and a `%`, JSON-escaped with its `%HH` as it is.
        for key in ["ab\"cd%41", "ab\\cd%2F"] {
            let escaped = key.replace('\\', "\\\\").replace('"', "\\\"");
            assert_eq!(
                scrub_secrets(&format!("<{escaped}>"), &[key]),
                "<[redacted]>",
                "{key}"
            );
        }
    }

    #[test]
    fn a_key_in_parts_joined_as_header_lines_or_with_invisible_characters_goes() {
        let key = "sk_live_a1~Zq";
        for form in [
            "sk_\u{200b}live_a1~Zq",
            "s\u{ad}k_live\u{2060}_a1\u{feff}~\u{200d}\u{200e}Zq",
            "sk_live_\\u200Ba1~\\u00adZq",
            "%73k_\\u200blive_a1%7EZq",
            "sk_live_a1, ~Zq",
            "sk\u{61c}_live\u{34f}_a1\u{fe0f}~\u{e0001}Zq",
            "sk_\\u061Clive_a1~Zq",
            // In a header `fetch` read as Latin-1: U+200B's, U+00AD's and U+E0001's UTF-8 bytes.
            "sk_\u{e2}\u{80}\u{8b}live_a1\u{c2}\u{ad}~\u{f3}\u{a0}\u{80}\u{81}Zq",
            // A raw byte 0x80 to 0xFF in a header (a C1 control, one no UTF-8 reader reads), or
            // such a byte read as UTF-8 (U+FFFD).
            "sk_live\u{85}_a1~\u{9f}Zq",
            "sk_\u{e2}\u{80}live_a1~Zq",
            "sk_\u{c3}\u{a9}live_a1\u{ff}~Zq",
            "sk_live\u{fffd}_a1~Zq",
        ] {
            let text = format!("<{form}> {form}");
            assert_eq!(scrub(&text, &[key]), "<[redacted]> [redacted]", "{form}");
        }
        // Around a key, or in a text that holds none, an invisible character stays.
        for text in [
            "\u{200b}sk_live_a1~Zq\u{200b}",
            "sk_\u{200b}live",
            "\\u200bsk_live_a1~Z",
            "sk_Xlive_a1~Zq",
            "sk_\u{100}live_a1~Zq",
        ] {
            let kept = text.replace("sk_live_a1~Zq", "[redacted]");
            assert_eq!(scrub(text, &[key]), kept, "{text}");
        }
    }

    /// `bytes` in hex, in lower case.
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn a_key_echoed_in_base64_wrapped_in_lines_or_indented_goes_raw_or_json_escaped() {
        use crate::base64::{encode, STANDARD};
        let key = "sk_live_0123456789AbCdEf0123456789AbCdEf0123456789AbCdEf0123456789~";
        let forms = ApiKey::new(key.to_owned());
        let forms = forms.forms();
        let blob = encode(
            format!("Authorization: Bearer {key}\r\n").as_bytes(),
            STANDARD,
        );
        let wrapped = [(60, "\n"), (76, "\r\n"), (60, "\\n"), (76, "\\r\\n")];
        // Folded or indented: a header's continuation, YAML's block, a tab-indented dump.
        let indented = [
            (64, "\r\n "),
            (60, "\n  "),
            (60, "\n\t"),
            (60, "\\n  "),
            (76, "\\r\\n\\t"),
        ];
        for (width, newline) in wrapped.into_iter().chain(indented) {
            let lines: Vec<&str> = blob
                .as_bytes()
                .chunks(width)
                .map(|line| std::str::from_utf8(line).unwrap_or_default())
                .collect();
            let text = format!("{{\"echo\": \"{}\"}}", lines.join(newline));
            let scrubbed = scrub_secrets(&text, &forms);
            assert_eq!(
                scrubbed.matches("[redacted]").count(),
                1,
                "{width} {newline}: {scrubbed}"
            );
            let left: String = scrubbed
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let whole: String = blob.chars().filter(char::is_ascii_alphanumeric).collect();
            assert!(left.len() < whole.len() - 60, "{scrubbed}");
        }
    }

    #[test]
    fn an_address_after_a_json_escaped_slash_goes_whole() {
        assert_eq!(
            redact_emails(r#""lovelace\/ada@example.com""#),
            r#""[email]""#
        );
    }

    #[test]
    fn a_key_echoed_in_base64_or_hex_goes_at_any_alignment_in_either_alphabet() {
        use crate::base64::{encode, STANDARD, URL_SAFE};
        let key = "sk_live_0123456789AbCdEf~";
        let forms = ApiKey::new(key.to_owned());
        let forms = forms.forms();
        let mut seen = 0;
        for prefix in [
            "",
            "x",
            "xy",
            "Authorization: Bearer ",
            "GET / HTTP/1.1\r\nBearer ",
        ] {
            for suffix in ["", "!", "\r\n\r\n"] {
                let blob = format!("{prefix}{key}{suffix}");
                for alphabet in [STANDARD, URL_SAFE] {
                    let bare = encode(blob.as_bytes(), alphabet);
                    let padded = format!("{bare}{}", "=".repeat((4 - bare.len() % 4) % 4));
                    for encoded in [bare, padded] {
                        let text = format!("echo {encoded} end");
                        let scrubbed = scrub_secrets(&text, &forms);
                        assert!(
                            scrubbed.matches("[redacted]").count() == 1
                                && scrubbed.ends_with(" end")
                                && scrub_secrets(&scrubbed, &forms) == scrubbed,
                            "{blob:?}: {scrubbed}"
                        );
                        // The blob's other bytes stay as they were.
                        let head = encode(prefix.as_bytes(), alphabet);
                        let head = &head[..prefix.len() / 3 * 4];
                        assert!(scrubbed.starts_with(&format!("echo {head}")), "{scrubbed}");
                        seen += 1;
                    }
                }
            }
        }
        assert_eq!(seen, 60);
        for text in [hex(key.as_bytes()), hex(key.as_bytes()).to_uppercase()] {
            let echoed = format!("key=0x{text}00;");
            assert_eq!(scrub_secrets(&echoed, &forms), "key=0x[redacted]00;");
        }
        // Percent-encoded or JSON-escaped as the key is (a base64 blob in a query or a JSON string).
        let blob = encode(format!("Bearer {key}").as_bytes(), STANDARD);
        let escaped = blob.replace('/', "\\/").replace('+', "%2B");
        assert!(
            scrub_secrets(&escaped, &forms).contains("[redacted]"),
            "{escaped}"
        );
    }

    #[test]
    fn a_short_key_has_no_base64_or_hex_form_and_a_long_one_all_four() {
        let forms = |key: &str| {
            let key = ApiKey::new(key.to_owned());
            let forms = key.forms().map(str::to_owned);
            forms
                .into_iter()
                .filter(|form| !form.is_empty())
                .collect::<Vec<_>>()
        };
        assert_eq!(forms("k"), ["k"]);
        assert_eq!(
            forms("sk_live_a1"),
            ["sk_live_a1".to_owned(), hex(b"sk_live_a1")]
        );
        // 12 bytes: 16 base64 characters at the first alignment, 15 at the others.
        assert_eq!(forms("sk_live_a123").len(), 3);
        let forms = forms("sk_live_a1234");
        assert_eq!(forms.len(), 5, "{forms:?}");
        assert!(forms[1..].iter().all(|form| form.len() >= 16), "{forms:?}");
    }

    #[test]
    fn only_whole_secrets_go_and_nothing_else_moves() {
        for (text, secret, scrubbed) in [
            ("sk_test%7Eab", "sk_test~abc", "sk_test%7Eab"), // a part is not the key
            ("%%7Ess%ZZ%7", "~s", "%[redacted]s%ZZ%7"),
            ("aaa%61a%62é", "aab", "aaa[redacted]é"), // a match after a partial one
            ("é%C3%A9x", "é", "[redacted][redacted]x"),
            (r#"{"k":"a\"b\\c"}"#, "a\"b\\c", r#"{"k":"[redacted]"}"#),
            ("\\u00e9 \\ %25 %", "é", "\\u00e9 \\ %25 %"),
        ] {
            assert_eq!(scrub_secrets(text, &[secret]), scrubbed, "{text}");
        }
    }

    #[test]
    fn redacting_many_quoted_addresses_is_linear_in_the_text() {
        // Escaped quotes before each `@`: a search back to an unescaped `"` with no bound read the whole
        // text each time. Eight times the text must take far less than 64 times as long: the fastest of
        // 5 rounds, the sizes interleaved (the one least slowed by other tests' threads).
        let time = |n: usize| {
            let text = "x\\\"@a ".repeat(n);
            let started = std::time::Instant::now();
            assert!(!redact_emails(&text).contains('@'));
            started.elapsed().as_secs_f64()
        };
        let mut fastest = [f64::INFINITY; 2];
        for _ in 0..5 {
            for (n, best) in [10_000, 80_000].into_iter().zip(&mut fastest) {
                *best = best.min(time(n));
            }
        }
        let ratio = fastest[1] / fastest[0].max(1e-9);
        assert!(ratio < 24.0, "{ratio}");
    }

    #[test]
    fn scrubbing_a_secret_is_linear_in_the_text() {
        let key = "a".repeat(500) + "b";
        let text = "%61".repeat(200_000);
        assert_eq!(scrub_secrets(&text, &[&key]), text);
    }
}
