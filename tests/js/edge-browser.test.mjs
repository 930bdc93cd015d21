// The cases of tests/js/edge.mjs (the client through real fetch, end to end) in headless
// Chromium: the built package by name (an import map) in a page of the demo server, through real
// cross-origin fetch to a mock Gist API on another loopback port of its own. The page runs every case
// once, on a freshly reset mock each; here each case is one test that asserts it passed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { serveMock } from "gist-wasm/mock/server";
import { launchChromium } from "./chromium.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { cases } from "./edge.mjs";

const dir = (path) => fileURLToPath(new URL(path, import.meta.url));
let mock;
let server;
let browser;
let run; // the page's results, once: { results, pageErrors } or { error }

before(async () => {
  mock = await serveMock({ port: 0 });
  server = await startDemoServer({ port: 0, mounts: { "/test/": dir("../browser/"), "/js/": dir("./") } });
  browser = await launchChromium();
  run = (async () => {
    const page = await browser.newPage();
    // The cases fail requests on purpose (4xx, 5xx, aborts: Chromium logs those); an uncaught error or
    // unhandled rejection in the page is a bug.
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(`${server.url}/test/edge.html?mock=${encodeURIComponent(mock.url)}`);
    await page.waitForFunction(() => window.__edge, null, { timeout: 60_000 });
    const outcome = await page.evaluate(() => window.__edge);
    await page.close();
    return { ...outcome, pageErrors };
  })();
  run.catch(() => {}); // reported by the tests
});
after(async () => {
  await browser?.close();
  await server?.close();
  await mock?.close();
});

for (const name of Object.keys(cases)) {
  test(`Chromium: ${name}`, async () => {
    const { error, results } = await run;
    assert.equal(error, undefined, "the page ran");
    const result = results.find((r) => r.name === name);
    assert.ok(result, `the page ran ${name}`);
    assert.ok(result.ok, result.error);
  });
}

test("Chromium: the page ran every case, and nothing else failed in it", async () => {
  const { error, results, pageErrors } = await run;
  assert.equal(error, undefined, "the page ran");
  assert.deepEqual(results.map((r) => r.name), Object.keys(cases));
  assert.deepEqual(pageErrors, [], "no uncaught error or unhandled rejection in the page");
});
