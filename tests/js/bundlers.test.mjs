// gist-wasm in browser apps built by Vite 8 and webpack 5 (tests/bundlers/), each served with the mock
// under /api and run in headless Chromium, with no init(): webpack takes the `webpack` entry and ships
// the .wasm as an asset; Vite takes the default entry, the wasm inside the JS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { launchChromium, openSmokePage } from "./chromium.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const run = promisify(execFile);
let server;
let browser;

before(async () => {
  const bin = path("../../node_modules/.bin/");
  await run(`${bin}vite`, ["build", path("../bundlers"), "--outDir", path("../../target/bundlers/vite"), "--emptyOutDir", "--base", "./", "--logLevel", "warn"]);
  await run(`${bin}webpack`, ["--config", path("../bundlers/webpack.config.mjs")]);
  copyFileSync(path("../bundlers/index.html"), path("../../target/bundlers/webpack/index.html"));
  server = await startDemoServer({
    port: 0,
    mounts: { "/vite/": path("../../target/bundlers/vite/"), "/webpack/": path("../../target/bundlers/webpack/") },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const [bundler, wasmFiles] of [["vite", 0], ["webpack", 1]]) {
  test(`an app bundled by ${bundler} runs the smoke test with no init(), fetching ${wasmFiles} .wasm`, async () => {
    const { result, problems, wasm } = await openSmokePage(browser, `${server.url}/${bundler}/index.html`, `${server.url}/api/`);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.equal(wasm.length, wasmFiles, `the .wasm files fetched: ${wasm}`);
    assert.ok(wasm.every((p) => p.startsWith(`/${bundler}/`)), `the bundle's own .wasm: ${wasm}`);
    assert.deepEqual(problems, []);
  });
}
