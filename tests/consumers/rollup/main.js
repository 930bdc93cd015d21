// The browser app that Rollup bundles with @rollup/plugin-node-resolve only: gist-wasm by name, no init().
import * as gistWasm from "gist-wasm";
import { pageSmoke } from "../../js/page-smoke.mjs";

pageSmoke(gistWasm);
