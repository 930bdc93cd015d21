//! The default transport and the environment's proxy, in a test binary of its own: it sets
//! `HTTP_PROXY` and `ALL_PROXY`, which are process-wide (reqwest reads them when a client is built), so
//! no other test may build a client beside it.

#![cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

// The native tests' mock, of which this test needs only the listener that counts connections.
#[allow(dead_code)]
#[path = "native/mock.rs"]
mod mock;

use getgist::{Client, ErrorCode};
use mock::Elsewhere;
use std::time::Duration;

#[tokio::test]
async fn a_proxy_named_in_the_environment_never_gets_the_request_or_the_key() {
    let base = Elsewhere::start().await;
    let proxy = Elsewhere::start().await;
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(name, &proxy.url);
    }
    let client = Client::builder("sk_live_SECRETKEY123")
        .base_url(&base.url)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("valid settings");
    let error = client.fetch_campaign(1).await.expect_err("no answer");
    assert_eq!(error.code, ErrorCode::NetworkError, "{error}");
    assert_eq!(
        proxy.reached(),
        0,
        "nothing went to the environment's proxy"
    );
    assert_eq!(base.reached(), 1, "the request went to base_url");
}
