// A browser app as a bundler sees it: gist-wasm imported by name and used at once, with no `init()`.
import * as gistWasm from "gist-wasm";
import { pageSmoke } from "../js/page-smoke.mjs";

pageSmoke(gistWasm);
