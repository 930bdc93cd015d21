//! The core's messages name the JS client's options and methods (`timeoutMs`, `iter*`, `fetchLead`);
//! a Rust caller reads the names of this crate instead.

use crate::error::Error;

/// Each JS wording and its Rust one, longest first where one holds another.
const RUST_TERMS: &[(&str, &str)] = &[
    (
        "raise timeoutMs",
        "raise the timeout (ClientBuilder::timeout, RequestOptions::timeout)",
    ),
    ("timeoutMs", "the timeout"),
    (
        "or raise maxResponseBytes",
        "or raise ClientBuilder::max_response_bytes",
    ),
    ("maxResponseBytes", "max_response_bytes"),
    (
        "iterate with iter*",
        "walk it (users(), leads(), tags(), ...)",
    ),
    (
        "retry after retryAfter seconds",
        "retry after retry_after seconds",
    ),
    (" (Date.now())", ""),
    ("request.body", "the request's body"),
    ("maxRetries", "max_retries"),
    ("mayHaveActed", "may_have_acted"),
    ("perPage", "per_page"),
    ("maxConcurrent", "max_concurrent"),
    ("requestsPerSecond", "requests_per_second"),
    ("baseUrl", "the base URL"),
    ("apiKey", "the API key"),
    (", and CORS in a browser", ""),
];

/// `error` with its message in this crate's terms.
pub(crate) fn in_rust_terms(mut error: Error) -> Error {
    error.message = message_in_rust_terms(&error.message);
    error
}

/// An error's `message` (a `TagFailure`'s too) in this crate's terms.
pub(crate) fn message_in_rust_terms(message: &str) -> String {
    let mut message = message.to_owned();
    for (js, rust) in RUST_TERMS {
        if message.contains(js) {
            message = message.replace(js, rust);
        }
    }
    method_names_in_snake_case(&message)
}

/// `message` with each JS method's name (an endpoint's: `fetchLead`, `apiCall`) in snake case; any
/// other word, a caller's key or Gist's text, as it is.
fn method_names_in_snake_case(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 8);
    let mut rest = message;
    while let Some(start) = rest.find(|ch: char| ch.is_ascii_alphabetic()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = from
            .find(|ch: char| !ch.is_ascii_alphanumeric())
            .unwrap_or(from.len());
        let (word, after) = from.split_at(end);
        let is_method = crate::endpoints::is_endpoint(word);
        for ch in word.chars() {
            if is_method && ch.is_ascii_uppercase() {
                out.push('_');
                out.push(ch.to_ascii_lowercase());
            } else {
                out.push(ch);
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_names_become_rust_ones() {
        let said = |message: &str| {
            in_rust_terms(Error::invalid_argument(message))
                .into_fields()
                .message
        };
        assert_eq!(
            said("the call did not finish within 5 ms: raise timeoutMs or retry later"),
            "the call did not finish within 5 ms: raise the timeout (ClientBuilder::timeout, RequestOptions::timeout) or retry later"
        );
        assert_eq!(
            said("maxRetries must be a whole number from 0 to 10"),
            "max_retries must be a whole number from 0 to 10"
        );
        assert_eq!(
            said("check the network, baseUrl, and CORS in a browser"),
            "check the network, the base URL"
        );
        assert_eq!(
            said("id 1002 is a lead, not a user: use updateLead (or deleteLead, apiCall)"),
            "id 1002 is a lead, not a user: use update_lead (or delete_lead, api_call)"
        );
        assert_eq!(
            said("Unix seconds up to 10^11 (the year 5138), not milliseconds (Date.now()): divide those by 1000"),
            "Unix seconds up to 10^11 (the year 5138), not milliseconds: divide those by 1000"
        );
        assert_eq!(
            said("user.custom_properties.tagLine: Custom property listPrice is not a fetcher"),
            "user.custom_properties.tagLine: Custom property listPrice is not a fetcher"
        );
    }
}
