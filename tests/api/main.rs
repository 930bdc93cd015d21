//! Host integration tests: the core client against a scripted transport, no network.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod fake;
mod leads;
mod reads;
mod tags;
mod transport;
mod users;

use gist_wasm::{Client, Config};

fn config() -> Config {
    Config::new("sk_test_secret_key", fake::BASE).expect("valid config")
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

fn client<'c>(
    config: &'c Config,
    fake: &'c fake::FakeTransport,
) -> Client<'c, &'c fake::FakeTransport> {
    Client::new(config, fake, None)
}
