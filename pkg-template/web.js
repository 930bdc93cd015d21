// gist-wasm/web: the .wasm as a file of its own, fetched from beside this one (`new URL(..., import.meta.url)`,
// which Vite and webpack emit as an asset) before the module resolves (top-level await), so no call needs
// `await init()` first. A smaller download than the main entry, compiled while it streams in.
import init, { loadOnImport } from "./load.js";

const wasmUrl = new URL("./gist_wasm_bg.wasm", import.meta.url);
// Node runs this file where its own entry is not chosen (a bundle for Node, `node --no-addons`), and its
// fetch cannot read a file: URL: there the bytes are read from disk.
const fs = wasmUrl.protocol === "file:" ? globalThis.process?.getBuiltinModule?.("fs") : undefined;

// A .wasm that never comes (a server that holds the request open) must not hold this import, and the
// page's every module after it, for ever: past LOAD_MS the import goes on, and every call says why.
const LOAD_MS = 20_000;
const deadline = () => (typeof globalThis.AbortSignal?.timeout === "function" ? { signal: AbortSignal.timeout(LOAD_MS) } : undefined);

await loadOnImport(
  () => init(fs ? fs.readFileSync(wasmUrl) : fetch(wasmUrl, deadline())),
  "serve gist_wasm_bg.wasm beside gist-wasm's web.js (as application/wasm), or pass its URL to `await init(url)`",
);

export * from "./api.js";
export { default } from "./api.js";
