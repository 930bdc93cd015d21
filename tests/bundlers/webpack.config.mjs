// webpack 5 builds tests/bundlers/main.js as a production bundle; gist-wasm's `webpack` entry finds its
// .wasm with `new URL(..., import.meta.url)`, which webpack turns into an emitted asset.
import { fileURLToPath } from "node:url";

export default {
  mode: "production",
  entry: fileURLToPath(new URL("./main.js", import.meta.url)),
  output: { path: fileURLToPath(new URL("../../target/bundlers/webpack/", import.meta.url)), filename: "main.js", clean: true },
  performance: { hints: false },
};
