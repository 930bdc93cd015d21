//! The wasm edge: a sans-IO core for the JS runtime in `pkg-template/`. The runtime owns `GistClient`,
//! `fetch`, timers and `AbortSignal`s; the core decides everything else. A `Core` starts a call
//! (`Call`) from a method's name and arguments, kept under an id the runtime gives (`calls`); each
//! step of a `Call` says what to send or how long to wait, until it is done or failed. Values cross as
//! JSON text, one each way. What the modules export (`#[wasm_bindgen]`) is the wasm's exports;
//! nothing here is Rust API.

mod calls;
mod core;
mod error;
mod step;
mod webhooks;
