// webpack 5 builds the app on the main entry (tests/bundlers/main.js, the wasm inside the JS) and the one
// on gist-wasm/web (web/main.js, whose `new URL(..., import.meta.url)` webpack emits as a .wasm asset) as
// production bundles, each into its own folder.
import { fileURLToPath } from "node:url";

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const app = (entry, out) => ({
  mode: "production",
  entry: path(entry),
  output: { path: path(out), filename: "main.js", clean: true },
  performance: { hints: false },
});

export default [app("./main.js", "../../target/bundlers/webpack/"), app("./web/main.js", "../../target/bundlers/webpack-web/")];
