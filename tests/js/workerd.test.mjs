// The built package in real workerd: wrangler bundles tests/worker (resolving gist-wasm's `workerd`
// entry), then Miniflare runs it; the worker calls the mock over 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { once } from "node:events";
import { startServer } from "./loopback.mjs";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { serveMock } from "gist-wasm/mock/server";
import { expectedFor } from "./smoke.mjs";
import { runtimeExpected } from "./runtime-smoke.mjs";

const workerDir = fileURLToPath(new URL("../worker/", import.meta.url));
const wrangler = fileURLToPath(new URL("../../node_modules/.bin/wrangler", import.meta.url));
let server;

before(async () => {
  server = await serveMock({ port: 0 });
  rmSync(`${workerDir}dist`, { recursive: true, force: true }); // wrangler leaves each earlier build's .wasm there
  execFileSync(wrangler, ["deploy", "--dry-run", "--outdir", "dist"], {
    cwd: workerDir,
    stdio: "pipe",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
});
after(() => server.close());

// Miniflare running the bundled worker with `bindings`.
function workerWith(bindings, { compatibilityDate = "2025-01-01", compatibilityFlags = [] } = {}) {
  return new Miniflare({
    modules: true,
    scriptPath: `${workerDir}dist/worker.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate,
    compatibilityFlags,
    bindings,
    durableObjects: { GIST_PACER: "GistPacer" },
  });
}

async function runWorker(bindings, path = "/") {
  const mf = workerWith(bindings);
  try {
    const response = await mf.dispatchFetch(`http://worker.test${path}`);
    return { status: response.status, body: await response.json() };
  } finally {
    await mf.dispose();
  }
}

test("a worker lists users from the loopback mock", async () => {
  const { status, body } = await runWorker({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url });
  assert.equal(status, 200);
  assert.deepEqual(body, { count: 65, types: ["user"] });
});

// With Node's `process` (process.versions.node is set) and without it.
for (const compatibilityFlags of [[], ["nodejs_compat", "enable_nodejs_process_v2"]]) test(`one worker isolate (flags: ${compatibilityFlags}) serves requests one after another and at once, each call's fetch in its own request`, async () => {
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15", compatibilityFlags });
  try {
    const answer = async () => {
      const response = await mf.dispatchFetch("http://worker.test/once");
      return { status: response.status, body: await response.json() };
    };
    const expected = { status: 200, body: { count: 65, types: ["user"] } };
    for (let i = 0; i < 3; i++) assert.deepEqual(await answer(), expected);
    assert.deepEqual(await Promise.all([answer(), answer(), answer()]), [expected, expected, expected]);
  } finally {
    await mf.dispose();
  }
});

test("a client shared by an isolate's requests, with requestsPerSecond, starts each of them in turn: the line's timer does not end with the request that armed it (an outside review)", async () => {
  // Before: workerd cancels a request's timers when it ends, and with them the line's: of four requests
  // at once, two went and two waited till their deadline (8 s), unsent.
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15" });
  try {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 4 }, async () => {
      const response = await mf.dispatchFetch("http://worker.test/shared");
      return { status: response.status, body: await response.json() };
    }));
    assert.deepEqual(answers, Array.from({ length: 4 }, () => ({ status: 200, body: { id: 1001 } })));
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms at 2 a second`);
  } finally {
    await mf.dispose();
  }
});

test("a client shared by an isolate's requests gets back the place of a call whose request ended, by that call's deadline (before: kept for the isolate's life)", async (t) => {
  // workerd drops what a request's calls await once it ends: the call's `finally` never runs. With
  // maxConcurrent 1, one call sent (it never gets an answer) and one waiting for the place, both of
  // requests that ended at once, held every later call of the isolate till its own deadline (8 s), unsent.
  const hang = await startServer((req, res) => {
    if (req.url.includes("user_id=7")) return; // never answered
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ contact: { id: 1001, type: "user" } }));
  });
  t.after(() => hang.close());
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url, GIST_HANG_URL: hang.url }, { compatibilityDate: "2025-09-15" });
  try {
    const answer = async (path) => {
      const response = await mf.dispatchFetch(`http://worker.test${path}`);
      return { status: response.status, body: await response.json() };
    };
    assert.deepEqual(await answer("/fire"), { status: 200, body: { fired: true } });
    assert.deepEqual(await answer("/fire"), { status: 200, body: { fired: true } });
    const started = Date.now();
    assert.deepEqual(await answer("/one"), { status: 200, body: { id: 1001 } });
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
    // Waiters whose requests ended, once past their deadlines, are let go, not each handed the place in
    // turn for a second (a review of the fix: five such held later calls five seconds).
    for (let i = 0; i < 6; i++) await answer("/fire");
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const later = Date.now();
    for (let i = 0; i < 3; i++) assert.deepEqual(await answer("/one"), { status: 200, body: { id: 1001 } });
    assert.ok(Date.now() - later < 1500, `three calls after five dead waiters took ${Date.now() - later} ms`);
  } finally {
    await mf.dispose();
  }
});

for (const compatibilityFlags of [[], ["no_global_navigator"]]) test(`in workerd (flags: ${compatibilityFlags}), a body that comes as fast as it can is cut by the call's deadline and by its caller's abort, not read on to maxResponseBytes (an outside review: 1.7 s for a 300 ms deadline; without a navigator, 1.1-5.2 s)`, async (t) => {
  // A server of its own process, as fast as the socket takes: 400 MB of one JSON string, in 64 KB writes.
  const flooding = spawn(process.execPath, ["--input-type=module", "-e", `
    import { createServer } from "node:http";
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"contact":{"id":1,"pad":"');
      let sent = 0;
      const more = () => {
        while (sent < 400 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));
  `], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => flooding.kill());
  const [port] = await once(flooding.stdout, "data");
  const flood = { url: `http://127.0.0.1:${String(port).trim()}` };
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url, GIST_HANG_URL: flood.url }, { compatibilityDate: "2025-09-15", compatibilityFlags });
  // The body outruns the isolate's reads when the machine is busy: two processes keep both cores so.
  const busy = [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;);"], { stdio: "ignore" }));
  try {
    await mf.dispatchFetch("http://worker.test/once"); // the worker started
    for (let round = 0; round < 3; round++) {
      for (const [path, code] of [["/flood", "timeout"], ["/flood?abort", "aborted"]]) {
        const seen = await (await mf.dispatchFetch(`http://worker.test${path}`)).json();
        assert.equal(seen.code, code, `${path}: ${JSON.stringify(seen)}`);
        assert.ok(seen.ms < 1000, `${path}: ${JSON.stringify(seen)}`);
      }
    }
  } finally {
    for (const child of busy) child.kill();
    await mf.dispose();
  }
});

test("in workerd, under fake timers never ticked, an answer past a MiB is read whole (a review of the fix above: it hung)", async () => {
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15" });
  try {
    assert.deepEqual(await (await mf.dispatchFetch("http://worker.test/faketimers")).json(), { outcome: 1 });
  } finally {
    await mf.dispose();
  }
});

test("a client shared by an isolate's requests, one start a second: calls whose request ended, past their deadline, hold up no later call (an outside review: a lone call waited 3.1 s behind them)", async () => {
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15" });
  try {
    assert.deepEqual(await (await mf.dispatchFetch("http://worker.test/drop")).json(), { fired: true });
    await new Promise((resolve) => setTimeout(resolve, 3000)); // their 2 s deadlines have passed
    const started = Date.now();
    assert.deepEqual(await (await mf.dispatchFetch("http://worker.test/paced")).json(), { id: 1001 });
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  } finally {
    await mf.dispose();
  }
});

test("a client shared by an isolate's requests keeps its requestsPerSecond when each request ends as its call does (an outside review: the line's timer ended with the request that armed it, and starts waited up to a second)", async () => {
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15" });
  try {
    assert.deepEqual(await (await mf.dispatchFetch("http://worker.test/rate")).json(), { id: 1001 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the next start is free
    const started = Date.now();
    const ended = await Promise.all(Array.from({ length: 20 }, async () => {
      assert.deepEqual(await (await mf.dispatchFetch("http://worker.test/rate")).json(), { id: 1001 });
      return Date.now() - started;
    }));
    ended.sort((a, b) => a - b);
    const gaps = ended.slice(1).map((at, i) => at - ended[i]);
    // One start each 50 ms: no gap near the second a waiter's own check would take (before: 250 ms and 850 ms gaps).
    assert.ok(Math.max(...gaps) < 400, `ended at ${ended.join(", ")} ms`);
    assert.ok(ended.at(-1) >= 900, `twenty starts at 20 a second take 0.95 s: ended at ${ended.join(", ")} ms`);
  } finally {
    await mf.dispose();
  }
});

test("a pacedFetch kept for every request of an isolate asks the shared pacer in each request (an outside review: the first request's stub failed every later one, which fell back to a tenth of the rate)", async () => {
  const mf = workerWith({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, { compatibilityDate: "2025-09-15" });
  try {
    let last;
    for (let request = 0; request < 3; request++) last = await (await mf.dispatchFetch("http://worker.test/paced-shared")).json();
    assert.equal(last.id, 1001);
    assert.deepEqual(last.pacerCalls, { answered: 3, failed: 0 });
  } finally {
    await mf.dispose();
  }
});

test("a worker sees GistError with its code", async () => {
  const { status, body } = await runWorker({ GIST_API_KEY: "wrong", GIST_BASE_URL: server.url });
  assert.equal(status, 502);
  assert.equal(body.code, "unauthorized");
  assert.equal(body.isGistError, true);
  assert.ok(!body.message.includes("wrong"), "the key is not in the message");
});

test("gist-wasm/web gives a worker the workerd entry, whose wasm wrangler bundles", async () => {
  const { status, body } = await runWorker({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, "/web");
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, { sameModule: true, count: 3 });
});

test("in a worker, the mock posts a signed webhook delivery that verifyWebhook accepts", async () => {
  const { verifyWebhook } = await import("gist-wasm");
  const receiver = await startServer();
  try {
    const { status, body } = await runWorker({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url, RECEIVER_URL: receiver.url }, "/deliver");
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body, { status: 200 });
    const [delivery] = receiver.requests;
    assert.equal(JSON.parse(delivery.body).topic, "lead.created");
    const options = { secret: "s3cret", scheme: "hmac-sha256" };
    assert.equal(await verifyWebhook(delivery, options), true);
    assert.equal(await verifyWebhook({ ...delivery, body: `${delivery.body} ` }, options), false);
  } finally {
    await receiver.close();
  }
});

test("every Gist module works in a worker", async () => {
  const { status, body } = await runWorker({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, "/smoke");
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, expectedFor(body));
});

test("workerd runs the runtime smoke test: users and webhooks", async () => {
  const { status, body } = await runWorker({ GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url }, "/runtime");
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body, runtimeExpected);
});
