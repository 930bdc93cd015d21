//! The native client's traces, in a test binary of their own: `tracing` caches whether a callsite is
//! wanted, process-wide, when it is first hit, so a test on another thread with no subscriber could have
//! the crate's events cached as unwanted while this one sets its subscriber (it failed about one run in
//! six beside the other native tests).

#![cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

// The native tests' mock, of which this test needs only the start and the failure rules.
#[allow(dead_code)]
#[path = "native/mock.rs"]
mod mock;
#[path = "native/traces.rs"]
mod traces;

use getgist::{Client, ContactInput, ContactRef, ListOptions};
use mock::{Mock, KEY};

fn client(mock: &Mock) -> Client {
    Client::builder(KEY)
        .base_url(&mock.url)
        .build()
        .expect("valid settings")
}

#[tokio::test]
async fn traces_show_each_call_and_request_but_never_the_key_a_query_or_a_body() {
    let mock = Mock::start().await;
    let client = client(&mock);
    let traces = traces::Traces::default();
    let _guard = tracing::subscriber::set_default(traces.clone());
    client
        .create_user(
            ContactInput::user(90002)
                .email("grace@example.com")
                .name("Grace Hopper"),
        )
        .await
        .expect("created");
    mock.fail(
        r#"{"status": 503, "times": 1, "path": "/contacts", "headers": {"retry-after": "0"}}"#,
    )
    .await;
    client
        .fetch_user(ContactRef::email("grace@example.com"))
        .await
        .expect("found");
    client
        .list_tags(ListOptions::default())
        .await
        .expect("listed");
    // An answer that spends the rate limit's window: the retry is not sent, and says so.
    mock.fail(
        r#"{"status": 429, "times": 1, "path": "/tags", "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "30"}}"#,
    )
    .await;
    let refused = client
        .list_tags(ListOptions::default())
        .timeout(std::time::Duration::from_secs(2))
        .await
        .expect_err("rate-limited");
    assert_eq!(refused.code, getgist::ErrorCode::RateLimited);
    let text = traces.text();
    for shown in [
        "span gist.call",
        "method=\"createUser\"",
        "method=\"fetchUser\"",
        "method=\"listTags\"",
        "error=\"rate_limited\"",
        "status=503",
        "attempt=2",
        "path=\"/contacts\"",
    ] {
        assert!(text.contains(shown), "{shown} missing from:{text}");
    }
    for secret in [
        KEY,
        "grace@example.com",
        "grace%40example.com",
        "Grace Hopper",
        "90002",
    ] {
        assert!(!text.contains(secret), "{secret} in:{text}");
    }
}
