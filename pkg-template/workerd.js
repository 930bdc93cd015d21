// Cloudflare Workers: wrangler bundles the .wasm as a WebAssembly.Module; `await init()` is a no-op.
import wasmModule from "./gist_wasm_bg.wasm";
import { initSync } from "./gist_wasm.js";

initSync({ module: wasmModule });

export * from "./index.js";
export { default } from "./index.js";
