// Browsers and bundlers: call `await init()` once before using the client.
import { GistClient as WasmGistClient } from "./gist_wasm.js";
import { GistError } from "./gist-error.js";

export * from "./gist_wasm.js";
export { default } from "./gist_wasm.js";
export { GistError };

/** The wasm client, guarded: after `free()`, a call is a `GistError` instead of a wasm fault. */
export class GistClient extends WasmGistClient {
  free() {
    if (this.__wbg_ptr) super.free();
  }
}

const freed = () => new GistError("invalid_argument", "this GistClient was freed (free() or `using`): create a new one");
for (const [name, { value }] of Object.entries(Object.getOwnPropertyDescriptors(WasmGistClient.prototype))) {
  if (name === "constructor" || name === "free" || typeof value !== "function") continue;
  GistClient.prototype[name] = function (...args) {
    if (this.__wbg_ptr) return value.apply(this, args);
    if (name.startsWith("iter")) throw freed();
    return Promise.reject(freed());
  };
}
if (Symbol.dispose) GistClient.prototype[Symbol.dispose] = GistClient.prototype.free;
