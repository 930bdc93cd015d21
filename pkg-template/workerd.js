// Cloudflare Workers: wrangler bundles the .wasm as a WebAssembly.Module, instantiated on import.
import wasmModule from "./gist_wasm_bg.wasm";
import { initSync, loadOnImport } from "./load.js";

loadOnImport(() => initSync({ module: wasmModule }), "the worker's bundle must import gist_wasm_bg.wasm as a CompiledWasm module");

export * from "./api.js";
export { default } from "./api.js";
