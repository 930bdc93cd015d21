// Browsers and bundlers: call `await init()` once before using the client.
export * from "./gist_wasm.js";
export { default } from "./gist_wasm.js";
export { GistError } from "./gist-error.js";
