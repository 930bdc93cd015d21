// The Node program that esbuild bundles from gist-wasm/web (a bundle for Node takes no `node-addons`
// condition, so web.js): its .wasm is copied beside the bundle. Prints what the smoke test saw.
import * as gistWasm from "gist-wasm/web";
import { runtimeSmoke } from "../../js/runtime-smoke.mjs";

runtimeSmoke(gistWasm, process.env.GIST_MOCK_URL).then((seen) => console.log(JSON.stringify(seen)));
