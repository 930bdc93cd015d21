// Browsers without a bundler, and webpack: fetches the .wasm beside this file (`new URL(..., import.meta.url)`,
// which webpack emits as an asset) before the module resolves, so no call needs `await init()` first.
import init, { loadOnImport } from "./load.js";

await loadOnImport(
  () => init(new URL("./gist_wasm_bg.wasm", import.meta.url)),
  "serve gist_wasm_bg.wasm beside gist-wasm's index.js (as application/wasm), or pass its URL to `await init(url)`",
);

export * from "./api.js";
export { default } from "./api.js";
