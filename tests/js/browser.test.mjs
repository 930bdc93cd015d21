// The built package in headless Chromium (Debian's), loaded by a plain <script type="module"> page
// from the demo server, against the mock under /api.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium, openSmokePage } from "./chromium.mjs";
import { startServer } from "./loopback.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { expectedFor } from "./smoke.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";

const dir = (path) => fileURLToPath(new URL(path, import.meta.url));
let server;
let browser;

// The package as served at /nowasm/: every file but its .wasm.
const noWasm = dir("../../target/nowasm/");

before(async () => {
  rmSync(noWasm, { recursive: true, force: true });
  cpSync(dir("../../node_modules/gist-wasm/"), noWasm, { recursive: true, filter: (f) => !f.endsWith(".wasm") });
  server = await startDemoServer({ port: 0, mounts: { "/test/": dir("../browser/"), "/js/": dir("./"), "/nowasm/": noWasm } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("every Gist module and the webhook functions work from the built package in Chromium", async () => {
  const page = await browser.newPage();
  // Chromium logs every 4xx fetch as a console error; those of the mock API are expected (the smoke
  // asks for missing contacts, and fails two requests with 503, on purpose), any other failed resource or error is a problem.
  const problems = [];
  const failedApiCalls = [];
  // The retry-budget check fails every request to its own /failing-<id> path: counted apart.
  page.on("response", (r) => r.status() >= 400 && !r.url().includes("/failing-") && (new URL(r.url()).pathname.startsWith("/api/") ? failedApiCalls.push(r.url()) : problems.push(`${r.status()} ${r.url()}`)));
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
  assert.equal(failedApiCalls.length, 6, "the smoke tests' deliberate failures: four 404s, two 503s");
});

for (const [entry, wasmFiles] of [["index.js", []], ["web.js", ["/pkg/gist_wasm_bg.wasm"]]]) {
  test(`a page that imports the package's ${entry} and never calls init() works`, async () => {
    const { result, problems, wasm } = await openSmokePage(browser, `${server.url}/test/no-init.html?entry=/pkg/${entry}`, `${server.url}/api/`);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.deepEqual(wasm, wasmFiles);
    assert.deepEqual(problems, []);
  });
}

test("a page that preloads web.js's .wasm as the README says downloads it once, and the console stays quiet", async () => {
  const page = await browser.newPage();
  const wasm = [];
  const logged = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(new URL(r.url()).pathname));
  page.on("console", (m) => logged.push(`${m.type()}: ${m.text()}`));
  try {
    await page.goto(`${server.url}/test/preload.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.__result);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.deepEqual(wasm, ["/pkg/gist_wasm_bg.wasm"], "the fetch reused the preload");
    assert.deepEqual(logged.filter((line) => !line.includes("Failed to load resource")), []);
  } finally {
    await page.close();
  }
});

test("where web.js's .wasm is not served, the import still works and the first call throws a GistError that says what to do", async () => {
  const { result, problems } = await openSmokePage(browser, `${server.url}/test/no-init.html?entry=/nowasm/web.js`, `${server.url}/api/`);
  assert.match(result.error, /^GistError: invalid_argument gist-wasm could not load its WebAssembly: Error: fetching it answered 404; serve gist_wasm_bg\.wasm beside gist-wasm's web\.js/);
  assert.deepEqual(problems, [`404 ${server.url}/nowasm/gist_wasm_bg.wasm`]);
});

test("where web.js's .wasm never comes (the request held open), the import goes on after 20 s and the first call throws a GistError (an outside review: the page hung)", { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.route("**/*.wasm", () => {}); // its request left unanswered
    const started = Date.now();
    await page.goto(`${server.url}/test/no-init.html?entry=/nowasm/web.js`);
    await page.waitForFunction(() => window.__result, null, { timeout: 40_000 });
    const { error } = await page.evaluate(() => window.__result);
    assert.match(error, /^GistError: invalid_argument gist-wasm could not load its WebAssembly: Error: nothing more of it came in 20 s/);
    assert.ok(Date.now() - started >= 19_000, `went on after ${Date.now() - started} ms`);
  } finally {
    await page.close();
  }
});

test("a .wasm that comes slowly but keeps coming (6 KB a second, 22 s in all) is waited for: web.js ends only a fetch that stops (a review of the fix above)", { timeout: 90_000 }, async () => {
  const pkg = dir("../../node_modules/gist-wasm/");
  const wasm = readFileSync(`${pkg}gist_wasm_bg.wasm`);
  const slow = await startServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end('<!doctype html><link rel="icon" href="data:,"><script type="module">const m = await import("./web.js"); try { new m.GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" }); window.__result = "loaded"; } catch (e) { window.__result = String(e); }</script>');
    }
    if (path === "/gist_wasm_bg.wasm") {
      res.writeHead(200, { "content-type": "application/wasm", "content-length": wasm.length });
      for (let at = 0; at < wasm.length && !res.destroyed; at += 6144) {
        res.write(wasm.subarray(at, at + 6144));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return res.end();
    }
    try {
      const file = readFileSync(`${pkg}${path.slice(1)}`);
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(file);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  const page = await browser.newPage();
  try {
    const started = Date.now();
    await page.goto(slow.url);
    await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.__result), "loaded");
    assert.ok(Date.now() - started > 20_000, `loaded in ${Date.now() - started} ms`);
  } finally {
    await page.close();
    await slow.close();
  }
});

test("where web.js's .wasm is not served, init() of what cannot load rejects a GistError, another module is refused, and init(its URL) then loads it", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/test/preload.html`);
    const result = await page.evaluate(async () => {
      const web = await import("/nowasm/web.js");
      const outcome = (promise) => promise.then(() => "loaded", (e) => `${e.name} ${e.code}: ${e.message}`);
      const thrown = (run) => { try { run(); return "loaded"; } catch (e) { return `${e.name} ${e.code}: ${e.message}`; } };
      return {
        anotherModule: await outcome(web.default(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))),
        notWasm: await outcome(web.default(new Uint8Array([1, 2, 3]))),
        missing: await outcome(web.default("/nowasm/gist_wasm_bg.wasm")),
        notWasmSync: thrown(() => web.initSync(new Uint8Array([1, 2, 3]))),
        nothing: await outcome(web.default(null)),
        ours: await outcome(web.default("/pkg/gist_wasm_bg.wasm")),
        name: web.normalizeEventName("user.created"),
      };
    });
    assert.match(result.anotherModule, /^GistError invalid_argument: gist-wasm could not load its WebAssembly: .*not gist-wasm's WebAssembly/);
    assert.match(result.notWasm, /^GistError invalid_argument: gist-wasm could not load its WebAssembly: CompileError/);
    assert.match(result.missing, /^GistError invalid_argument: gist-wasm could not load its WebAssembly: Error: fetching it answered 404$/);
    assert.match(result.notWasmSync, /^GistError invalid_argument: gist-wasm could not load its WebAssembly: CompileError/);
    assert.match(result.nothing, /^GistError invalid_argument: /);
    assert.equal(result.ours, "loaded");
    assert.equal(result.name, "user-created");
  } finally {
    await page.close();
  }
});

test("where a page's Content-Security-Policy forbids compiling WebAssembly, web.js's first call says to allow 'wasm-unsafe-eval'", async () => {
  const { result, problems } = await openSmokePage(browser, `${server.url}/test/csp.html`, `${server.url}/api/`);
  assert.match(result.error, /^GistError: invalid_argument gist-wasm could not load its WebAssembly: CompileError: .*; a page's Content-Security-Policy must allow 'wasm-unsafe-eval'$/);
  assert.deepEqual(problems, []);
});

test("in a web worker, as in a page, a client for Gist's own host needs dangerouslyAllowBrowser", async () => {
  const { result, problems } = await openSmokePage(browser, `${server.url}/test/worker.html`, `${server.url}/api/`);
  assert.deepEqual(result, { gist: "invalid_argument", optedIn: "made", proxy: "made" });
  assert.deepEqual(problems, []);
});

test("in a page, the mock posts a signed webhook delivery that verifyWebhook accepts", async () => {
  const { verifyWebhook } = await import("gist-wasm");
  const before = server.webhooks.deliveries.length;
  const { result, problems } = await openSmokePage(browser, `${server.url}/test/deliver.html`, `${server.url}/api/`);
  assert.deepEqual(result, { status: 202 });
  assert.deepEqual(problems, []);
  assert.equal(server.webhooks.deliveries.length, before + 1);
  const { body, headers } = server.webhooks.deliveries.at(-1);
  assert.equal(JSON.parse(body).topic, "user.created");
  const options = { secret: "s3cret", scheme: "hmac-sha256" };
  assert.equal(await verifyWebhook({ body, headers }, options), true);
  assert.equal(await verifyWebhook({ body: body.replace("user", "lead"), headers }, options), false);
});
