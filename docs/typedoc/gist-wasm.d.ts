/**
 * The client, its error and the webhook functions: `import { GistClient } from "gist-wasm"`.
 * `gist-wasm/web` exports the same API, with the `.wasm` as a file of its own.
 *
 * Every entry loads the WebAssembly on import; `init` and `initSync` are kept for compatibility only.
 *
 * @module gist-wasm
 */
export * from "../../pkg-template/index.js";
export { default } from "../../pkg-template/index.js";
