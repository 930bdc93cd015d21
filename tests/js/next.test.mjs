// Next.js 16 (app router) on gist-wasm with no next.config and no init(): tests/consumers/next built by
// `next build` with Turbopack and with --webpack, each served by `next start` against a loopback mock:
// a route handler (the runtime smoke test), a page whose server component lists users, a client
// component (the runtime smoke test in Chromium), and docs/recipes.md's webhook route handler.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { serveMock } from "gist-wasm/mock/server";
import { launchChromium, openSmokePage } from "./chromium.mjs";
import { closedPort } from "./loopback.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";
import { WEBHOOK_SECRET, webhookRouteTests } from "./webhook-routes.mjs";

const app = fileURLToPath(new URL("../consumers/next/", import.meta.url));
const next = `${app}node_modules/.bin/next`;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
let mock;
let browser;

before(async () => {
  mock = await serveMock({ port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await mock?.close();
});

// Starts `next start` on a free loopback port; resolves its URL and a stop() once it answers.
async function nextStart() {
  const port = await closedPort();
  const server = spawn(next, ["start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: app,
    env: { ...env, GIST_MOCK_URL: mock.url, GIST_WEBHOOK_SECRET: WEBHOOK_SECRET },
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => process.kill(-server.pid);
  for (let tries = 0; tries < 300; tries++) {
    if (await fetch(`${url}/client`).then(() => true, () => false)) return { url, stop, fetch: (path, init) => fetch(`${url}${path}`, init) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`next start did not answer on ${url}`);
}

for (const [bundler, args] of [["Turbopack", []], ["webpack", ["--webpack"]]]) {
  describe(`Next.js, next build${args.length ? ` ${args.join(" ")}` : ""} (${bundler}) and next start`, () => {
    let build;
    let server;
    before(async () => {
      build = await promisify(execFile)(next, ["build", ...args], { cwd: app, env, timeout: 300_000 });
      server = await nextStart();
    });
    after(() => server?.stop());

    test("the build says nothing about gist-wasm (no warning, no error)", () => {
      assert.doesNotMatch(`${build.stdout}${build.stderr}`, /gist-wasm|\.wasm/);
    });

    test("a route handler runs the smoke test", async () => {
      const response = await fetch(`${server.url}/api/users`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), runtimeExpected);
    });

    test("a page whose server component lists users", async () => {
      const response = await fetch(server.url);
      assert.equal(response.status, 200);
      const list = (await response.text()).match(/<ul id="users">(.*?)<\/ul>/)?.[1] ?? "";
      const emails = [...list.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
      assert.equal(emails.length, 5, list);
      assert.ok(emails.every((e) => e.endsWith("@example.com")), emails.join(", "));
    });

    test("a client component runs the smoke test in Chromium", async () => {
      const { result, problems } = await openSmokePage(browser, `${server.url}/client`, `${mock.url}/`);
      assert.equal(result.error, undefined);
      assert.deepEqual(result.seen, runtimeExpected);
      assert.deepEqual(problems, []);
    });

    webhookRouteTests(() => server, () => mock);
  });
}
