//! Bindings to `glue.js`. Every function that touches a caller's value either cannot throw or is
//! bound with `catch`, so no JS exception ever unwinds through wasm frames.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/wasm/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = newGistError)]
    pub fn new_gist_error(code: &str, message: &str, details: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(value: &JsValue, omit: Option<&str>) -> JsValue;
    #[wasm_bindgen(js_name = readCallOptions)]
    pub fn read_call_options(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = inBrowser)]
    pub fn in_browser() -> bool;
    #[wasm_bindgen(js_name = fetchOnce)]
    pub fn fetch_once(
        fetch: &JsValue,
        url: &str,
        method: &str,
        headers: js_sys::Array,
        body: Option<String>,
        timeout_ms: f64,
        signal: &JsValue,
        max_bytes: u32,
    ) -> js_sys::Promise;
    pub fn sleep(ms: f64, signal: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(catch, js_name = headerPairs)]
    pub fn header_pairs(headers: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_name = parseJson)]
    pub fn parse_json(text: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = readRequest)]
    pub fn read_request(request: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = asyncIterable)]
    pub fn async_iterable(iterator: JsValue) -> JsValue;
}
