// Findings of an outside review of cancellation and deadlines (2026-12-06), in Node over real HTTP on
// loopback: a request whose deadline passes before it goes (its turn in the pacer, or a `request` hook
// that took its time) is not handed to fetch, so a write that fails `timeout` that way did not act.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { closedPort, json, startServer } from "./loopback.mjs";

const spin = (ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

test("a write whose request hook runs past the call's deadline is never sent: timeout, mayHaveActed false", async (t) => {
  const server = await startServer((req, res) => json(res, 200, { contact: { id: 7, type: "user", user_id: "7", email: "a@example.com" } }));
  t.after(() => server.close());
  const hooks = { request: () => spin(150) };
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, timeoutMs: 100, maxRetries: 0, hooks, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.createUser({ user_id: 7, email: "a@example.com" }).catch((e) => e);
  assert.equal(error.code, "timeout");
  assert.equal(error.mayHaveActed, false);
  assert.equal(server.requests.length, 0);
  hooks.request = () => {};
  assert.equal((await gist.createUser({ user_id: 7, email: "a@example.com" }, { timeoutMs: 10_000 })).id, 7, "the client goes on");
});

test("writes queued behind maxConcurrent with a short deadline: none reaches the server after its call failed timeout", async (t) => {
  const received = [];
  const server = await startServer(async (req, res, body) => {
    received.push({ id: JSON.parse(body).user_id, at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 60));
    json(res, 200, { contact: { id: 1, type: "user", user_id: String(JSON.parse(body).user_id) } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, timeoutMs: 300, maxRetries: 0, maxConcurrent: 2, logLevel: "off" });
  t.after(() => gist.free());
  const failedAt = new Map();
  const calls = Array.from({ length: 40 }, (_, id) =>
    gist.createUser({ user_id: id + 1 }).catch((error) => {
      failedAt.set(id + 1, Date.now());
      return error;
    }));
  const outcomes = await Promise.all(calls);
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const { id, at } of received) assert.ok(!failedAt.has(id) || at <= failedAt.get(id) || outcomes[id - 1].mayHaveActed, `write ${id} arrived after its call failed, said not to have acted`);
  const unsent = outcomes.filter((o) => o instanceof Error && o.mayHaveActed === false);
  assert.ok(unsent.length > 0);
  for (const o of unsent) assert.equal(o.code, "timeout");
  assert.equal(received.length + unsent.length, 40);
});

test("requestsPerSecond keeps its rate: timers firing late add up to no drift, and no second holds more than the rate and two starts", async (t) => {
  for (const rate of [200, 1000]) {
    const starts = [];
    const fetchFn = async () => {
      starts.push(performance.now());
      return new Response(JSON.stringify({ contact: { id: 1, type: "user" } }), { headers: { "content-type": "application/json" } });
    };
    const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: fetchFn, requestsPerSecond: rate, timeoutMs: 60_000, maxConcurrent: 50 });
    t.after(() => gist.free());
    const count = rate === 200 ? 320 : 1500;
    await Promise.all(Array.from({ length: count }, () => gist.fetchUser({ id: 1 })));
    const spacing = 1000 / rate;
    const took = starts.at(-1) - starts[20]; // after the first calls, which compile the code they run
    assert.ok(took >= (count - 21) * spacing - 5, `${count - 20} starts in ${took} ms: faster than ${rate} a second`);
    // 200 a second: timers' lateness costs no rate (at 1,000, their whole ms may). Drift is lateness that
    // grows along the schedule; a stall of a loaded machine makes a few starts late, not the later half.
    if (rate === 200) {
      const lateness = starts.slice(20).map((at, i) => at - starts[20] - i * spacing);
      const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
      const grown = median(lateness.slice(-100)) - median(lateness.slice(0, 100));
      assert.ok(grown <= 25, `starts ${Math.round(grown)} ms further behind the schedule at its end than at its start: the rate drifted`);
    }
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (j < starts.length && starts[j] < starts[i] + 1000) j++;
      assert.ok(j - i <= rate + 2, `${j - i} starts within a second, at ${rate} a second`);
    }
  }
});

test("an iterEvents cursor holds neither the key nor an email that a server made an event's id of, and a huge id keeps it small", async (t) => {
  const key = "sk_live_9fQ2xT7vB1nM4kL8";
  let first = `Bearer ${key} ada@example.com`;
  const server = await startServer((req, res) => json(res, 200, { events: [{ id: first, name: "a" }, { id: "e2", name: "b" }], pages: { next: "more" } }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  for (const id of [first, "x".repeat(100_000)]) {
    first = id;
    const walk = gist.iterEvents({ limit: 2 });
    for await (const event of walk) assert.ok(event);
    const cursor = Buffer.from(walk.cursor, "base64url").toString("utf8");
    assert.ok(!cursor.includes(key) && !cursor.includes("example.com"), cursor.slice(0, 200));
    assert.ok(walk.cursor.length < 1000, `a cursor of ${walk.cursor.length} characters`);
    // Ids the Event model drops (not whole numbers) name nothing, so the next page, the same, is read
    // again: the cursor holds no id of them at all.
    const resumed = [];
    for await (const event of gist.iterEvents({ cursor: walk.cursor, limit: 2 })) resumed.push(event.name);
    assert.deepEqual(resumed, ["a", "b"], "an id its model drops marks no page");
  }
});

test("mock.deliverWebhook's network_error does not quote the receiver's URL, which may hold an email", async () => {
  const { createMockGist } = await import("gist-wasm/mock");
  const port = await closedPort();
  const error = await createMockGist().deliverWebhook(`http://127.0.0.1:${port}/hooks?owner=ada@example.com`, "user.created").catch((e) => e);
  assert.equal(error.code, "network_error");
  assert.ok(!error.message.includes("example.com"), error.message);
});

test("mock.deliverWebhook resolves the receiver's own answer to a redirect, and sends nothing where it points", async (t) => {
  const { createMockGist } = await import("gist-wasm/mock");
  const elsewhere = await startServer((req, res) => json(res, 200, {}));
  t.after(() => elsewhere.close());
  const receiver = await startServer((req, res) => {
    res.writeHead(307, { location: `${elsewhere.url}/hook` });
    res.end();
  });
  t.after(() => receiver.close());
  const answer = await createMockGist().deliverWebhook(`${receiver.url}/hook`, "user.created", { secret: "the-webhook-secret" });
  assert.equal(answer.status, 307);
  assert.equal(elsewhere.requests.length, 0);
});
