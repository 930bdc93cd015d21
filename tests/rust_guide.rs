//! The `rust` code blocks of docs/rust.md, compiled: each is below as written there (a test checks
//! that it still is), inside the set-up it needs. Blocks marked `rust,ignore` list signatures.

#![cfg(all(not(target_arch = "wasm32"), feature = "reqwest"))]
#![allow(dead_code, unused_imports, unused_variables)]

use getgist::{AbortSignal, Client, ContactRef, Error, ListContacts, Transport};
use std::time::Duration;

/// "The client".
#[rustfmt::skip]
fn the_client(my_transport: impl Transport + Send + Sync + 'static) -> Result<(), Error> {
    use getgist::{Client, ContactInput, ContactRef};

    let client = Client::new("api-key")?;                    // Gist's own API, every default
    let client = Client::builder("api-key")
        .base_url("http://127.0.0.1:4110")                   // a proxy or the mock
        .timeout(std::time::Duration::from_secs(30))          // one whole call, retries and waits included
        .max_retries(2)                                        // 0..=10
        .per_page(60)                                          // 1..=1000
        .max_response_bytes(32 << 20)                          // one call's answers, all pages (one answer: at most 256 MiB)
        .max_concurrent(6)                                     // requests in flight at once (JS maxConcurrent)
        .requests_per_second(5.0)                              // default: no rate (JS requestsPerSecond)
        .transport(my_transport)                               // optional: any `Transport`
        .build()?;                                             // Result<Client, Error>
    Ok(())
}

/// "Lazy paging with cursor resume".
#[rustfmt::skip]
async fn lazy_paging(client: Client) -> Result<(), Error> {
    use futures_util::TryStreamExt;

    let mut users = client.users(ListContacts::default());     // Walk<Contact>: impl Stream<Item = Result<Contact, Error>>
    while let Some(user) = users.try_next().await? { /* ... */ }
    let token: Option<String> = users.cursor();                 // resumes after the last item given (before the
                                                                 // first page: where the walk starts, filters and all)

    // Whole pages, for a cursor file written after each page:
    let mut pages = client.users(ListContacts::default()).pages(); // impl Stream<Item = Result<Page<Contact>, Error>>
    while let Some(page) = pages.try_next().await? {
        // page.items: Vec<Contact>; page.cursor: String, the token that resumes AFTER this page
    }
    // Resume later: the token carries the filters, so pass only it (and optionally a limit). No token (only
    // for options the core refused, which the walk's first poll fails with): start again with fixed options.
    let rest = match token {
        Some(token) => client.users(ListContacts::default().cursor(token)),
        None => client.users(ListContacts::default()),
    };
    Ok(())
}

/// "Per-call options and metadata".
#[rustfmt::skip]
async fn per_call_options(client: Client, signal: AbortSignal) -> Result<(), Error> {
    let (contact, info) = client
        .fetch_user(ContactRef::email("ada@example.com"))
        .timeout(Duration::from_secs(5))            // this call's deadline
        .max_retries(0)
        .header("X-Trace", "abc")                    // never Authorization, Host or Content-Length (invalid_argument)
        .abort(&signal)                              // AbortSignal: signal.abort() ends it with code aborted
        .with_response()                             // -> Result<(T, ResponseInfo), Error>
        .await?;
    Ok(())
}

/// "Bring your own transport": the trait as documented, which every real `Transport` meets.
#[rustfmt::skip]
mod documented {
    use getgist::{HttpResponse, TransportError, WireRequest};
    use std::future::Future;
    use std::sync::atomic::AtomicU16;

    pub trait Transport {             // on native targets: Send futures, and a Client needs T: Send + Sync + 'static
        fn send(&self, request: &WireRequest, timeout_ms: f64) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
        fn send_telling_status(&self, request: &WireRequest, timeout_ms: f64, status: &AtomicU16) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send { self.send(request, timeout_ms) }
        fn sleep(&self, ms: f64) -> impl Future<Output = Result<(), TransportError>> + Send;
        fn retrying(&self, attempt: u32, status: Option<u16>) {}
        fn now_ms(&self) -> f64;
        fn random(&self) -> f64;
    }

    impl<T: getgist::Transport> Transport for T {
        fn send(&self, request: &WireRequest, timeout_ms: f64) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
            getgist::Transport::send(self, request, timeout_ms)
        }
        fn send_telling_status(&self, request: &WireRequest, timeout_ms: f64, status: &AtomicU16) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
            getgist::Transport::send_telling_status(self, request, timeout_ms, status)
        }
        fn sleep(&self, ms: f64) -> impl Future<Output = Result<(), TransportError>> + Send {
            getgist::Transport::sleep(self, ms)
        }
        fn now_ms(&self) -> f64 {
            getgist::Transport::now_ms(self)
        }
        fn random(&self) -> f64 {
            getgist::Transport::random(self)
        }
    }
}

#[test]
fn every_rust_block_of_the_guide_is_compiled_here() {
    let guide = include_str!("../docs/rust.md");
    let here = include_str!("rust_guide.rs");
    let blocks: Vec<&str> = guide
        .split("\n```rust\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```\n").next())
        .collect();
    assert_eq!(blocks.len(), 4, "a new rust block: compile it here");
    for block in blocks {
        let indented: String = block
            .lines()
            .map(|line| {
                if line.is_empty() {
                    "\n".to_owned()
                } else {
                    format!("    {line}\n")
                }
            })
            .collect();
        assert!(
            here.contains(&indented),
            "docs/rust.md's block is not here as written:\n{block}"
        );
    }
}
