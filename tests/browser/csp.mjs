// csp.html's script (its policy allows no inline one): the runtime smoke test on gist-wasm/web.
import { pageSmoke } from "/js/page-smoke.mjs";

pageSmoke(await import("/pkg/web.js"));
