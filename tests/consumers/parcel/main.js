// The browser app that Parcel 2 builds from index.html, with no configuration: gist-wasm by name, no init().
import * as gistWasm from "gist-wasm";
import { pageSmoke } from "../../js/page-smoke.mjs";

pageSmoke(gistWasm);
