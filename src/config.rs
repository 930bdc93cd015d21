//! Client configuration: the options of `new GistClient({...})`, checked once.

use crate::error::Error;
use crate::input::Fields;
use crate::json::Value;
use crate::retry::RetryBudget;
use crate::text::text;
use crate::url::BaseUrl;
use std::fmt;

/// Gist's own API host.
pub const GIST_BASE_URL: &str = "https://api.getgist.com";
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
const DEFAULT_MAX_RETRIES: u32 = 2;
const DEFAULT_PER_PAGE: u32 = 60;
const MAX_RETRIES_LIMIT: u32 = 10;
pub(crate) const MAX_PER_PAGE: u32 = 1_000;
/// The default cap on the bytes of one call's answers: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u32 = 32 * 1024 * 1024;

/// The most bytes one answer is read to, whatever `maxResponseBytes` allows a call (256 MiB): the JS
/// runtime hands an answer back as one string, which holds at most about 512 MiB, and the wasm's memory
/// (4 GiB) about three copies of an answer being read.
pub const MAX_ANSWER_BYTES: u32 = 256 * 1024 * 1024;
/// The longest timeout a JS timer can wait (2^31 - 1 ms, about 24.8 days).
pub(crate) const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;

/// The API key, and the forms of it that text may echo. Its `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct ApiKey(String, [String; 4]);

impl ApiKey {
    /// The key, and its hex and base64 forms, made once ([`crate::redact::key_forms`]); the scrubber
    /// finds each in any letter case (a header's name echoing the key comes lower-cased).
    pub fn new(key: String) -> Self {
        let derived = crate::redact::key_forms(&key);
        Self(key, derived)
    }

    /// The `Authorization` header value.
    pub fn bearer(&self) -> String {
        text!("Bearer {}", self.0)
    }

    /// What to scrub from text that may echo the key: the key, then its hex and base64 forms.
    pub fn forms(&self) -> [&str; 5] {
        let [hex, first, second, third] = &self.1;
        [&self.0, hex, first, second, third]
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// The constructor options, as JS passes them (camelCase); `fetch` is taken separately by the wasm edge.
#[derive(Default)]
pub struct ClientOptions {
    /// The Gist API key or OAuth access token.
    pub api_key: Option<String>,
    /// Where requests go; default Gist's own API.
    pub base_url: Option<String>,
    /// Deadline of one whole call, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// Retries after a failure that is safe to retry.
    pub max_retries: Option<f64>,
    /// Page size of list calls.
    pub per_page: Option<f64>,
    /// Lets a browser page call Gist's own API with a secret key.
    pub dangerously_allow_browser: Option<bool>,
    /// The most bytes one call may read in answers.
    pub max_response_bytes: Option<f64>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.shown_base_url())
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("per_page", &self.per_page)
            .field("dangerously_allow_browser", &self.dangerously_allow_browser)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientOptions {
    /// `base_url` as a `Debug` print shows it: without the key or an email, and with URL credentials
    /// (`user:pass@`) as `[redacted]@`.
    pub fn shown_base_url(&self) -> Option<String> {
        let key = self.api_key.as_deref().unwrap_or_default();
        let url = self.base_url.as_deref()?;
        let authority = url.find("://").map_or(0, |at| at + 3);
        let rest = url.get(authority..).unwrap_or_default();
        // Up to the last `@`, wherever it is: a password may hold a `/`.
        let shown = match rest.rfind('@') {
            Some(at) => format!(
                "{}[redacted]{}",
                url.get(..authority).unwrap_or_default(),
                rest.get(at..).unwrap_or_default()
            ),
            None => url.to_owned(),
        };
        Some(shown_url(&shown, &ApiKey::new(key.to_owned())))
    }

    /// Reads the options object; `fetch`, a function, is the wasm edge's to read (and may be here).
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let mut fields = Fields::new(value, "options")?;
        fields.take("fetch");
        let options = Self {
            api_key: fields.string("apiKey")?,
            base_url: fields.string("baseUrl")?,
            timeout_ms: fields.number("timeoutMs")?,
            max_retries: fields.number("maxRetries")?,
            per_page: fields.number("perPage")?,
            dangerously_allow_browser: fields.boolean("dangerouslyAllowBrowser")?,
            max_response_bytes: fields.number("maxResponseBytes")?,
        };
        fields.finish()?;
        Ok(options)
    }
}

/// A checked configuration.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// The API key.
    pub api_key: ApiKey,
    /// Where every request goes.
    pub base_url: BaseUrl,
    /// Deadline of one whole call, in milliseconds.
    pub timeout_ms: f64,
    /// Retries after a failure that is safe to retry.
    pub max_retries: u32,
    /// Page size of list calls.
    pub per_page: u32,
    /// The most bytes one call may read in answers (a list: all its pages).
    pub max_response_bytes: u32,
    /// The `User-Agent` every request sends, where the runtime lets a client set one.
    pub user_agent: Option<String>,
    /// The retries this client may still spend.
    pub retry_budget: RetryBudget,
}

/// `url` without `key`, nor an email after its host (in a gateway's path, `/ada%40example.com/`, or its
/// query); its host, which an email's pattern would take for one's domain, is kept.
fn shown_url(url: &str, key: &ApiKey) -> String {
    let url = crate::redact::scrub_secrets(url, &key.forms());
    let authority = url.find("://").map_or(0, |at| at + 3);
    let path = url
        .get(authority..)
        .and_then(|rest| rest.find(['/', '?', '#', '\\', ';']))
        .map_or(url.len(), |at| authority + at);
    match (url.get(..path), url.get(path..)) {
        (Some(origin), Some(rest)) => format!("{origin}{}", crate::redact::redact_emails(rest)),
        _ => url,
    }
}

/// Shows neither the key nor, should the base URL hold them (a gateway's path), the key or an email in the URL.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base_url = shown_url(self.base_url.as_str(), &self.api_key);
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("base_url", &base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("per_page", &self.per_page)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent", &self.user_agent)
            .field("retry_budget", &self.retry_budget)
            .finish()
    }
}

impl Config {
    /// The most bytes one answer is read to: `max_response_bytes`, but at most [`MAX_ANSWER_BYTES`].
    pub fn answer_bytes(&self) -> u32 {
        self.max_response_bytes.min(MAX_ANSWER_BYTES)
    }

    /// A configuration with every default, for the given key and base URL.
    pub fn new(api_key: &str, base_url: &str) -> Result<Self, Error> {
        Self::from_options(
            ClientOptions {
                api_key: Some(api_key.to_owned()),
                base_url: Some(base_url.to_owned()),
                ..ClientOptions::default()
            },
            false,
        )
    }

    /// Checks the options; `in_browser` refuses Gist's own host unless the caller opted in.
    pub fn from_options(options: ClientOptions, in_browser: bool) -> Result<Self, Error> {
        let api_key = options.api_key.unwrap_or_default();
        if api_key.trim().is_empty() {
            return Err(Error::invalid_argument(
                "apiKey is required: copy it from Gist under Settings > API key",
            ));
        }
        // A key goes in a header, which takes visible ASCII: a pasted no-break space or a quote mark would
        // fail every call as `unauthorized` (or `network_error`) instead.
        if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "apiKey contains spaces, control or non-ASCII characters: pass the key alone, without \"Bearer \"",
            ));
        }
        let base_url = BaseUrl::parse(options.base_url.as_deref().unwrap_or(GIST_BASE_URL))?;
        if in_browser && base_url.is_gist() && options.dangerously_allow_browser != Some(true) {
            return Err(Error::invalid_argument(
                "calling Gist's API from a browser exposes your API key to every visitor: \
                 call it from a backend, or point baseUrl at your own proxy, \
                 or pass dangerouslyAllowBrowser: true if you accept the risk",
            ));
        }
        Ok(Self {
            api_key: ApiKey::new(api_key),
            base_url,
            timeout_ms: check_timeout(options.timeout_ms, DEFAULT_TIMEOUT_MS)?,
            max_retries: match options.max_retries {
                Some(n) => check_max_retries(n)?,
                None => DEFAULT_MAX_RETRIES,
            },
            per_page: whole(
                "perPage",
                options.per_page,
                DEFAULT_PER_PAGE,
                1,
                MAX_PER_PAGE,
            )?,
            max_response_bytes: whole(
                "maxResponseBytes",
                options.max_response_bytes,
                DEFAULT_MAX_RESPONSE_BYTES,
                1,
                u32::MAX,
            )?,
            user_agent: None,
            retry_budget: RetryBudget::default(),
        })
    }

    /// Names the client in a `User-Agent`: `gist-wasm/<version> (<runtime>)`, such as
    /// `gist-wasm/0.1.0 (Node.js/22.1.0)`; of `runtime`, what a header value may hold (visible ASCII and
    /// spaces).
    pub fn identify(&mut self, runtime: &str) {
        let runtime: String = runtime
            .chars()
            .filter(|c| (' '..='~').contains(c))
            .collect();
        self.user_agent = Some(text!(
            concat!("gist-wasm/", env!("CARGO_PKG_VERSION"), " ({})"),
            runtime
        ));
    }
}

/// Checks a timeout (the client's or one call's): a positive number of milliseconds up to 2^31 - 1,
/// the longest a JS timer can wait.
pub fn check_timeout(value: Option<f64>, default: f64) -> Result<f64, Error> {
    match value {
        None => Ok(default),
        Some(v) if v > 0.0 && v <= MAX_TIMEOUT_MS => Ok(v),
        Some(_) => Err(Error::invalid_argument(
            "timeoutMs must be a positive number of milliseconds, at most 2147483647",
        )),
    }
}

/// Checks a retry count (the client's or one call's): a whole number from 0 to 10.
pub fn check_max_retries(value: f64) -> Result<u32, Error> {
    whole("maxRetries", Some(value), 0, 0, MAX_RETRIES_LIMIT)
}

fn whole(name: &str, value: Option<f64>, default: u32, min: u32, max: u32) -> Result<u32, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.fract() == 0.0 && v >= f64::from(min) && v <= f64::from(max) => Ok(v as u32),
        Some(_) => Err(Error::invalid_argument(text!(
            "{} must be a whole number from {} to {}",
            name,
            min,
            max
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_key_is_scrubbed_in_any_letter_case_as_a_header_name_echoes_it_lower_cased() {
        let key = ApiKey::new("sk_LIVE_a1".into());
        let scrubbed =
            crate::redact::scrub("x-echo-sk_live_a1: 1, SK_LIVE_A1, Sk_Live_A1", &key.forms());
        assert_eq!(scrubbed, "x-echo-[redacted]: 1, [redacted], [redacted]");
    }

    fn options(key: &str) -> ClientOptions {
        ClientOptions {
            api_key: Some(key.into()),
            ..ClientOptions::default()
        }
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = Config::from_options(options("k"), false).expect("valid");
        assert_eq!(config.base_url.as_str(), "https://api.getgist.com");
        assert_eq!(
            (config.timeout_ms, config.max_retries, config.per_page),
            (30_000.0, 2, 60)
        );
    }

    #[test]
    fn a_missing_key_is_an_invalid_argument() {
        let error = Config::from_options(options("  "), false).expect_err("must fail");
        assert_eq!(error.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn browsers_need_an_opt_in_for_gists_own_host_only() {
        assert!(Config::from_options(options("k"), true).is_err());
        let mut proxied = options("k");
        proxied.base_url = Some("http://127.0.0.1:4010/".into());
        assert_eq!(
            Config::from_options(proxied, true)
                .expect("proxy allowed")
                .base_url
                .as_str(),
            "http://127.0.0.1:4010"
        );
        let mut opted_in = options("k");
        opted_in.dangerously_allow_browser = Some(true);
        assert!(Config::from_options(opted_in, true).is_ok());
    }

    #[test]
    fn bad_numbers_and_urls_are_rejected() {
        for (timeout, retries, per_page, url) in [
            (Some(0.0), None, None, None),
            (None, Some(1.5), None, None),
            (None, None, Some(0.0), None),
            (None, None, None, Some("ftp://x")),
            (None, None, None, Some("https://")),
            (Some(2_147_483_648.0), None, None, None),
            (Some(f64::NAN), None, None, None),
        ] {
            let mut o = options("k");
            o.timeout_ms = timeout;
            o.max_retries = retries;
            o.per_page = per_page;
            o.base_url = url.map(str::to_owned);
            assert!(Config::from_options(o, false).is_err());
        }
    }

    #[test]
    fn options_are_read_from_camel_case_and_typos_are_refused() {
        let options = ClientOptions::from_value(crate::json!({
            "apiKey": "k", "baseUrl": "http://127.0.0.1:1", "timeoutMs": 5, "maxRetries": 0, "perPage": 10
        }))
        .expect("valid");
        assert_eq!(
            (options.timeout_ms, options.max_retries, options.per_page),
            (Some(5.0), Some(0.0), Some(10.0))
        );
        let error = ClientOptions::from_value(crate::json!({"apiKey": "k", "timeout": 5}))
            .expect_err("typo");
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert!(ClientOptions::from_value(crate::json!({"apiKey": 5})).is_err());
    }

    #[test]
    fn a_key_is_visible_ascii() {
        for key in ["Bearer k", "k\n", "k\u{a0}", "ключ", "k\u{201d}"] {
            let error = Config::new(key, GIST_BASE_URL).expect_err(key);
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{key}");
        }
        assert!(Config::new("sk_live+abc/def=~!", GIST_BASE_URL).is_ok());
    }

    #[test]
    fn the_user_agent_keeps_of_the_runtime_what_a_header_value_may_hold() {
        let mut config = Config::new("k", "https://api.getgist.com").expect("valid");
        config.identify("Deno/2.0\r\nX-Injected: 1\u{7f}é");
        assert_eq!(
            config.user_agent.as_deref(),
            Some(concat!(
                "gist-wasm/",
                env!("CARGO_PKG_VERSION"),
                " (Deno/2.0X-Injected: 1)"
            ))
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let config = Config::new("sk_very_secret", GIST_BASE_URL).expect("valid");
        assert!(!format!("{config:?}").contains("sk_very_secret"));
    }
}
