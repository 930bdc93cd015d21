// The Node program that esbuild bundles (ESM and CommonJS output): prints what the smoke test saw.
import * as gistWasm from "gist-wasm";
import { runtimeSmoke } from "../../js/runtime-smoke.mjs";

runtimeSmoke(gistWasm, process.env.GIST_MOCK_URL).then((seen) => console.log(JSON.stringify(seen)));
