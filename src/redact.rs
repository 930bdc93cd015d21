//! The one scrubber for everything an error says: secrets (the API key, raw or percent-encoded)
//! become `[redacted]`, and email addresses (raw or percent-encoded, and so URL credentials
//! `user:password@host`) become `[email]`.

use crate::http::percent_encode;

/// Scrubs `text` of each secret, then of every email address.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    redact_emails(&scrub_secrets(text, secrets))
}

/// Scrubs `text` of each secret, raw or percent-encoded, and of nothing else.
pub fn scrub_secrets(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let encoded = percent_encode(secret);
        for form in [(*secret).to_owned(), lower_escapes(&encoded), encoded] {
            if text.contains(&form) {
                text = text.replace(&form, "[redacted]");
            }
        }
    }
    text
}

/// `%2B` as `%2b`: the other spelling of a percent-encoded text.
fn lower_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0_u8;
    for ch in encoded.chars() {
        out.push(if hex_left > 0 {
            ch.to_ascii_lowercase()
        } else {
            ch
        });
        hex_left = if ch == '%' {
            2
        } else {
            hex_left.saturating_sub(1)
        };
    }
    out
}

/// A request path as errors, hooks and logs show it: without its query (which can hold emails and
/// anything else a caller put there), and with any email in the path itself as `[email]`.
pub fn shown_path(path: &str) -> String {
    redact_emails(path.split('?').next().unwrap_or_default())
}

/// Replaces every run of address-like characters that holds an `@` (or `%40`) with `[email]`.
pub fn redact_emails(text: &str) -> String {
    if !text.contains('@') && !text.to_ascii_lowercase().contains("%40") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for ch in text.chars() {
        if is_address_char(ch) {
            run.push(ch);
        } else {
            flush(&mut out, &mut run);
            out.push(ch);
        }
    }
    flush(&mut out, &mut run);
    out
}

/// Characters of an address's local part or domain, percent-escapes and any non-ASCII letter included.
fn is_address_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric()
        || !ch.is_ascii()
        || matches!(ch, '.' | '_' | '%' | '+' | '-' | '@' | '\'' | '~')
}

fn flush(out: &mut String, run: &mut String) {
    if run.contains('@') || run.to_ascii_lowercase().contains("%40") {
        out.push_str("[email]");
    } else {
        out.push_str(run);
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_each_email_and_keeps_the_rest() {
        assert_eq!(
            redact_emails("email a+b@x.io is taken, so is c@d.e"),
            "email [email] is taken, so is [email]"
        );
        assert_eq!(redact_emails("no address here"), "no address here");
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
        assert_eq!(
            redact_emails("http://user:pass@127.0.0.1:9/x"),
            "http://user:[email]:9/x"
        );
    }

    #[test]
    fn secrets_go_in_every_encoding() {
        let key = "sk_LIVE+abc/def=";
        let text = format!("bad key {key}, Bearer {key}, {}", percent_encode(key));
        let scrubbed = scrub(&text, &[key]);
        assert!(!scrubbed.contains("abc"), "{scrubbed}");
        assert_eq!(scrub("nothing", &[""]), "nothing");
    }
}
