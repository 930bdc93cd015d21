// gist-wasm in browser apps built by Vite 8 and webpack 5 (tests/bundlers/), each served with the mock
// under /api and run in headless Chromium, with no init(): on the main entry (the wasm inside the JS)
// and on gist-wasm/web (the bundler emits the .wasm as an asset, which the page fetches).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { launchChromium, openSmokePage } from "./chromium.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";
import { carriesInlineText } from "./inline-text.mjs";

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const run = promisify(execFile);
// Each app's folder in target/bundlers/ and how many .wasm files its page fetches.
const APPS = [["vite", 0], ["webpack", 0], ["vite-web", 1], ["webpack-web", 1]];
let server;
let browser;

before(async () => {
  const bin = path("../../node_modules/.bin/");
  for (const [app, out] of [["", "vite"], ["web", "vite-web"]]) {
    await run(`${bin}vite`, ["build", path(`../bundlers/${app}`), "--outDir", path(`../../target/bundlers/${out}`), "--emptyOutDir", "--base", "./", "--logLevel", "warn"]);
  }
  await run(`${bin}webpack`, ["--config", path("../bundlers/webpack.config.mjs")]);
  copyFileSync(path("../bundlers/index.html"), path("../../target/bundlers/webpack/index.html"));
  copyFileSync(path("../bundlers/web/index.html"), path("../../target/bundlers/webpack-web/index.html"));
  server = await startDemoServer({
    port: 0,
    mounts: Object.fromEntries(APPS.map(([app]) => [`/${app}/`, path(`../../target/bundlers/${app}/`)])),
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const [app, wasmFiles] of APPS) {
  test(`an app bundled by ${app} runs the smoke test with no init(), fetching ${wasmFiles} .wasm`, async () => {
    const { result, problems, wasm } = await openSmokePage(browser, `${server.url}/${app}/index.html`, `${server.url}/api/`);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.equal(wasm.length, wasmFiles, `the .wasm files fetched: ${wasm}`);
    assert.ok(wasm.every((p) => p.startsWith(`/${app}/`)), `the bundle's own .wasm: ${wasm}`);
    assert.deepEqual(problems, []);
  });
}

for (const app of ["vite", "webpack"]) {
  test(`${app} emits the .wasm inside the main entry as the package has it, no character escaped`, () => {
    assert.ok(carriesInlineText(path(`../../target/bundlers/${app}/`)));
  });
}
