//! Checking that a delivery comes from Gist: a shared secret in a header, or an HMAC of the raw body.

use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;
use hmac::{EagerHash, Hmac, KeyInit, Mac};

/// How a delivery proves where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    scheme: Scheme,
    header: String,
    encoding: Encoding,
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
    /// Options with one secret or several (rotation); every secret must be a non-empty string with no
    /// white space at its ends (a token's could never match, as a header's value is read trimmed; an
    /// HMAC key's is almost always a list split at `", "`), and a token's in printable ASCII (a header's
    /// value is bytes, which servers decode differently past ASCII).
    pub fn new(
        secrets: Vec<String>,
        scheme: Scheme,
        header: Option<&str>,
        encoding: Encoding,
    ) -> Result<Self, Error> {
        if secrets.is_empty() || secrets.iter().any(|s| s.is_empty()) {
            return Err(Error::invalid_argument(
                "the webhook secret must be a non-empty string or a non-empty array of them",
            ));
        }
        if secrets.iter().any(|s| s.trim() != s) {
            return Err(Error::invalid_argument(
                "a webhook secret starts or ends with white space (a list split at \", \"?): trim it",
            ));
        }
        let printable = |s: &String| s.bytes().all(|b| (b' '..=b'~').contains(&b));
        if scheme == Scheme::Token && !secrets.iter().all(printable) {
            return Err(Error::invalid_argument(
                "a token webhook secret must be printable ASCII: servers decode other bytes of a header differently, so it would not verify",
            ));
        }
        let default = match scheme {
            Scheme::Token => DEFAULT_TOKEN_HEADER,
            Scheme::HmacSha256 | Scheme::HmacSha1 => DEFAULT_SIGNATURE_HEADER,
        };
        let header = header.unwrap_or(default).trim().to_ascii_lowercase();
        if !crate::input::is_header_name(&header) {
            return Err(Error::invalid_argument(
                "the webhook's header is not a header name HTTP allows",
            ));
        }
        Ok(Self {
            secrets,
            scheme,
            header,
            encoding,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The header that carries the token or signature (lower case).
    pub fn header(&self) -> &str {
        &self.header
    }

    /// How a signature is encoded.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Reads `{ secret, scheme?, header?, encoding? }`, named `what` in errors (`options`, or
    /// `handleWebhook`'s `verify`).
    pub fn from_value(value: Value, what: &'static str) -> Result<Self, Error> {
        let mut fields = Fields::new(value, what)?;
        let secrets = match fields.take("secret") {
            Some(Value::String(secret)) => vec![secret],
            Some(Value::Array(list)) => list
                .into_iter()
                .map(|s| match s {
                    Value::String(s) => Ok(s),
                    _ => Err(Error::invalid_argument(
                        "the webhook secret must be a string or an array of strings only",
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
        // An unknown field is named in the error: never a secret used as a field's name.
        fields.finish().map_err(|error| hidden(error, &secrets))?;
        Self::new(secrets, scheme, header.as_deref(), encoding)
    }

    /// `error` without these options' secrets: for one that names a caller's field.
    pub fn hide(&self, error: Error) -> Error {
        hidden(error, &self.secrets)
    }
}

/// `error` scrubbed of `secrets`.
fn hidden(error: Error, secrets: &[String]) -> Error {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    error.scrubbed(&secrets)
}

/// How to sign a test delivery so that these options verify it, with the first secret. `Debug` never
/// shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Signing<'o> {
    /// Send the secret itself in `header`.
    Token {
        /// The header.
        header: &'o str,
        /// The token.
        secret: &'o str,
    },
    /// Send the HMAC (`hash`: `"SHA-256"` or `"SHA-1"`) of the raw body in `header`, encoded.
    Hmac {
        /// The header.
        header: &'o str,
        /// The Web Crypto name of the hash.
        hash: &'static str,
        /// The key.
        secret: &'o str,
        /// How the signature is written.
        encoding: Encoding,
    },
}

/// Never shows the secret. (Not in the wasm, which never prints it.)
#[cfg(not(target_arch = "wasm32"))]
impl std::fmt::Debug for Signing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token { header, .. } => f
                .debug_struct("Token")
                .field("header", header)
                .field("secret", &"[redacted]")
                .finish(),
            Self::Hmac {
                header,
                hash,
                encoding,
                ..
            } => f
                .debug_struct("Hmac")
                .field("header", header)
                .field("hash", hash)
                .field("secret", &"[redacted]")
                .field("encoding", encoding)
                .finish(),
        }
    }
}

impl VerifyOptions {
    /// How to sign a delivery these options accept (for tests of a receiver), with the first secret.
    pub fn signing(&self) -> Signing<'_> {
        let header = self.header.as_str();
        let secret = self.secrets.first().map_or("", String::as_str);
        match self.scheme {
            Scheme::Token => Signing::Token { header, secret },
            Scheme::HmacSha256 | Scheme::HmacSha1 => Signing::Hmac {
                header,
                hash: if self.scheme == Scheme::HmacSha1 {
                    "SHA-1"
                } else {
                    "SHA-256"
                },
                secret,
                encoding: self.encoding,
            },
        }
    }
}

/// What is left to check a delivery once its headers are read: a token is settled at once; an HMAC
/// needs the raw body hashed with each secret (in pure Rust by [`verify`], or by Web Crypto in JS).
#[derive(Clone, PartialEq, Eq)]
pub enum Check {
    /// The answer: the header is missing or unreadable, or a token matched or not.
    Settled(bool),
    /// Valid when the HMAC (`hash`: `"SHA-256"` or `"SHA-1"`) of the raw body with one of `secrets`
    /// equals `signature`.
    Hmac {
        /// The Web Crypto name of the hash.
        hash: &'static str,
        /// The signature the delivery carries, decoded.
        signature: Vec<u8>,
        /// The secrets to try.
        secrets: Vec<String>,
    },
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Settled(valid) => write!(f, "Settled({valid})"),
            Self::Hmac { hash, .. } => write!(f, "Hmac({hash}, [redacted])"),
        }
    }
}

/// Reads the token or signature from the headers (its lines joined: two lines never verify), trimmed (a value past ASCII, which no token or
/// signature is, does not verify: no other white space is trimmed); every token comparison takes the
/// same time.
pub fn check(headers: &[(String, String)], options: &VerifyOptions) -> Check {
    let Some(joined) =
        super::header_value(headers, &options.header).filter(|value| value.is_ascii())
    else {
        return Check::Settled(false);
    };
    let given = joined.trim();
    let hash = match options.scheme {
        Scheme::Token => {
            let found = options.secrets.iter().fold(false, |found, secret| {
                found | same_token(given.as_bytes(), secret.as_bytes())
            });
            return Check::Settled(found);
        }
        Scheme::HmacSha256 => "SHA-256",
        Scheme::HmacSha1 => "SHA-1",
    };
    let prefix = if hash == "SHA-1" { "sha1" } else { "sha256" };
    let value = given
        .split_once('=')
        .filter(|(named, _)| named.eq_ignore_ascii_case(prefix))
        .map_or(given, |(_, rest)| rest);
    let signature = match options.encoding {
        Encoding::Hex => from_hex(value),
        Encoding::Base64 => from_base64(value),
    };
    // One the hash's length or none: a longer one can match no secret, and is not handed on whole.
    let length = if hash == "SHA-1" { 20 } else { 32 };
    match signature.filter(|signature| signature.len() == length) {
        Some(signature) => Check::Hmac {
            hash,
            signature,
            secrets: options.secrets.clone(),
        },
        None => Check::Settled(false),
    }
}

/// Whether a delivery carries a valid token or signature for one of the secrets. A missing or wrong
/// one gives `false`; every comparison takes the same time whatever the bytes.
pub fn verify(body: &[u8], headers: &[(String, String)], options: &VerifyOptions) -> bool {
    match check(headers, options) {
        Check::Settled(valid) => valid,
        Check::Hmac {
            hash,
            signature,
            secrets,
        } => secrets
            .iter()
            .filter_map(|secret| mac(hash, secret, body))
            .fold(false, |found, mac| {
                found | constant_time_eq(&mac, &signature)
            }),
    }
}

/// The headers that make [`verify`] accept `body` with `options`, signed with their first secret:
/// for tests of a receiver.
pub fn sign(body: &[u8], options: &VerifyOptions) -> Vec<(String, String)> {
    let (header, value) = match options.signing() {
        Signing::Token { header, secret } => (header, secret.to_owned()),
        Signing::Hmac {
            header,
            hash,
            secret,
            encoding,
        } => {
            let mac = mac(hash, secret, body).unwrap_or_default();
            let signature = match encoding {
                Encoding::Hex => mac.iter().map(|byte| format!("{byte:02x}")).collect(),
                Encoding::Base64 => {
                    let mut text = crate::base64::encode(&mac, crate::base64::STANDARD);
                    text.extend(std::iter::repeat_n('=', text.len().wrapping_neg() % 4));
                    text
                }
            };
            (header, signature)
        }
    };
    vec![(header.to_owned(), value)]
}

/// The HMAC of `body` with `secret` by `hash` (`"SHA-1"`, else SHA-256), as verifying and signing take it.
fn mac(hash: &str, secret: &str, body: &[u8]) -> Option<Vec<u8>> {
    match hash {
        "SHA-1" => hmac::<sha1::Sha1>(secret, body),
        _ => hmac::<sha2::Sha256>(secret, body),
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

/// Whether two signatures (of a length anyone may know) hold the same bytes, in a time that does not
/// depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && same_token(a, b)
}

/// Whether `given` is `secret` (not empty), in a time that depends only on `given`'s length: neither
/// where they differ nor the secret's length shows (`black_box` keeps the compiler from ending the loop
/// at the first difference).
fn same_token(given: &[u8], secret: &[u8]) -> bool {
    let diff =
        given
            .iter()
            .enumerate()
            .fold(u8::from(given.len() != secret.len()), |diff, (i, byte)| {
                let other = secret.get(i % secret.len().max(1)).copied().unwrap_or(0);
                std::hint::black_box(diff | (byte ^ other))
            });
    diff == 0
}

/// Hex (either case) to bytes; `None` when it is not hex.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Option<Vec<u8>> = text
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect();
    let digits = digits?;
    if digits.is_empty() || digits.len() % 2 != 0 {
        return None;
    }
    Some(
        digits
            .chunks(2)
            .map(|pair| pair.iter().fold(0, |n, d| n * 16 + d))
            .collect(),
    )
}

/// Standard base64, padding optional, to bytes; `None` when it is not base64.
fn from_base64(text: &str) -> Option<Vec<u8>> {
    crate::base64::decode(text, crate::base64::STANDARD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, value: &str) -> Vec<(String, String)> {
        vec![(name.to_owned(), value.to_owned())]
    }

    #[test]
    fn signing_follows_the_options_with_the_first_secret() {
        let token = VerifyOptions::new(
            vec!["new".into(), "old".into()],
            Scheme::Token,
            None,
            Encoding::Hex,
        )
        .expect("valid");
        assert!(matches!(
            token.signing(),
            Signing::Token {
                header: "x-gist-webhook-token",
                secret: "new"
            }
        ));
        let hmac = VerifyOptions::new(
            vec!["k".into()],
            Scheme::HmacSha1,
            Some("X-Hub-Signature"),
            Encoding::Base64,
        )
        .expect("valid");
        assert!(matches!(
            hmac.signing(),
            Signing::Hmac {
                header: "x-hub-signature",
                hash: "SHA-1",
                secret: "k",
                encoding: Encoding::Base64
            }
        ));
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
        let other_hash = format!("sha1={sig}");
        assert!(!verify(
            body,
            &headers("x-gist-signature", &other_hash),
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
        for wrong in ["", "ne", "newnew", "new\u{0}", "old "] {
            assert!(!same_token(wrong.as_bytes(), b"new"), "{wrong:?}");
        }
        assert!(same_token(b"new", b"new"));
    }

    #[test]
    fn bad_options_are_invalid_arguments_and_debug_hides_secrets() {
        for bad in [
            crate::json!({}),
            crate::json!({"secret": ""}),
            crate::json!({"secret": []}),
            crate::json!({"secret": [1]}),
            crate::json!({"secret": "s", "scheme": "md5"}),
            crate::json!({"secret": "s", "encoding": "hex2"}),
            crate::json!({"secret": "s", "header": " "}),
            crate::json!({"secret": ["old", " new"]}),
            crate::json!({"secret": "new\n", "scheme": "hmac-sha256"}),
            crate::json!({"secret": "p\u{e4}sswort"}),
            crate::json!({"secret": "tab\there"}),
        ] {
            assert!(
                VerifyOptions::from_value(bad.clone(), "verify").is_err(),
                "{bad}"
            );
        }
        let options = VerifyOptions::from_value(
            crate::json!({"secret": ["s3cret"], "scheme": "hmac-sha1"}),
            "verify",
        )
        .expect("ok");
        assert_eq!(options.header, "x-gist-signature");
        let hmac = crate::json!({"secret": "p\u{e4}sswort", "scheme": "hmac-sha256"});
        assert!(
            VerifyOptions::from_value(hmac, "verify").is_ok(),
            "an HMAC key is bytes"
        );
        assert!(!format!("{options:?}").contains("s3cret"));
    }

    #[test]
    fn base64_and_hex_decode_every_tail_length_and_refuse_junk() {
        for (text, bytes) in [
            ("Zg", &b"f"[..]),
            ("Zm8=", b"fo"),
            ("Zm9v", b"foo"),
            ("Zm9vYg", b"foob"),
        ] {
            assert_eq!(from_base64(text).as_deref(), Some(bytes), "{text}");
        }
        assert_eq!(from_hex("0aFf").as_deref(), Some(&[10, 255][..]));
        for junk in ["", "Z", "Zm9v!", "Zm9vY"] {
            assert_eq!(from_base64(junk), None, "{junk}");
        }
        for junk in ["", "abc", "zz"] {
            assert_eq!(from_hex(junk), None, "{junk}");
        }
    }
}
