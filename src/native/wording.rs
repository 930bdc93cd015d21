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
    ("use fetchLead", "use fetch_lead"),
    ("use fetchUser", "use fetch_user"),
    ("maxRetries", "max_retries"),
    ("perPage", "per_page"),
    ("maxConcurrent", "max_concurrent"),
    ("requestsPerSecond", "requests_per_second"),
    ("baseUrl", "the base URL"),
    ("apiKey", "the API key"),
    (", and CORS in a browser", ""),
];

/// `error` with its message in this crate's terms.
pub(crate) fn in_rust_terms(mut error: Error) -> Error {
    for (js, rust) in RUST_TERMS {
        if error.message.contains(js) {
            error.message = error.message.replace(js, rust);
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_names_become_rust_ones() {
        let said = |message: &str| in_rust_terms(Error::invalid_argument(message)).message;
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
    }
}
