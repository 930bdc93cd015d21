//! Checking that a delivery comes from Gist: a shared secret in a header, or an HMAC of the raw body.

use crate::error::Error;
use crate::input::Fields;
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use serde_json::Value;

/// How a delivery proves where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// A shared secret sent as-is in a header (a custom header set in Gist's webhook settings).
    Token,
    /// HMAC-SHA256 of the raw body, keyed with the secret.
    HmacSha256,
    /// HMAC-SHA1 of the raw body, keyed with the secret.
    HmacSha1,
}

/// How an HMAC signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Lower- or upper-case hex.
    Hex,
    /// Standard base64, padding optional.
    Base64,
}

/// Checked verification options. `Debug` never shows the secrets.
#[derive(Clone, PartialEq)]
pub struct VerifyOptions {
    secrets: Vec<String>,
    /// The scheme.
    pub scheme: Scheme,
    /// The header that carries the token or signature (lower case).
    pub header: String,
    /// How a signature is encoded.
    pub encoding: Encoding,
}

impl std::fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("secrets", &self.secrets.len())
            .field("scheme", &self.scheme)
            .field("header", &self.header)
            .field("encoding", &self.encoding)
            .finish()
    }
}

/// The header a token comes in, unless another is named.
pub const DEFAULT_TOKEN_HEADER: &str = "x-gist-webhook-token";
/// The header a signature comes in, unless another is named.
pub const DEFAULT_SIGNATURE_HEADER: &str = "x-gist-signature";

impl VerifyOptions {
    /// Options with one secret or several (rotation); every secret must be a non-empty string.
    pub fn new(
        secrets: Vec<String>,
        scheme: Scheme,
        header: Option<&str>,
        encoding: Encoding,
    ) -> Result<Self, Error> {
        if secrets.is_empty() || secrets.iter().any(|s| s.is_empty()) {
            return Err(Error::invalid_argument(
                "verify.secret must be a non-empty string or a non-empty array of them",
            ));
        }
        let default = match scheme {
            Scheme::Token => DEFAULT_TOKEN_HEADER,
            Scheme::HmacSha256 | Scheme::HmacSha1 => DEFAULT_SIGNATURE_HEADER,
        };
        let header = header.unwrap_or(default).trim().to_ascii_lowercase();
        if header.is_empty() {
            return Err(Error::invalid_argument("verify.header must not be empty"));
        }
        Ok(Self {
            secrets,
            scheme,
            header,
            encoding,
        })
    }

    /// Reads `{ secret, scheme?, header?, encoding? }`.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "verify")?;
        let secrets = match fields.take("secret") {
            Some(Value::String(secret)) => vec![secret],
            Some(Value::Array(list)) => list
                .into_iter()
                .map(|s| match s {
                    Value::String(s) => Ok(s),
                    _ => Err(Error::invalid_argument(
                        "verify.secret must hold strings only",
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let scheme = match fields.choice("scheme", &["token", "hmac-sha256", "hmac-sha1"])? {
            Some("hmac-sha256") => Scheme::HmacSha256,
            Some("hmac-sha1") => Scheme::HmacSha1,
            _ => Scheme::Token,
        };
        let header = fields.string("header")?;
        let encoding = match fields.choice("encoding", &["hex", "base64"])? {
            Some("base64") => Encoding::Base64,
            _ => Encoding::Hex,
        };
        fields.finish()?;
        Self::new(secrets, scheme, header.as_deref(), encoding)
    }
}

/// Whether a delivery carries a valid token or signature for one of the secrets. A missing or wrong
/// one gives `false`; every comparison takes the same time whatever the bytes.
pub fn verify(body: &[u8], headers: &[(String, String)], options: &VerifyOptions) -> bool {
    let Some(given) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&options.header))
        .map(|(_, value)| value.trim())
    else {
        return false;
    };
    let expected = |secret: &String| -> Option<String> {
        let mac = match options.scheme {
            Scheme::Token => return Some(secret.clone()),
            Scheme::HmacSha256 => hmac::<sha2::Sha256>(secret, body)?,
            Scheme::HmacSha1 => hmac::<sha1::Sha1>(secret, body)?,
        };
        Some(match options.encoding {
            Encoding::Hex => hex(&mac),
            Encoding::Base64 => base64(&mac),
        })
    };
    let given = normalise(given, options);
    options
        .secrets
        .iter()
        .filter_map(expected)
        .fold(false, |found, expected| {
            found | constant_time_eq(given.as_bytes(), expected.as_bytes())
        })
}

/// The signature as compared: without a `sha256=`/`sha1=` prefix, hex in lower case, base64 unpadded.
fn normalise(given: &str, options: &VerifyOptions) -> String {
    if options.scheme == Scheme::Token {
        return given.to_owned();
    }
    let value = given
        .split_once('=')
        .filter(|(prefix, _)| {
            prefix.eq_ignore_ascii_case("sha256") || prefix.eq_ignore_ascii_case("sha1")
        })
        .map_or(given, |(_, rest)| rest);
    match options.encoding {
        Encoding::Hex => value.to_ascii_lowercase(),
        Encoding::Base64 => value.trim_end_matches('=').to_owned(),
    }
}

fn hmac<D: EagerHash>(secret: &str, body: &[u8]) -> Option<Vec<u8>>
where
    Hmac<D>: KeyInit + Mac,
{
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(mac.finalize().into_bytes().to_vec())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 without padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |n: u32| {
        ALPHABET
            .get((n & 63) as usize)
            .map_or('=', |c| char::from(*c))
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let [a, b, c] = [0, 1, 2].map(|i| chunk.get(i).copied().map_or(0, u32::from));
        let n = (a << 16) | (b << 8) | c;
        let take = chunk.len() + 1;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i < take {
                out.push(sextet(n >> shift));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, value: &str) -> Vec<(String, String)> {
        vec![(name.to_owned(), value.to_owned())]
    }

    #[test]
    fn hmac_sha256_matches_a_known_vector_in_hex_and_base64() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let body = b"what do ya want for nothing?";
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let options =
            VerifyOptions::new(vec!["Jefe".into()], Scheme::HmacSha256, None, Encoding::Hex)
                .expect("valid");
        assert!(verify(body, &headers("X-Gist-Signature", sig), &options));
        assert!(verify(
            body,
            &headers(
                "x-gist-signature",
                &format!("sha256={}", sig.to_uppercase())
            ),
            &options
        ));
        assert!(!verify(
            b"what do ya want for nothing!",
            &headers("x-gist-signature", sig),
            &options
        ));
        let b64 = VerifyOptions::new(
            vec!["Jefe".into()],
            Scheme::HmacSha256,
            None,
            Encoding::Base64,
        )
        .expect("valid");
        let sig64 = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";
        assert!(verify(body, &headers("x-gist-signature", sig64), &b64));
        assert!(verify(
            body,
            &headers("x-gist-signature", sig64.trim_end_matches('=')),
            &b64
        ));
    }

    #[test]
    fn hmac_sha1_matches_a_known_vector() {
        // RFC 2202 test case 2.
        let options = VerifyOptions::new(
            vec!["Jefe".into()],
            Scheme::HmacSha1,
            Some("X-Hub"),
            Encoding::Hex,
        )
        .expect("valid");
        let sig = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
        assert!(verify(
            b"what do ya want for nothing?",
            &headers("x-hub", sig),
            &options
        ));
    }

    #[test]
    fn tokens_compare_exactly_and_any_rotated_secret_matches() {
        let options = VerifyOptions::new(
            vec!["old".into(), "new".into()],
            Scheme::Token,
            None,
            Encoding::Hex,
        )
        .expect("valid");
        assert!(verify(
            b"{}",
            &headers("x-gist-webhook-token", "new"),
            &options
        ));
        assert!(verify(
            b"{}",
            &headers("X-Gist-Webhook-Token", " old "),
            &options
        ));
        assert!(!verify(
            b"{}",
            &headers("x-gist-webhook-token", "NEW"),
            &options
        ));
        assert!(!verify(b"{}", &headers("x-other", "new"), &options));
        assert!(!verify(b"{}", &[], &options));
    }

    #[test]
    fn bad_options_are_invalid_arguments_and_debug_hides_secrets() {
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"secret": ""}),
            serde_json::json!({"secret": []}),
            serde_json::json!({"secret": [1]}),
            serde_json::json!({"secret": "s", "scheme": "md5"}),
            serde_json::json!({"secret": "s", "encoding": "hex2"}),
            serde_json::json!({"secret": "s", "header": " "}),
        ] {
            assert!(VerifyOptions::from_value(bad.clone()).is_err(), "{bad}");
        }
        let options = VerifyOptions::from_value(
            serde_json::json!({"secret": ["s3cret"], "scheme": "hmac-sha1"}),
        )
        .expect("ok");
        assert_eq!(options.header, "x-gist-signature");
        assert!(!format!("{options:?}").contains("s3cret"));
    }

    #[test]
    fn base64_encodes_every_tail_length() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg");
        assert_eq!(base64(b"fo"), "Zm8");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg");
    }
}
