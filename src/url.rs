//! Where requests may go: one base URL, and request paths that can never leave it.
//!
//! The API key travels with every request, so a path is refused unless it stays inside `baseUrl`'s
//! origin *and* path prefix whatever the server or a proxy in between does with it: after
//! percent-decoding, once or twice, no segment may be empty (`//`), `.` or `..`, or hold a `/`, a `\`, a `#`, a `?`,
//! a control character or white space; and no raw `#` anywhere. One trailing `/` is allowed.

use crate::error::Error;
use crate::text::text;

/// A checked base URL: `scheme://host[:port][/prefix]`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    host: String,
}

impl BaseUrl {
    /// Checks a base URL: `http(s)://`, a host, no credentials, query or fragment, and a path prefix
    /// that obeys the same rule as request paths.
    ///
    /// # Errors
    /// `invalid_argument`, saying what is wrong.
    pub fn parse(url: &str) -> Result<Self, Error> {
        // A scheme is case-insensitive (`HTTPS://`); the URL is kept with it in lower case.
        let (scheme, rest) = ["https://", "http://"]
            .iter()
            .find_map(|scheme| {
                let given = url.get(..scheme.len())?;
                given
                    .eq_ignore_ascii_case(scheme)
                    .then(|| (*scheme, url.get(scheme.len()..).unwrap_or_default()))
            })
            .ok_or_else(|| {
                Error::invalid_argument("baseUrl must start with https:// or http://")
            })?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        // An `@` anywhere: credentials, even a password holding a `/` (which ends the authority early).
        if rest.contains('@') {
            return Err(Error::invalid_argument(
                "baseUrl must not contain credentials (the client sends apiKey itself), nor an at sign anywhere: percent-encode one in a path",
            ));
        }
        let host = host_of(authority);
        let clean = !url.contains(['?', '#', '\\']) && !url.chars().any(is_unsafe_char);
        // A URL parser reads `api%2Egetgist.com` and `api.getgist．com` as `api.getgist.com`: a host
        // is compared (`is_gist`) only as plain ASCII, with no escape; and it refuses a host holding
        // one of WHATWG's forbidden code points (`a<b`, `a|b`).
        let plain_host = host.is_ascii() && !host.bytes().any(|b| b"%<>^|[]".contains(&b));
        if host.is_empty() || !clean || !plain_host || !authority_is_plain(authority) {
            return Err(Error::invalid_argument(
                "baseUrl must be an absolute URL with an unescaped ASCII host (an IP address as 127.0.0.1 or [::1]) and no query, fragment, backslash or spaces",
            ));
        }
        let prefix = path.trim_end_matches('/');
        if !prefix.is_empty() {
            check_segments(prefix).map_err(|()| {
                Error::invalid_argument(
                    "baseUrl's path must hold plain segments, raw or percent-encoded: no empty, `.` or `..` one, and in one no white space, control character, `\\`, `#`, `?`, `/` or stray `%`",
                )
            })?;
        }
        Ok(Self {
            url: text!("{}{}{}", scheme, authority, prefix),
            host,
        })
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Whether the host is Gist's own (`getgist.com` or a subdomain), in any case, port or scheme.
    pub fn is_gist(&self) -> bool {
        self.host == "getgist.com" || self.host.ends_with(".getgist.com")
    }

    /// The absolute URL of a request path (plus its encoded query), after [`check_path`].
    ///
    /// # Errors
    /// `invalid_argument` when the path would leave the base URL.
    pub fn join(&self, path_and_query: &str) -> Result<String, Error> {
        check_path(path_and_query)?;
        Ok(text!("{}{}", self.url, path_and_query))
    }
}

/// Whether an authority is one a URL parser (WHATWG's, as `fetch` reads it) takes as written: a host in
/// brackets an IPv6 address ([`is_ipv6`]), one whose last label is a number an IPv4 address
/// ([`is_ipv4_if_numeric`]), and its port, if it has one, a number up to 65535 (`[::1`, `[1:2:3]`,
/// `256.0.0.1`, `h:s3c` and `h:99999` are no URL).
fn authority_is_plain(authority: &str) -> bool {
    let after_host = match authority.strip_prefix('[') {
        Some(ipv6) => match ipv6.split_once(']') {
            Some((address, rest)) if is_ipv6(address.as_bytes()) => rest,
            _ => return false,
        },
        None => {
            let at = authority.find(':').unwrap_or(authority.len());
            if !is_ipv4_if_numeric(authority.as_bytes().get(..at).unwrap_or_default()) {
                return false;
            }
            authority.get(at..).unwrap_or_default()
        }
    };
    match after_host.strip_prefix(':') {
        // Digits of the same length compare as their numbers do.
        Some(port) => {
            port.bytes().all(|b| b.is_ascii_digit())
                && (port.len() < 5 || (port.len() == 5 && port <= "65535"))
        }
        None => after_host.is_empty(),
    }
}

/// Whether a host (without its brackets) is an IPv6 address as WHATWG URL and `std::net::Ipv6Addr`
/// read one: 8 groups of 1 to 4 hex digits, fewer where one `::` stands for the rest, the last two of
/// them written as a dotted quad if so wished (`::ffff:127.0.0.1`).
fn is_ipv6(address: &[u8]) -> bool {
    let all_there = |groups: usize, gap: bool| if gap { groups < 8 } else { groups == 8 };
    let (mut groups, mut digits, mut gap, mut at) = (0, 0, false, 0);
    while let Some(&byte) = address.get(at) {
        at += 1;
        match byte {
            _ if byte.is_ascii_hexdigit() && digits < 4 => {
                digits += 1;
                continue;
            }
            // The dotted quad that ends it, from its group's start: its last two groups.
            b'.' => {
                let quad = address.get(at - 1 - digits..);
                return quad.is_some_and(is_dotted_quad) && all_there(groups + 2, gap);
            }
            b':' if address.get(at) == Some(&b':') && !gap => {
                gap = true;
                at += 1;
            }
            // A `:` ends a group, and another follows.
            b':' if digits > 0 && at < address.len() => {}
            _ => return false,
        }
        groups += usize::from(digits > 0);
        digits = 0;
    }
    all_there(groups + usize::from(digits > 0), gap)
}

/// Whether a host is no IPv4 address to a URL parser, or one written as it reads it: a host whose last
/// label (before one trailing dot) is a number (WHATWG's "ends in a number": digits, or hex after `0x`)
/// is an IPv4 address to it, and must be a dotted quad ([`is_dotted_quad`]). `256.0.0.1`,
/// `127.0.0.1.1` and `a.1` are no URL; `127.1`, `0x7f.0.0.1` and `0177.0.0.1` are `127.0.0.1` to it,
/// an address their text does not show, refused as an escaped host is.
fn is_ipv4_if_numeric(host: &[u8]) -> bool {
    let host = host.strip_suffix(b".").unwrap_or(host);
    let last = match host.iter().rposition(|&b| b == b'.') {
        Some(dot) => host.get(dot + 1..).unwrap_or_default(),
        None => host,
    };
    let number = match last {
        [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        [] => false,
        digits => digits.iter().all(u8::is_ascii_digit),
    };
    !number || is_dotted_quad(host)
}

/// Whether `text` is an IPv4 address as `std::net::Ipv4Addr` reads one, and as an IPv6 address may end
/// with one: 4 decimal numbers up to 255, none with a leading zero.
fn is_dotted_quad(text: &[u8]) -> bool {
    let (mut numbers, mut number, mut digits) = (1, 0, 0);
    for &byte in text {
        match byte {
            b'.' if digits > 0 => (numbers, number, digits) = (numbers + 1, 0, 0),
            // No digit after a leading 0.
            b'0'..=b'9' if digits == 0 || number > 0 => {
                number = number * 10 + u32::from(byte - b'0');
                digits += 1;
            }
            _ => return false,
        }
        if number > 255 {
            return false;
        }
    }
    numbers == 4 && digits > 0
}

/// The host of an authority, in lower case, without its port or a trailing dot.
fn host_of(authority: &str) -> String {
    let host = match authority.strip_prefix('[') {
        Some(ipv6) => ipv6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Checks a request path (with its query, if any) against the rule of this module.
///
/// # Errors
/// `invalid_argument`, which never repeats the path (it may hold personal data).
pub fn check_path(path_and_query: &str) -> Result<(), Error> {
    let path = path_and_query.split('?').next().unwrap_or_default();
    let inside = path.starts_with('/')
        && !path_and_query.contains('#')
        && !path_and_query.chars().any(is_unsafe_char)
        && check_segments(path.strip_suffix('/').unwrap_or(path)).is_ok();
    match inside || path == "/" {
        true => Ok(()),
        false => Err(Error::invalid_argument(
            "url must be a path inside baseUrl, such as \"/contacts\": absolute URLs, `//`, `.` and `..` \
             segments (also percent-encoded), backslashes, `#` and white space (percent-encode it) are \
             refused so that the API key never leaves baseUrl",
        )),
    }
}

fn is_unsafe_char(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// How many more times a segment is percent-decoded after the first, as servers and proxies in front of
/// one may each decode it again (`%252e%252e` is `..` decoded twice).
const MORE_DECODINGS: usize = 3;

/// Checks `/a/b/c`: every segment non-empty, not `.` or `..` (nor `..;x`, nor written with dots past
/// ASCII), valid UTF-8, and free of `/`, `\`, `#`, `?`, white space and controls once percent-decoded,
/// and again each time it is decoded once more.
fn check_segments(path: &str) -> Result<(), ()> {
    let rest = path.strip_prefix('/').ok_or(())?;
    for segment in rest.split('/') {
        let mut decoded = percent_decode(segment.as_bytes(), false).ok_or(())?;
        for _ in 0..=MORE_DECODINGS {
            if leaves(&decoded) {
                return Err(());
            }
            if !decoded.contains(&b'%') {
                break;
            }
            // What is no escape is left as it is.
            decoded = percent_decode(&decoded, true).unwrap_or_default();
        }
    }
    Ok(())
}

/// Whether a decoded segment holds a character that would end it or the path, is no UTF-8, is empty,
/// `.` or `..` (also before a `;`: Tomcat's `/..;/` is `/../`), or holds a form that a server folding
/// Unicode (NFKC) may read as ASCII: dot leaders (`‥` is `..`), vertical, small and full-width forms
/// (`．`, `／`, `＼`, `％２ｅ`).
fn leaves(segment: &[u8]) -> bool {
    let bad_char = segment.iter().any(|&b| {
        matches!(b, b'/' | b'\\' | b'#' | b'?') || b.is_ascii_control() || b.is_ascii_whitespace()
    });
    let Ok(text) = std::str::from_utf8(segment) else {
        return true;
    };
    let folds = text.chars().any(|c| {
        matches!(c, '\u{2024}'..='\u{2026}' | '\u{fe10}'..='\u{fe1f}' | '\u{fe30}'..='\u{fe6f}' | '\u{ff00}'..='\u{ffef}')
    });
    let name = text.split(';').next().unwrap_or_default();
    bad_char || folds || matches!(name, "" | "." | "..")
}

/// Percent-decodes bytes; a `%` that starts no escape is `None`, or, `lenient`, kept as it is.
fn percent_decode(bytes: &[u8], lenient: bool) -> Option<Vec<u8>> {
    let digit = |at: usize| bytes.get(at).and_then(|&d| char::from(d).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match (byte, digit(at + 1), digit(at + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).ok()?);
                at += 3;
            }
            (b'%', ..) if !lenient => return None,
            _ => {
                out.push(byte);
                at += 1;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_prefix_are_refused() {
        for path in [
            "contacts",
            "//evil.example/x",
            "/contacts/..//127.0.0.1:9/stolen",
            "/x/../../admin",
            "/%2e%2e/admin",
            "/%2E%2E/admin",
            "/a/./b",
            "/a//b",
            "/a/%2F%2Fevil",
            "/a/%5C..",
            "/\\evil/x",
            "/a#frag",
            "/a b",
            "/a/%zz",
            "/a\n",
            "/tags%20x",
            "/tags%23x",
            "/a/%252e%252e/admin",
            "/a/%252E.",
            "/a/%252F..",
            "/a/%252f%252e%252e%252f%25zz",
            "/a/%ff%252f%252e%252e%252fx",
            "/a/..;/admin",
            "/a/.;x/b",
            "/a/;x/b",
            "/a/\u{ff0e}\u{ff0e}/admin",
            "/a/%EF%BC%8E%EF%BC%8E/admin",
            "/a/\u{2024}/b",
            "/a/%25252e%25252e/admin",
            "/a/%2525252e%2525252e/admin",
            "/a/%c0%ae%c0%ae/admin",
            "/a/%ff",
            "/a/\u{2025}/admin",
            "/a/%E2%80%A5/admin",
            "/a/\u{fe30}/admin",
            "/a/..\u{ff0f}..\u{ff0f}admin",
            "/a/..\u{ff3c}..\u{ff3c}admin",
            "/a/\u{fe68}x",
            "/a/\u{ff05}\u{ff12}\u{ff45}\u{ff05}\u{ff12}\u{ff45}/admin",
        ] {
            assert!(check_path(path).is_err(), "{path}");
        }
    }

    #[test]
    fn ordinary_paths_pass() {
        for path in [
            "/",
            "/contacts",
            "/contacts/",
            "/contacts/42?email=a%40b.c&x=..",
            "/a.b/..c",
            "/100%25",
            "/a%2525b",
            "/a/.../b",
            "/a/x;y",
            "/contacts/ada%40example.com",
            "/a/caf%C3%A9",
        ] {
            assert!(check_path(path).is_ok(), "{path}");
        }
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        let base = BaseUrl::parse("http://127.0.0.1:4010/proxy/").expect("valid");
        assert_eq!(base.as_str(), "http://127.0.0.1:4010/proxy");
        assert_eq!(
            base.join("/contacts?page=1").ok().as_deref(),
            Some("http://127.0.0.1:4010/proxy/contacts?page=1")
        );
        assert!(base.join("/../admin").is_err());
        for bad in [
            "ftp://x",
            "https://",
            "http://u:p@127.0.0.1",
            "http://h/a?b",
            "http://h/#x",
            "http://h/a/../b",
            "http://h/%2e%2e",
            "http://h\\evil",
            "http://h /x",
            "http://user:s3c/retPW@h.invalid",
            "http://h:80x",
            "http://[::1]x",
            "http://[::1",
            "http://[zz]",
            "http://a:99999",
            "http://a:65536",
            "https://api%2Egetgist.com",
            "https://api.ge%74gist.com",
            "https://api.getgist\u{ff0e}com",
            "https://api.getgist\u{3002}com",
            "https://b\u{fc}cher.example",
            // A URL parser refuses these hosts, or reads them as another address than written.
            "http://256.0.0.1:4010",
            "http://127.0.0.1.1:4010",
            "http://a.1",
            "http://a.0x",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://0177.0.0.1",
            "http://[1:2:3]/",
            "http://[1::2::3]",
            "http://[1:2:3:4:5:6:7:8::]",
            "http://[::1.2.3.04]",
            "http://[1.2.3.4::]",
            "http://a<b",
            "http://a|b:1",
            "http://a]b",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "http://[::1]:8080/x",
            "http://[::ffff:127.0.0.1]:1",
            "http://h:",
            "http://h:65535",
            "https://h.example",
            "http://10.0.0.255./x",
            "http://[::]",
            "http://[1:2:3:4:5:6:7::]",
            "http://[1:2:3:4:5:6:1.2.3.4]",
            "http://a.0xg",
            "http://1a",
        ] {
            assert!(BaseUrl::parse(good).is_ok(), "{good}");
        }
        let shouting = BaseUrl::parse("HTTPS://api.getgist.com").expect("a scheme in any case");
        assert_eq!(shouting.as_str(), "https://api.getgist.com");
        assert!(shouting.is_gist());
    }

    /// A refusal names the rule the URL breaks: an `@` in the path is no credentials, an encoded space
    /// no empty or dot segment.
    #[test]
    fn a_refused_base_url_path_is_told_the_rule_it_breaks() {
        let message = |url: &str| {
            BaseUrl::parse(url)
                .map_err(|e| e.into_fields().message)
                .err()
        };
        for url in ["http://h/ada.lovelace@example.com", "http://u:p@h/"] {
            let refused = message(url).unwrap_or_default();
            assert!(
                refused.starts_with("baseUrl must not contain credentials"),
                "{url}: {refused}"
            );
            assert!(
                refused.contains("nor an at sign anywhere"),
                "{url}: {refused}"
            );
            assert!(!refused.contains("lovelace"), "{refused}");
        }
        for url in ["http://h/a%20b", "http://h/a%09b", "http://h/a%2Fb"] {
            let refused = message(url).unwrap_or_default();
            assert!(
                refused.starts_with("baseUrl's path must hold plain segments"),
                "{url}: {refused}"
            );
            assert!(
                refused.contains("no white space, control character"),
                "{url}: {refused}"
            );
        }
        let refused = message("http://h/a/../b").unwrap_or_default();
        assert!(refused.contains("no empty, `.` or `..` one"), "{refused}");
    }

    #[test]
    fn gists_host_is_recognised_in_any_spelling() {
        for url in [
            "https://api.getgist.com",
            "https://API.getgist.com",
            "https://api.getgist.com.",
            "https://api.getgist.com:443",
            "http://api.getgist.com",
            "https://api.getgist.com/v1",
        ] {
            assert!(
                BaseUrl::parse(url).map(|b| b.is_gist()).unwrap_or(false),
                "{url}"
            );
        }
        for url in [
            "http://127.0.0.1:4010",
            "https://getgist.com.evil.example",
            "http://[::1]:1",
        ] {
            assert!(
                !BaseUrl::parse(url).map(|b| b.is_gist()).unwrap_or(true),
                "{url}"
            );
        }
    }
}
