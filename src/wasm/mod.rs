//! The wasm edge: the only code that touches JavaScript. It converts values, runs fetch, and maps
//! [`crate::Error`] to the JS `GistError` class; the API logic stays in the pure core.

mod client;
mod contacts;
mod convert;
mod error;
mod fetch;
mod glue;
mod iterator;
mod promise;
mod raw;
mod reads;
mod tags;
mod webhooks;

pub use client::{JsGistClient, LimitOptions, ListOptions, RequestOptions};
pub use iterator::JsGistIterator;
pub use raw::normalize_event_name;
pub use webhooks::{handle_webhook, parse_webhook, verify_webhook};

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const HAND_WRITTEN_TYPES: &str = include_str!("types.d.ts");
