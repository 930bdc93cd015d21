// Loading the wasm: `init` and `initSync` (wasm-bindgen's, remembering that the wasm is ready), how an
// entry file loads it on import, and the GistError of a call made while it is not loaded.
import bindgenInit, { initSync as bindgenInitSync } from "./gist_wasm.js";
import { invalidArgument } from "./errors.js";
import { describe } from "./runtime.js";

let ready = false;
let failure;

/** Loads the wasm from `input` (every entry already did, on import); resolves the wasm's exports. */
export default async function init(input) {
  if (input === undefined) assertLoaded();
  const exports = await bindgenInit(asOptions("module_or_path", input));
  ready = true;
  return exports;
}

/** Loads the wasm synchronously from its bytes or a compiled `WebAssembly.Module`; returns its exports. */
export function initSync(input) {
  const exports = bindgenInitSync(asOptions("module", input));
  ready = true;
  return exports;
}

/** wasm-bindgen's options object for `input` (it logs a deprecation warning for anything else), unless it is one. */
function asOptions(key, input) {
  const isOptions = input !== null && typeof input === "object" && Object.getPrototypeOf(input) === Object.prototype;
  return isOptions ? input : { [key]: input };
}

/** What to do when a page's Content-Security-Policy refused to compile the wasm. */
const CSP_ADVICE = "a page's Content-Security-Policy must allow 'wasm-unsafe-eval'";

/**
 * For an entry file: runs `load` (which may be async) and keeps a failure for the first call to report,
 * with what to do (`advice`, or the CSP's when a policy refused it), instead of failing the import of
 * the whole app.
 */
export async function loadOnImport(load, advice = CSP_ADVICE) {
  try {
    await load();
  } catch (error) {
    const what = describe(error);
    // Chromium and Safari name 'unsafe-eval' in the refusal, Firefox "CSP".
    failure = `${what}; ${/unsafe-eval|\bCSP\b/.test(what) ? CSP_ADVICE : advice}`;
  }
}

/** Throws the GistError that says why the wasm is not loaded and what to do, unless it is loaded. */
export function assertLoaded() {
  if (ready) return;
  throw invalidArgument(`gist-wasm could not load its WebAssembly: ${failure ?? "it is still loading"}`);
}
