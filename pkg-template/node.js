// The main entry in Node and Bun, as they run a package from node_modules (the `node-addons` condition, which
// bundlers do not set): the .wasm is read from the file beside this one, gist_wasm_node.wasm, the core built
// for speed (build.sh). build.sh ships it bundled, node.js over shared chunks (node-chunk-*.js). Bundlers, for
// Node too, get index.js, which carries the build for size inside its JS.
import { initSync, loadOnImport } from "./load.js";

// Node's fs is taken without its ES module: importing "node:fs" evaluates each of its exports, and one of
// them loads all of node:stream, about 2 ms of a cold start (docs/performance.md).
loadOnImport(
  () => initSync({ module: process.getBuiltinModule("node:fs").readFileSync(new URL("./gist_wasm_node.wasm", import.meta.url)) }),
  "keep gist_wasm_node.wasm beside gist-wasm's node.js (a bundler must not resolve gist-wasm with the `node-addons` condition)",
);

export * from "./api.js";
export { default } from "./api.js";
