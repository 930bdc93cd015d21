// The same app on gist-wasm/web: the .wasm is a file of its own, which the bundler emits as an asset.
import * as gistWasm from "gist-wasm/web";
import { pageSmoke } from "../../js/page-smoke.mjs";

pageSmoke(gistWasm);
