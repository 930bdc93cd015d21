// The main entry for every runtime and bundler but workerd and Node's own loader (browsers, Deno, Next.js,
// Vite, webpack, esbuild, Rollup, Parcel, ... for the browser or for Node): the .wasm travels inside
// gist_wasm_inline.js as printable ASCII, which bundlers emit unchanged, and is compiled synchronously on
// import, so nothing has to find, serve or await a separate file.
import wasmText from "./gist_wasm_inline.js";
import { initSync, loadOnImport } from "./load.js";
import { wasmBytes } from "./wasm-text.js";

loadOnImport(() => initSync({ module: wasmBytes(wasmText) }));

export * from "./api.js";
export { default } from "./api.js";
