// The built package in headless Chromium (Debian's), loaded by a plain <script type="module"> page
// from the demo server, against the mock under /api.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { expectedFor } from "./smoke.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";

const dir = (path) => fileURLToPath(new URL(path, import.meta.url));
let server;
let browser;

before(async () => {
  server = await startDemoServer({ port: 0, mounts: { "/test/": dir("../browser/"), "/js/": dir("./") } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("every Gist module and the webhook functions work from the built package in Chromium", async () => {
  const page = await browser.newPage();
  // Chromium logs every 4xx fetch as a console error; those of the mock API are expected (the smoke
  // asks for missing contacts on purpose), any other failed resource or error is a problem.
  const problems = [];
  const failedApiCalls = [];
  page.on("response", (r) => r.status() >= 400 && (new URL(r.url()).pathname.startsWith("/api/") ? failedApiCalls.push(r.url()) : problems.push(`${r.status()} ${r.url()}`)));
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(`${server.url}/test/smoke.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.__result);
  assert.equal(result.error, undefined);
  assert.deepEqual(result.seen, expectedFor(result.seen));
  assert.deepEqual(result.runtime, runtimeExpected, "the runtime smoke test: users and webhooks");
  assert.equal(result.refused, "invalid_argument", "a browser page may not call Gist's own host with a key");
  assert.equal(result.normalized, "a-b-c");
  assert.deepEqual(problems, []);
  assert.equal(failedApiCalls.length, 4, "the smoke tests' four deliberate 404s");
});
