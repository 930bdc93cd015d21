// gist-wasm from the packed package in consumer projects (tests/consumers/*, each with its own lock and
// node_modules; ./build.sh test installs them and the package), built with no configuration and no
// init(): esbuild for the browser (ESM, IIFE) and for Node (ESM, CommonJS), Rollup 4 with only
// @rollup/plugin-node-resolve, Parcel 2. Browser builds run in Chromium against the mock under /api of
// the page's server; Node builds against a loopback mock. Next.js has its own file (next.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { serveMock } from "gist-wasm/mock/server";
import { launchChromium, openSmokePage } from "./chromium.mjs";
import { startDemoServer } from "../../www/server.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";
import { carriesInlineText } from "./inline-text.mjs";

const consumer = (p) => fileURLToPath(new URL(`../consumers/${p}`, import.meta.url));
const run = promisify(execFile);
// Each build: the consumer, its tool (node_modules/.bin), its arguments.
const builds = [
  ["esbuild", "esbuild", ["browser.js", "--bundle", "--platform=browser", "--format=esm", "--outfile=dist/browser.mjs"]],
  ["esbuild", "esbuild", ["browser.js", "--bundle", "--platform=browser", "--format=iife", "--outfile=dist/browser.iife.js"]],
  ["esbuild", "esbuild", ["node.js", "--bundle", "--platform=node", "--format=esm", "--outfile=dist/node.mjs"]],
  ["esbuild", "esbuild", ["node.js", "--bundle", "--platform=node", "--format=cjs", "--outfile=dist/node.cjs"]],
  ["esbuild", "esbuild", ["node-web.js", "--bundle", "--platform=node", "--format=esm", "--outfile=dist/node-web.mjs"]],
  ["rollup", "rollup", ["main.js", "-p", "@rollup/plugin-node-resolve", "-f", "es", "-o", "dist/main.js"]],
  ["parcel", "parcel", ["build", "index.html", "--dist-dir", "dist", "--public-url", "./", "--no-cache"]],
];
let mock;
let server;
let browser;

before(async () => {
  await Promise.all(builds.map(([dir, tool, args]) => run(consumer(`${dir}/node_modules/.bin/${tool}`), args, { cwd: consumer(dir) })));
  // gist-wasm/web's .wasm, beside the Node bundle that fetches it from there (esbuild does not emit it).
  copyFileSync(consumer("esbuild/node_modules/gist-wasm/gist_wasm_bg.wasm"), consumer("esbuild/dist/gist_wasm_bg.wasm"));
  mock = await serveMock({ port: 0 });
  server = await startDemoServer({
    port: 0,
    mounts: { "/esbuild/": consumer("esbuild/"), "/rollup/": consumer("rollup/"), "/parcel/": consumer("parcel/dist/") },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await mock?.close();
});

for (const [name, page] of [
  ["esbuild --platform=browser, ESM", "esbuild/index.html"],
  ["esbuild --platform=browser, IIFE", "esbuild/iife.html"],
  ["Rollup 4 with node-resolve only", "rollup/index.html"],
  ["Parcel 2", "parcel/index.html"],
]) {
  test(`${name}: the app runs the smoke test in Chromium, the wasm inside its JS`, async () => {
    const { result, problems, wasm } = await openSmokePage(browser, `${server.url}/${page}`, `${server.url}/api/`);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.seen, runtimeExpected);
    assert.deepEqual(wasm, []);
    assert.deepEqual(problems, []);
  });
}

for (const [name, output] of [
  ["esbuild --platform=browser, ESM", "esbuild/dist/browser.mjs"],
  ["esbuild --platform=browser, IIFE", "esbuild/dist/browser.iife.js"],
  ["Rollup 4", "rollup/dist"],
  ["Parcel 2", "parcel/dist"],
]) {
  test(`${name} emits the .wasm inside the main entry as the package has it, no character escaped`, () => {
    assert.ok(carriesInlineText(consumer(output)));
  });
}

for (const [file, what] of [["node.mjs", "ESM"], ["node.cjs", "CommonJS"], ["node-web.mjs", "ESM of gist-wasm/web, its .wasm beside it"]]) {
  test(`esbuild --platform=node, ${what}: the bundle runs the smoke test in Node`, async () => {
    const { stdout } = await run(process.execPath, [consumer(`esbuild/dist/${file}`)], {
      env: { ...process.env, GIST_MOCK_URL: mock.url },
      timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout), runtimeExpected);
  });
}

test("a page whose Content-Security-Policy forbids compiling WebAssembly: every call throws a GistError that says so", async () => {
  const { result, problems } = await openSmokePage(browser, `${server.url}/esbuild/csp.html`, `${server.url}/api/`);
  assert.match(result.error, /^GistError: invalid_argument gist-wasm could not load its WebAssembly: CompileError: .*; a page's Content-Security-Policy must allow 'wasm-unsafe-eval'$/);
  assert.deepEqual(problems, []);
});
