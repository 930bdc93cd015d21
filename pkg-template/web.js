// gist-wasm/web: the .wasm as a file of its own, fetched from beside this one (`new URL(..., import.meta.url)`,
// which Vite and webpack emit as an asset) before the module resolves (top-level await), so no call needs
// `await init()` first. A smaller download than the main entry, compiled while it streams in.
import init, { loadOnImport } from "./load.js";

const wasmUrl = new URL("./gist_wasm_bg.wasm", import.meta.url);
// Node runs this file where its own entry is not chosen (a bundle for Node, `node --no-addons`), and its
// fetch cannot read a file: URL: there the bytes are read from disk.
const fs = wasmUrl.protocol === "file:" ? globalThis.process?.getBuiltinModule?.("fs") : undefined;

// A .wasm that stops coming (a server that holds the request open) must not hold this import, and the
// page's every module after it, for ever: once STALL_MS pass with nothing of it (no answer, or no bytes
// more) its fetch is ended, the import goes on, and every call says why. A slow one that keeps coming
// is waited for.
const STALL_MS = 20_000;

async function fetchWasm(url) {
  const controller = new AbortController();
  let timer;
  const waitMore = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`nothing more of it came in ${STALL_MS / 1000} s`)), STALL_MS);
  };
  waitMore();
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.body || typeof TransformStream !== "function") return response;
    const watched = response.body.pipeThrough(new TransformStream({ transform: (chunk, out) => (waitMore(), out.enqueue(chunk)), flush: () => clearTimeout(timer) }));
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}

await loadOnImport(
  () => init(fs ? fs.readFileSync(wasmUrl) : fetchWasm(wasmUrl)),
  "serve gist_wasm_bg.wasm beside gist-wasm's web.js (as application/wasm), or pass its URL to `await init(url)`",
);

export * from "./api.js";
export { default } from "./api.js";
