// A browser app as a bundler sees it: gist-wasm imported by name, `init()` once, then the runtime
// smoke test against the mock under /api of the page's own server.
import init, * as gistWasm from "gist-wasm";
import { runtimeSmoke } from "../js/runtime-smoke.mjs";

(async () => {
  try {
    await init();
    window.__result = { seen: await runtimeSmoke(gistWasm, `${location.origin}/api`) };
  } catch (error) {
    window.__result = { error: `${error.name}: ${error.code ?? ""} ${error.message}` };
  }
})();
