// The main entry, for every runtime and bundler but workerd (Node, Deno, Bun, browsers, Next.js, Vite,
// webpack, esbuild, Rollup, Parcel, ...): the .wasm travels inside gist_wasm_inline.js, one character per
// byte, and is compiled synchronously on import, so nothing has to find, serve or await a separate file.
import wasmText from "./gist_wasm_inline.js";
import { initSync, loadOnImport } from "./load.js";

loadOnImport(() => initSync({ module: bytesOf(wasmText) }), "a page's Content-Security-Policy must allow 'wasm-unsafe-eval'");

/** The bytes of a one-character-per-byte string: natively where Node's Buffer is (Node, Bun), else a loop. */
function bytesOf(text) {
  if (globalThis.Buffer) return globalThis.Buffer.from(text, "latin1");
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export * from "./api.js";
export { default } from "./api.js";
