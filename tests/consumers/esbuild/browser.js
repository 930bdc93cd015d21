// The browser app that esbuild bundles (ESM and IIFE output): gist-wasm by name, no init().
import * as gistWasm from "gist-wasm";
import { pageSmoke } from "../../js/page-smoke.mjs";

pageSmoke(gistWasm);
