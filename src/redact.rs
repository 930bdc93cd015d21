//! The one scrubber for everything an error says: secrets (the API key, raw or percent-encoded)
//! become `[redacted]`, and email addresses (raw or percent-encoded, and so URL credentials
//! `user:password@host`) become `[email]`.

use crate::http::percent_encode;

/// Scrubs `text` of each secret, then of every email address.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    scrub_forms(text, &secret_forms(secrets))
}

/// Scrubs `text` of each secret, raw or percent-encoded, and of nothing else.
pub fn scrub_secrets(text: &str, secrets: &[&str]) -> String {
    remove_forms(text, &secret_forms(secrets))
}

/// What scrubbing removes of `secrets`, in the order it removes them: each one raw, then
/// percent-encoded with lower-case and with upper-case escapes. Made once for many texts (an answer's
/// headers), [`scrub_forms`] scrubs each.
pub fn secret_forms(secrets: &[&str]) -> Vec<String> {
    let mut forms = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let encoded = percent_encode(secret);
        forms.extend([(*secret).to_owned(), lower_escapes(&encoded), encoded]);
    }
    forms
}

/// [`scrub`] with the secrets' forms made by [`secret_forms`].
pub fn scrub_forms(text: &str, forms: &[String]) -> String {
    redact_emails(&remove_forms(text, forms))
}

/// `text` with each of `forms` replaced by `[redacted]`, in turn.
fn remove_forms(text: &str, forms: &[String]) -> String {
    let mut text = text.to_owned();
    for form in forms {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), "[redacted]");
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
    // "%40" has no letter: it is the same in any case.
    if !text.contains('@') && !text.contains("%40") {
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
    if run.contains('@') || run.contains("%40") {
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
