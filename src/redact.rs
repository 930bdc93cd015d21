//! Keeps personal data out of messages: email addresses become `[email]`.

/// Replaces every whitespace-separated word that contains `@` with `[email]`.
pub fn redact_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for ch in text.chars() {
        if ch.is_whitespace() {
            flush(&mut out, &mut word);
            out.push(ch);
        } else {
            word.push(ch);
        }
    }
    flush(&mut out, &mut word);
    out
}

fn flush(out: &mut String, word: &mut String) {
    if word.contains('@') {
        out.push_str("[email]");
    } else {
        out.push_str(word);
    }
    word.clear();
}

#[cfg(test)]
mod tests {
    use super::redact_emails;

    #[test]
    fn replaces_each_email_and_keeps_the_rest() {
        assert_eq!(
            redact_emails("email a+b@x.io is taken, so is c@d.e"),
            "email [email] is taken, so is [email]"
        );
        assert_eq!(redact_emails("no address here"), "no address here");
    }
}
