// Node, Deno and Bun: the module is compiled and instantiated on import; `await init()` is a no-op.
import { readFileSync } from "node:fs";
import { initSync } from "./gist_wasm.js";

initSync({ module: readFileSync(new URL("./gist_wasm_bg.wasm", import.meta.url)) });

export * from "./index.js";
export { default } from "./index.js";
