// gist-wasm/web: the .wasm as a file of its own, fetched from beside this one (`new URL(..., import.meta.url)`,
// which Vite and webpack emit as an asset) before the module resolves (top-level await), so no call needs
// `await init()` first. A smaller download than the main entry, compiled while it streams in.
import init, { loadOnImport } from "./load.js";

const wasmUrl = new URL("./gist_wasm_bg.wasm", import.meta.url);
// Node runs this file where its own entry is not chosen (a bundle for Node, `node --no-addons`), and its
// fetch cannot read a file: URL: there the bytes are read from disk.
const fs = wasmUrl.protocol === "file:" ? globalThis.process?.getBuiltinModule?.("fs") : undefined;

await loadOnImport(
  () => init(fs ? fs.readFileSync(wasmUrl) : wasmUrl),
  "serve gist_wasm_bg.wasm beside gist-wasm's web.js (as application/wasm), or pass its URL to `await init(url)`",
);

export * from "./api.js";
export { default } from "./api.js";
