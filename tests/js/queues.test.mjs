// gist-wasm/queues at scale, in real workerd through Miniflare's queues and KV: examples/bulk-sync (with
// the faults of tests/queues/worker.mjs) syncs contacts into the loopback mock while 5% of its requests
// fail (429 with Retry-After, 503, dropped connections), survives a consumer crash mid-batch, and hands
// each distinct webhook delivery to its handler exactly once. GIST_QUEUES_SCALE sets the bulk test's size.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { serveMock } from "gist-wasm/mock/server";

// 100,000 (about 4.5 min on a 2-core machine: Miniflare runs one consumer batch at a time, where Cloudflare
// runs many); GIST_QUEUES_SCALE sets another number for a quicker run by hand.
const SCALE = Number(process.env.GIST_QUEUES_SCALE ?? 100_000);
const root = fileURLToPath(new URL("../../", import.meta.url));
const wrangler = `${root}node_modules/.bin/wrangler`;
const TOKEN = "sync-token";
let server;

// `wrangler deploy --dry-run` of a folder into target/<out>/: no network, the bundle a deploy would upload.
function bundle(dir, out) {
  execFileSync(wrangler, ["deploy", "--dry-run", "--outdir", `${root}target/${out}`], {
    cwd: `${root}${dir}`, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return `${root}target/${out}/`;
}

let testWorker;
before(async () => {
  server = await serveMock({ port: 0, maxLoggedRequests: 3 * SCALE, seed: 13 });
  testWorker = bundle("tests/queues", "queues-test");
});
after(() => server?.close());

// The test worker in Miniflare, with examples/bulk-sync's queues and KV (as its wrangler.toml has them).
function startWorker(bindings = {}) {
  const consumer = { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10, deadLetterQueue: "gist-dead-letters" };
  return new Miniflare({
    modules: true,
    scriptPath: `${testWorker}worker.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
    bindings: { GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url, GIST_WEBHOOK_SECRET: "s3cret", SYNC_TOKEN: TOKEN, GIST_MAX_CONCURRENT: "12",
      GIST_LOG_LEVEL: "error", ...bindings }, // not a line for each of thousands of retries
    queueProducers: { GIST_SYNC: "gist-sync", GIST_WEBHOOKS: "gist-webhooks", GIST_DEAD_LETTERS: "gist-dead-letters" },
    queueConsumers: {
      "gist-sync": consumer,
      "gist-webhooks": consumer,
      "gist-dead-letters": { maxBatchSize: 100, maxBatchTimeout: 0 },
    },
    kvNamespaces: ["STATE"],
  });
}

// Every value under a KV prefix, parsed.
async function listKv(mf, prefix) {
  const kv = await mf.getKVNamespace("STATE");
  const values = [];
  let cursor;
  do {
    const page = await kv.list({ prefix, cursor });
    for (const { name } of page.keys) values.push(JSON.parse(await kv.get(name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return values;
}

// Waits until `check()` resolves true, or fails after `ms` with what `detail()` says.
async function waitFor(what, check, ms, detail = async () => "") {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}: ${await detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function sync(mf, contacts) {
  const response = await mf.dispatchFetch("http://sync.test/sync", {
    method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(contacts),
  });
  assert.equal(response.status, 202);
  return response.json();
}

const stats = async (mf) => (await mf.dispatchFetch("http://sync.test/stats")).json();
const contactsFrom = (first) => server.mock.state.contacts.filter((c) => Number(c.user_id) >= first && Number(c.user_id) < first + 1_000_000);
const contactFor = (user_id) => ({ user_id, email: `c${user_id}@example.com`, name: `Contact ${user_id}`, custom_properties: { cohort: user_id % 7 } });

test(`${SCALE} upserts through the queue, with 5% of requests failing: every contact once, the refused ones in the DLQ`, async () => {
  server.mock.reset();
  const refusal = { errors: [{ code: "parameter_invalid", message: "Email is not valid" }] };
  server.mock.fail({ method: "POST", path: "/contacts", bodyIncludes: "refused-by-gist", status: 422, body: refusal, times: 1e9 });
  server.mock.fail({ method: "POST", path: "/contacts", status: 429, headers: { "retry-after": "1" }, fraction: 0.02, times: 1e9 });
  server.mock.fail({ method: "POST", path: "/contacts", status: 503, fraction: 0.02 / 0.98, times: 1e9 });
  server.mock.fail({ method: "POST", path: "/contacts", drop: true, fraction: 0.01 / 0.96, times: 1e9 });
  const mf = startWorker();
  try {
    const first = 1_000_000;
    const contacts = [];
    const invalid = new Set();
    for (let i = 0; i < SCALE; i++) {
      contacts.push(contactFor(first + i));
      if (i % 1000 === 500) {
        invalid.add(contacts.length);
        contacts.push({ user_id: `not-a-number-${i}`, email: `bad${i}@example.com` }); // refused by the client's rules
      }
      if (i % 2000 === 1000) contacts.push({ ...contactFor(2_000_000 + i), email: `refused-by-gist-${i}@example.com` }); // refused by Gist
    }
    const refused = contacts.filter((c) => String(c.email).startsWith("refused-by-gist"));
    const started = Date.now();
    let enqueued = 0;
    for (let i = 0; i < contacts.length; i += 5000) {
      const result = await sync(mf, contacts.slice(i, i + 5000));
      enqueued += result.operations;
      assert.deepEqual(result.invalid.map((x) => i + x.index), [...invalid].filter((j) => j >= i && j < i + 5000));
      assert.ok(result.invalid.every((x) => x.code === "invalid_argument" && !x.message.includes("@")));
    }
    assert.equal(enqueued, SCALE + refused.length);
    await waitFor("every contact in the mock and every refusal in the DLQ", async () =>
      contactsFrom(first).length >= SCALE && (await listKv(mf, "dead/")).length >= refused.length, 600_000);
    const seconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000)); // nothing more arrives

    const synced = contactsFrom(first);
    assert.equal(synced.length, SCALE, "no contact missing or duplicated");
    assert.equal(new Set(synced.map((c) => c.user_id)).size, SCALE);
    for (const contact of synced) {
      const want = contactFor(Number(contact.user_id));
      assert.deepEqual([contact.email, contact.name, contact.custom_properties.cohort, contact.type], [want.email, want.name, want.custom_properties.cohort, "user"]);
    }
    assert.equal(contactsFrom(2_000_000).length, 0, "no refused contact was stored");

    const dead = await listKv(mf, "dead/");
    assert.equal(dead.length, refused.length);
    assert.deepEqual(dead.map((d) => Number(d.contact.user_id)).sort(), refused.map((c) => c.user_id).sort());
    for (const entry of dead) {
      assert.equal(entry.operation, "upsertUser");
      assert.equal(entry.code, "invalid_request");
      assert.equal(entry.status, 422);
      assert.match(entry.contact.email_sha256, /^[0-9a-f]{64}$/);
      const text = JSON.stringify(entry);
      assert.ok(!text.includes("@") && !text.includes("mock-key"), text);
    }

    const writes = server.mock.requests.filter((r) => r.method === "POST" && r.path === "/contacts").length;
    const { consumed } = await stats(mf);
    assert.ok(writes > SCALE + refused.length, "the injected failures were retried");
    console.log(`queues: ${SCALE} contacts in ${seconds.toFixed(1)} s = ${Math.round(SCALE / seconds)} contacts/s; ` +
      `${writes} POST /contacts for ${SCALE + refused.length} upserts (${writes - SCALE - refused.length} retries, ` +
      `${consumed.retried} of them operations the consumer retried); DLQ ${dead.length}; invalid at enqueue ${invalid.size}`);
  } finally {
    await mf.dispose();
  }
});

test("a consumer crash mid-batch loses nothing: the batch comes again, and no tracked event is recorded twice", async () => {
  server.mock.reset();
  const mf = startWorker({ CRASH_AFTER_REQUESTS: "150" });
  try {
    const first = 3_000_000;
    const users = server.mock.state.contacts.filter((c) => c.type === "user").slice(0, 100);
    const operations = [];
    for (let i = 0; i < 2000; i++) {
      operations.push({ upsertUser: contactFor(first + i) });
      if (i % 20 === 0) operations.push({ recordEvent: { event_name: "crash-test", user: { user_id: users[i / 20].user_id }, properties: { n: i / 20 } } });
    }
    const unauthorized = { method: "POST", headers: { authorization: "Bearer wrong-token" }, body: "[]" };
    assert.equal((await mf.dispatchFetch("http://sync.test/sync", unauthorized)).status, 401, "POST /sync needs the sync token");
    const response = await mf.dispatchFetch("http://sync.test/operations", { method: "POST", body: JSON.stringify(operations) });
    const { sync, ...enqueued } = await response.json();
    assert.deepEqual(enqueued, { operations: 2100, messages: 210, invalid: [], unsent: [] });
    assert.match(sync, /^[0-9a-f-]{36}$/, "enqueue names the sync");
    const recorded = () => server.mock.state.events.filter((e) => e.name === "crash-test");
    await waitFor("every contact and event", async () =>
      contactsFrom(first).length === 2000 && recorded().length + (await listKv(mf, "dead/")).length >= users.length, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { crashes, crashedAfterRequests } = await stats(mf);
    assert.equal(crashes, 1, "the consumer crashed once");
    assert.ok(crashedAfterRequests >= 150, "mid-batch: after requests had gone out");
    const synced = contactsFrom(first);
    assert.equal(synced.length, 2000);
    assert.equal(new Set(synced.map((c) => c.user_id)).size, 2000);
    const counts = new Map();
    for (const event of recorded()) counts.set(event.properties.n, (counts.get(event.properties.n) ?? 0) + 1);
    assert.deepEqual([...counts.values()].filter((count) => count !== 1), [], "no event recorded twice");
    const dead = await listKv(mf, "dead/");
    assert.ok(dead.every((d) => d.code === "outcome_unknown" && d.operation === "recordEvent"), JSON.stringify(dead));
    const missing = users.map((_, n) => n).filter((n) => !counts.has(n));
    assert.ok(missing.every((n) => dead.some((d) => d.contact.user_id === users[n].user_id)), "each event recorded, or dead-lettered as outcome_unknown");
    console.log(`queues: a crash after ${crashedAfterRequests} requests of a batch; 2000 contacts once each; ` +
      `${counts.size} of ${users.length} events recorded once, ${dead.length} dead-lettered as outcome_unknown`);
  } finally {
    await mf.dispose();
  }
});

test("1,000 webhook deliveries, 10% of them sent twice, 5% of handler runs failing once: each event handled exactly once", async () => {
  server.mock.reset();
  const mf = startWorker({ FAIL_ONCE_EVERY: "20" });
  try {
    const first = 4_000_000;
    assert.equal((await sync(mf, Array.from({ length: 1000 }, (_, i) => contactFor(first + i)))).operations, 1000);
    await waitFor("the contacts", () => contactsFrom(first).length === 1000, 60_000);
    const byUserId = new Map(contactsFrom(first).map((c) => [Number(c.user_id), c]));
    const delivery = (n) => {
      const { id, user_id, email } = byUserId.get(first + n);
      return JSON.stringify({ topic: "user.updated", n, contact: { id, type: "user", user_id, email } });
    };
    const deliver = (body, token = "s3cret") =>
      mf.dispatchFetch("http://sync.test/webhooks", { method: "POST", headers: { "x-gist-webhook-token": token }, body });
    const again = [];
    for (let n = 0; n < 1000; n++) {
      assert.equal((await deliver(delivery(n))).status, 200);
      if (n % 20 === 3) assert.equal((await deliver(delivery(n))).status, 200); // at once: often in the same batch
      else if (n % 10 === 3) again.push(n); // later, once the first was handled
    }
    assert.equal((await deliver(delivery(1), "forged")).status, 401);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the first deliveries are handled
    for (const n of again) assert.equal((await deliver(delivery(n))).status, 200);
    const recorded = () => server.mock.state.events.filter((e) => e.name === "webhook-user-updated");
    await waitFor("every event", async () => recorded().length >= 1000 && (await stats(mf)).webhooks?.duplicates >= 100, 120_000,
      async () => `${recorded().length} recorded; ${JSON.stringify(await stats(mf))}; DLQ ${JSON.stringify((await listKv(mf, "dead/")).slice(0, 3))}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const counts = new Map();
    for (const event of recorded()) counts.set(event.user_id, (counts.get(event.user_id) ?? 0) + 1);
    assert.equal(counts.size, 1000, "every distinct event was handled");
    assert.deepEqual([...counts.values()].filter((count) => count !== 1), [], "none twice");
    const { webhooks, handlerFailures } = await stats(mf);
    assert.equal(handlerFailures, 50);
    assert.equal(webhooks.handled, 1000);
    assert.equal(webhooks.duplicates, 100);
    assert.equal(webhooks.retried, 50);
    assert.deepEqual(await listKv(mf, "dead/"), []);
    console.log(`queues: 1100 deliveries (100 twice), ${handlerFailures} handler runs failed once: ` +
      `${counts.size} events handled exactly once, ${webhooks.duplicates} duplicates dropped, ${webhooks.retried} retried`);
  } finally {
    await mf.dispose();
  }
});

test("examples/bulk-sync deploys with `wrangler deploy --dry-run`", () => {
  const out = bundle("examples/bulk-sync", "bulk-sync");
  const files = readdirSync(out);
  assert.ok(files.includes("index.js") && files.some((f) => f.endsWith(".wasm")), files.join(", "));
});
