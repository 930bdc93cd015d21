// Loading the wasm: `init` and `initSync` (wasm-bindgen's, remembering that the wasm is ready), how an
// entry file loads it on import, and the GistError of a call made while it is not loaded.
import bindgenInit, { initSync as bindgenInitSync } from "./gist_wasm.js";
import { invalidArgument } from "./errors.js";
import { describe } from "./runtime.js";

let ready = false;
let failure;

/**
 * Loads the wasm from `input` (every entry already did, on import); resolves the wasm's exports. What
 * cannot load (a failed fetch, bytes that are not WebAssembly, another module) rejects with a GistError.
 */
export default async function init(input) {
  if (input === undefined) assertLoaded();
  if (ready) return bindgenInit();
  try {
    return loaded(await bindgenInit({ module_or_path: ours(await compiled(unwrapped("module_or_path", input))) }));
  } catch (error) {
    throw cannotLoad(error);
  }
}

/** Loads the wasm synchronously from its bytes or a compiled `WebAssembly.Module`; returns its exports. */
export function initSync(input) {
  if (ready) return bindgenInitSync();
  try {
    const module = unwrapped("module", input);
    return loaded(bindgenInitSync({ module: ours(module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module)) }));
  } catch (error) {
    throw cannotLoad(error);
  }
}

/** The wasm's exports, once it is loaded. */
function loaded(exports) {
  ready = true;
  return exports;
}

/** `input` as wasm-bindgen's options object would give it under `key` (an options object is unwrapped). */
function unwrapped(key, input) {
  const isOptions = input !== null && typeof input === "object" && Object.getPrototypeOf(input) === Object.prototype;
  return isOptions ? input[key] : input;
}

/** The module `input` names, compiled: a URL or Request is fetched, a Response's body compiled as it streams in. */
async function compiled(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (typeof input === "string" || input instanceof URL || (typeof Request === "function" && input instanceof Request)) input = fetchWatched(input);
  input = await input;
  if (typeof Response !== "function" || !(input instanceof Response)) return WebAssembly.compile(input);
  // Its status alone: the URL and the status text may hold an email, and no scrubber runs without the wasm.
  if (!input.ok) throw new Error(`fetching it answered ${input.status}`);
  // Streamed where served as application/wasm, as a browser requires; read whole otherwise.
  const streams = typeof WebAssembly.compileStreaming === "function" && input.headers.get("content-type") === "application/wasm";
  return streams ? WebAssembly.compileStreaming(input) : WebAssembly.compile(await input.arrayBuffer());
}

// A .wasm that stops coming (a server that holds the request open) must not hold a load, and with it
// web.js's import and the page's every module after it, for ever: once STALL_MS pass with nothing of it
// (no answer, or no bytes more) its fetch is ended, and the load fails saying so. A slow one that keeps
// coming is waited for.
const STALL_MS = 20_000;

async function fetchWatched(input) {
  const controller = new AbortController();
  let timer;
  const waitMore = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`nothing more of it came in ${STALL_MS / 1000} s`)), STALL_MS);
  };
  waitMore();
  try {
    const response = await fetch(input, { signal: controller.signal });
    if (!response.body || typeof TransformStream !== "function") return response;
    const watched = response.body.pipeThrough(new TransformStream({ transform: (chunk, out) => (waitMore(), out.enqueue(chunk)), flush: () => clearTimeout(timer) }));
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}

/**
 * `module` if it is gist-wasm's: wasm-bindgen's glue keeps whatever it instantiated, even when its start
 * then fails, so another module would stay loaded in place of this one.
 */
function ours(module) {
  const names = new Set(WebAssembly.Module.exports(module).map((entry) => entry.name));
  if (!names.has("__wbindgen_start") || !names.has("core_new")) throw new Error("it is not gist-wasm's WebAssembly (gist_wasm_bg.wasm)");
  return module;
}

/** The GistError of a wasm that did not load. */
function cannotLoad(error) {
  const refusal = invalidArgument(`gist-wasm could not load its WebAssembly: ${describe(error)}`);
  refusal.cause = error;
  return refusal;
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
    const what = describe(error?.cause ?? error);
    // Chromium and Safari name 'unsafe-eval' in the refusal, Firefox "CSP".
    failure = `${what}; ${/unsafe-eval|\bCSP\b/.test(what) ? CSP_ADVICE : advice}`;
  }
}

/** Throws the GistError that says why the wasm is not loaded and what to do, unless it is loaded. */
export function assertLoaded() {
  if (ready) return;
  throw invalidArgument(`gist-wasm could not load its WebAssembly: ${failure ?? "it is still loading, or was never imported (import \"gist-wasm\" before its other entries)"}`);
}
