// The runtime smoke test as a bundled browser app runs it: against the mock under /api of the page's
// own server, leaving what it saw (or the error) in window.__result for the test to read.
import { runtimeSmoke } from "./runtime-smoke.mjs";

/** Runs the smoke test with the package's exports `gistWasm`; never rejects. */
export async function pageSmoke(gistWasm) {
  try {
    window.__result = { seen: await runtimeSmoke(gistWasm, `${location.origin}/api`) };
  } catch (error) {
    window.__result = { error: `${error.name}: ${error.code ?? ""} ${error.message}` };
  }
}
