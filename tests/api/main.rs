//! Host integration tests: the core's calls, run by their JS method names over a scripted transport,
//! no network.

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

use getgist::internal::call::{drive, Call, CallOptions};
use getgist::internal::config::Config;
use getgist::internal::flows::Flow;
use getgist::internal::json::{self, Value};
use getgist::Error;
use std::sync::Arc;

/// The test client's configuration, to change before it is shared.
fn settings() -> Config {
    Config::new("sk_test_secret_key", fake::BASE).expect("valid config")
}

fn config() -> Arc<Config> {
    Arc::new(settings())
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// Runs the method `name` with `args` (a JSON array, in the JS method's order): its value, as JS
/// reads it.
fn call(
    config: &Arc<Config>,
    fake: &fake::FakeTransport,
    name: &str,
    args: Value,
) -> Result<Value, Error> {
    call_with(config, fake, name, args, CallOptions::default()).map(|(value, _)| value)
}

/// [`call`] with the call's own options: its value and its response metadata.
fn call_with(
    config: &Arc<Config>,
    fake: &fake::FakeTransport,
    name: &str,
    args: Value,
    options: CallOptions,
) -> Result<(Value, Value), Error> {
    let Value::Array(args) = args else {
        panic!("args must be an array: {args}");
    };
    let call = Call::new(Arc::clone(config), name, args, options)?;
    finish(call, fake)
}

/// Runs `flow` to its end with `options`: its value and its response metadata.
fn run_flow(
    config: &Arc<Config>,
    fake: &fake::FakeTransport,
    flow: Flow,
    options: CallOptions,
) -> Result<(Value, Value), Error> {
    finish(Call::of(Arc::clone(config), flow, options), fake)
}

/// Drives `call` over the fake; the value as a tree (records are kept as JSON text, as JS gets them).
fn finish(call: Call, fake: &fake::FakeTransport) -> Result<(Value, Value), Error> {
    let (value, response) = run(drive(call, &fake))?;
    let value = json::from_str(&value.to_json()).expect("the value is JSON");
    Ok((value, response))
}

#[test]
fn a_call_driven_over_a_send_transport_is_send_so_a_multi_threaded_runtime_can_hold_it() {
    fn assert_send<T: Send>(_: &T) {}
    let call = Call::new(
        config(),
        "fetchCampaign",
        vec![7.into()],
        CallOptions::default(),
    )
    .expect("valid arguments");
    assert_send(&call);
    let fake = fake::FakeTransport::new(vec![fake::json(200, r#"{"campaign": {"id": 7}}"#)]);
    let transport = &fake;
    let driving = drive(call, &transport);
    assert_send(&driving);
    let (value, _) = run(driving).expect("answered");
    assert_eq!(json::from_str(&value.to_json()).expect("JSON")["id"], 7);
}
