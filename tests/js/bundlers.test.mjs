// gist-wasm in browser apps built by Vite 8 and webpack 5 (tests/bundlers/), each served with the mock
// under /api and run in headless Chromium: the bundlers must find and ship the .wasm themselves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
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

for (const bundler of ["vite", "webpack"]) {
  test(`an app bundled by ${bundler} loads the .wasm and runs the smoke test`, async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("response", (r) => r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/api/") && errors.push(`${r.status()} ${r.url()}`));
    const wasm = [];
    page.on("response", (r) => r.url().endsWith(".wasm") && wasm.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/${bundler}/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.__result);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.equal(wasm.length, 1, `the bundle fetched its own .wasm: ${wasm}`);
    assert.ok(wasm[0].startsWith(`/${bundler}/`), wasm[0]);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
