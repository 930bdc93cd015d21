// gist-wasm/queues' GistPacer, pacedFetch, sync progress, dead letters and redrive in Node: the package's
// own Durable Object classes behind an in-memory stand-in for a namespace (tests/js/queued.mjs: one object
// a name, its storage a Map), in-memory queues and the in-memory mock. tests/js/queues-pacer.test.mjs
// measures the pacer in workerd.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { GistPacer, GistSyncs, consume, enqueue, listDeadLetters, pacedFetch, redrive, syncStatus } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";
import { memoryStorage, namespace, storageLists } from "./queued.mjs";

const queue = () => {
  const sent = [];
  return { sent, send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) };
};
// Consumes everything `q` holds (and what it is sent meanwhile), once per message, as a first delivery.
async function drain(q, client, options) {
  const bodies = q.sent.splice(0);
  let n = 0;
  const messages = bodies.map((body) => ({ id: `m${n++}-${Math.random()}`, body, attempts: 5, ack() {}, retry() {} }));
  return consume({ messages }, client, options);
}

test("pacedFetch: clients of one key share one rate through GistPacer, named by the key's hash, never the key", async () => {
  const pacers = namespace(GistPacer);
  const mock = createMockGist();
  const clients = Array.from({ length: 4 }, () => new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: pacedFetch(pacers, "mock-key", { requestsPerSecond: 20, fetch: mock.fetch }) }));
  const started = Date.now();
  const id = mock.state.contacts.find((c) => c.type === "user").id;
  await Promise.all(clients.flatMap((client) => Array.from({ length: 5 }, () => client.fetchUser({ id }))));
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds >= 19 / 20 - 0.05, `20 requests of 4 clients at 20/s took ${seconds} s`);
  assert.ok(pacers.names.length > 0 && pacers.names.every((name) => /^gist-wasm\/pacer\/[0-9a-f]{64}$/.test(name) && !name.includes("mock-key")), pacers.names[0]);
});

test("pacedFetch: a consumer that cannot reach its pacer paces itself at fallbackRequestsPerSecond, never not at all", async () => {
  const pacers = namespace(GistPacer);
  pacers.down = true;
  const mock = createMockGist();
  const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: pacedFetch(pacers, "mock-key", { requestsPerSecond: 100, fallbackRequestsPerSecond: 10, fetch: mock.fetch }) });
  const started = Date.now();
  const id = mock.state.contacts.find((c) => c.type === "user").id;
  await Promise.all(Array.from({ length: 6 }, () => client.fetchUser({ id })));
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds >= 0.5 - 0.05, `6 requests at 10/s took ${seconds} s`);
  assert.equal(mock.requests.length, 6);
});

test("GistPacer slows every consumer of the key after 429s, and waits out X-RateLimit-Remaining: 0 until the reset", async () => {
  const pacers = namespace(GistPacer);
  const mock = createMockGist();
  mock.limit({ perSecond: 5, burst: 1 });
  const paced = pacedFetch(pacers, "mock-key", { requestsPerSecond: 10, fetch: mock.fetch });
  const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: paced, maxRetries: 0 });
  const id = mock.state.contacts.find((c) => c.type === "user").id;
  const answers = [];
  for (let round = 0; round < 4; round++) {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.fetchUser({ id })));
    answers.push(results.filter((r) => r.status === "rejected" && r.reason.code === "rate_limited").length);
  }
  assert.ok(answers[0] > 0, "the first round overshoots the limit");
  assert.ok(answers[3] < answers[0], `429s a round: ${answers.join(", ")}: the rate came down`);

  const headers = namespace(GistPacer);
  const reset = (input, init) => Promise.resolve(new Response("{}", { status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" } }));
  const fetchWithHeaders = pacedFetch(headers, "mock-key", { requestsPerSecond: 50, fetch: reset });
  await fetchWithHeaders("http://mock.invalid/contacts/1");
  const started = Date.now();
  await fetchWithHeaders("http://mock.invalid/contacts/1");
  assert.ok(Date.now() - started >= 900, `the second request waited ${Date.now() - started} ms for the reset`);
});

test("pacedFetch refuses a namespace, key or rate that is not one", () => {
  const pacers = namespace(GistPacer);
  for (const [ns, key, options] of [[{}, "k", { requestsPerSecond: 1 }], [pacers, "", { requestsPerSecond: 1 }], [pacers, "k", {}], [pacers, "k", { requestsPerSecond: -1 }], [pacers, "k", { requestsPerSecond: 1, fallbackRequestsPerSecond: 0 }]]) {
    assert.throws(() => pacedFetch(ns, key, options), (e) => e instanceof GistError && e.code === "invalid_argument");
  }
  const throwing = new Proxy({}, { get() { throw new TypeError("trap"); }, ownKeys() { throw new TypeError("trap"); } });
  assert.throws(() => pacedFetch(pacers, "k", throwing), (e) => e instanceof GistError && e.code === "invalid_argument");
});

test("a sync's progress, its dead letters by code (no email), and redrive: all or by code, a recordEvent of unknown outcome only when named", async () => {
  const { syncs, mock, client, q } = world();
  const dlq = queue();
  const user = mock.state.contacts.find((c) => c.type === "user");
  const operations = [
    ...Array.from({ length: 8 }, (_, i) => ({ upsertUser: { user_id: 7_000 + i, email: `sync${i}@example.com` } })),
    { upsertUser: { user_id: "not a number" } },
    { recordEvent: { event_name: "synced", user: { user_id: user.user_id } } },
  ];
  const { sync, operations: enqueued, invalid } = await enqueue(q, operations, { perMessage: 2, progress: syncs });
  assert.equal(enqueued, 9);
  assert.equal(invalid.length, 1);
  assert.equal((await enqueue(q, [{ upsertUser: { user_id: 7_100 } }], { progress: syncs, sync })).sync, sync, "enqueue adds to a sync");
  mock.fail({ method: "POST", path: "/contacts", bodyIncludes: "sync3@", status: 422, body: { errors: [{ code: "parameter_invalid", message: "sync3@example.com is not valid" }] }, times: 1 });
  mock.fail({ method: "POST", path: "/events", status: 500, times: 1 });
  const ledger = new Map();
  const kv = { get: async (k) => ledger.get(k) ?? null, put: async (k, v) => ledger.set(k, v), delete: async (k) => ledger.delete(k) };
  const options = { deadLetterQueue: dlq, ledger: kv, progress: syncs };
  await drain(q, client, options);

  let status = await syncStatus(syncs, sync);
  assert.deepEqual([status.enqueued, status.invalid, status.done, status.retrying, status.deadLettered, status.pending], [10, 1, 8, 0, 2, 0]);
  const dead = await listDeadLetters(syncs, sync);
  assert.deepEqual(dead.map((d) => d.code).sort(), ["invalid_request", "outcome_unknown"]);
  assert.ok(!JSON.stringify(dead).includes("@"), JSON.stringify(dead));
  assert.deepEqual((await listDeadLetters(syncs, sync, { code: "invalid_request" })).map((d) => d.operation), ["upsertUser"]);

  // The cause is fixed (the mock's rules are used up): redrive by code, then all, then the unknown outcome by name.
  assert.deepEqual(await redrive(syncs, q, sync, { code: "invalid_request" }), { redriven: 1, skipped: [], unsent: [] });
  await drain(q, client, options);
  status = await syncStatus(syncs, sync);
  assert.deepEqual([status.done, status.deadLettered, status.redriven, status.pending], [9, 1, 1, 0]);
  assert.ok(mock.state.contacts.some((c) => c.user_id === "7003"), "the redriven upsert reached Gist");

  const refused = await redrive(syncs, q, sync);
  assert.equal(refused.redriven, 0);
  assert.deepEqual(refused.skipped.map((s) => s.code), ["outcome_unknown"], "a recordEvent that may have executed is not sent again");
  assert.equal(q.sent.length, 0);
  const eventsBefore = mock.state.events.length;
  assert.equal((await redrive(syncs, q, sync, { resend: [refused.skipped[0].key] })).redriven, 1);
  await drain(q, client, options);
  assert.equal(mock.state.events.length, eventsBefore + 1, "sent again when the caller named it");
  status = await syncStatus(syncs, sync);
  assert.deepEqual([status.done, status.deadLettered, status.redriven, status.pending, status.etaSeconds], [10, 0, 2, 0, 0]);
  await assert.rejects(syncStatus(syncs, "no spaces allowed"), (e) => e.code === "invalid_argument");
  await assert.rejects(listDeadLetters({}, sync), (e) => e.code === "invalid_argument");
  await assert.rejects(redrive(syncs, q, sync, { resend: "one key" }), (e) => e.code === "invalid_argument");
});

// A KV namespace in memory (the ledger).
function memoryKv() {
  const map = new Map();
  return { get: async (k) => map.get(k) ?? null, put: async (k, v) => map.set(k, v), delete: async (k) => map.delete(k) };
}

// A GistSyncs namespace, the in-memory mock and a client of it, a queue, and consume's options for a sync.
function world() {
  const syncs = namespace(GistSyncs);
  const mock = createMockGist();
  const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0 });
  return { syncs, mock, client, q: queue(), options: { deadLetterQueue: queue(), ledger: memoryKv(), progress: syncs } };
}

// A sync of one recordEvent that Gist refused (429) at its last attempt: dead-lettered, Gist did not act.
async function deadLetteredEvent(syncs, client, mock, q, options) {
  const user = mock.state.contacts.find((c) => c.type === "user");
  const { sync } = await enqueue(q, [{ recordEvent: { event_name: "paid", user: { user_id: user.user_id } } }], { progress: syncs });
  const [body] = q.sent.splice(0);
  mock.fail({ method: "POST", path: "/events", status: 429, headers: { "retry-after": "1" }, times: 1 });
  await consume({ messages: [{ id: "m1", body, attempts: 1, ack() {}, retry() {} }] }, client, { ...options, maxAttempts: 1 });
  assert.deepEqual((await listDeadLetters(syncs, sync)).map((d) => d.code), ["rate_limited"]);
  return { sync, body };
}

// Second outside review of gist-wasm/queues (2026-12-04): nothing redrive sends twice.

test("a message delivered again that passes takes its earlier dead letters off the list: redrive has nothing to send twice", async () => {
  const { syncs, mock, client, q, options } = world();
  const { sync, body } = await deadLetteredEvent(syncs, client, mock, q, options);
  // Its ack was refused (or the consumer died): Queues delivers it again, and now it passes.
  await consume({ messages: [{ id: "m1", body, attempts: 2, ack() {}, retry() {} }] }, client, options);
  assert.equal(mock.state.events.filter((e) => e.name === "paid").length, 1);
  assert.deepEqual(await listDeadLetters(syncs, sync), []);
  assert.deepEqual(await redrive(syncs, q, sync), { redriven: 0, skipped: [], unsent: [] });
  const status = await syncStatus(syncs, sync);
  assert.deepEqual([status.enqueued, status.done, status.deadLettered, status.pending], [1, 1, 0, 0]);
});

test("redrive claims its dead letters first: a redrive whose confirmation failed, or two at once, enqueue each once", async () => {
  const { syncs, mock, client, q, options } = world();
  const { sync } = await deadLetteredEvent(syncs, client, mock, q, options);
  const [first, second] = await Promise.all([redrive(syncs, q, sync), redrive(syncs, q, sync)]);
  assert.deepEqual([first.redriven + second.redriven, q.sent.length], [1, 1], "two redrives at once: one sends it");
  assert.deepEqual([...first.skipped, ...second.skipped].map((s) => s.reason), ["another redrive is sending it"]);
  q.sent.splice(0);

  // The object fails the confirmation once, after the queue took the letter: redrive rejects, and a
  // second redrive at once does not send it again.
  const again = await deadLetteredEvent(syncs, client, mock, q, options);
  const stub = syncs.get;
  syncs.get = (id) => ({ fetch: (url, init) => (String(url).endsWith("/redriven") && !syncs.failed ? ((syncs.failed = true), Promise.reject(new Error("reset"))) : stub(id).fetch(url, init)) });
  await assert.rejects(redrive(syncs, q, again.sync), (e) => e.code === "store_error");
  assert.equal(q.sent.length, 1, "enqueued before the confirmation failed");
  const retried = await redrive(syncs, q, again.sync);
  assert.deepEqual([retried.redriven, q.sent.length, retried.skipped.map((s) => s.reason)], [0, 1, ["another redrive is sending it"]]);
  // Past its claim, unconfirmed, the recordEvent may have been enqueued: it goes again only when named.
  const now = Date.now;
  Date.now = () => now() + 10 * 60_000;
  try {
    const later = await redrive(syncs, q, again.sync);
    assert.deepEqual([later.redriven, q.sent.length], [0, 1]);
    assert.match(later.skipped[0].reason, /never confirmed/);
    assert.equal((await redrive(syncs, q, again.sync, { resend: [later.skipped[0].key] })).redriven, 1);
  } finally {
    Date.now = now;
  }
  syncs.get = stub;
  assert.deepEqual(await listDeadLetters(syncs, again.sync), []);
});

test("a message of a sync that holds no operations counts no operation done", async () => {
  const syncs = namespace(GistSyncs);
  const mock = createMockGist();
  const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  const q = queue();
  const { sync } = await enqueue(q, [{ upsertUser: { user_id: 7_200 } }], { progress: syncs });
  const [body] = q.sent.splice(0);
  for (const ops of [[], "not a list"]) {
    await consume({ messages: [{ id: `m-${ops.length}`, body: { ...body, ops, key: `${body.key}-${ops.length}` }, attempts: 1, ack() {}, retry() {} }] }, client, { deadLetterQueue: queue(), progress: syncs });
  }
  const status = await syncStatus(syncs, sync);
  assert.deepEqual([status.done, status.deadLettered], [0, 2]);
});

test("a message with more dead letters than a Durable Object writes in one call is kept whole", async () => {
  const { syncs, mock, client, q } = world();
  const operations = Array.from({ length: 300 }, (_, i) => ({ upsertUser: { user_id: 8_000 + i } }));
  const { sync } = await enqueue(q, operations, { perMessage: 300, progress: syncs });
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 300 });
  const dlq = queue();
  await drain(q, client, { deadLetterQueue: dlq, progress: syncs });
  assert.equal((await listDeadLetters(syncs, sync)).length, 300);
  assert.equal((await syncStatus(syncs, sync)).deadLettered, 300);
});

test("a sync of 1,200 dead letters is listed a page at a time and redriven in parts: no call of its object reads them all (an outside review: +125 MB for 20,000)", async () => {
  const { syncs, mock, client, q } = world();
  const operations = Array.from({ length: 1200 }, (_, i) => ({ upsertUser: { user_id: 20_000 + i } }));
  const { sync } = await enqueue(q, operations, { perMessage: 300, progress: syncs });
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 1200 });
  await drain(q, client, { deadLetterQueue: queue(), progress: syncs });
  storageLists.largest = 0;
  const first = await listDeadLetters(syncs, sync);
  const rest = await listDeadLetters(syncs, sync, { after: first.at(-1).key });
  assert.deepEqual([first.length, rest.length], [1000, 200]);
  assert.equal(new Set([...first, ...rest].map((letter) => letter.key)).size, 1200, "every letter once");
  assert.deepEqual((await listDeadLetters(syncs, sync, { limit: 7, after: first[2].key })).map((letter) => letter.key), first.slice(3, 10).map((letter) => letter.key));
  assert.ok(storageLists.largest <= 500, `a storage list of ${storageLists.largest}`);
  const result = await redrive(syncs, q, sync);
  assert.deepEqual([result.redriven, result.skipped, result.unsent], [1200, [], []]);
  assert.ok(storageLists.largest <= 500, `a storage list of ${storageLists.largest}`);
  assert.equal(q.sent.flatMap((body) => body.ops).length, 1200, "each letter enqueued once");
  assert.deepEqual(await listDeadLetters(syncs, sync), []);
  await assert.rejects(listDeadLetters(syncs, sync, { limit: 1001 }), (e) => e.code === "invalid_argument" && /limit/.test(e.message));
  await assert.rejects(listDeadLetters(syncs, sync, { after: 7 }), (e) => e.code === "invalid_argument" && /after/.test(e.message));
});

test("a message with more dead letters than a Durable Object deletes in one call, delivered again, passes and takes them all off the list", async () => {
  const { syncs, mock, client, q } = world();
  const { sync } = await enqueue(q, Array.from({ length: 300 }, (_, i) => ({ upsertUser: { user_id: 8_500 + i } })), { perMessage: 300, progress: syncs });
  const [body] = q.sent.splice(0);
  const deliver = (attempts) => consume({ messages: [{ id: "m300", body, attempts, ack() {}, retry() {} }] }, client, { deadLetterQueue: queue(), progress: syncs, maxAttempts: 1 });
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 300 });
  await deliver(1);
  assert.equal((await listDeadLetters(syncs, sync)).length, 300);
  await deliver(2); // its ack was refused: Queues delivers it again, and now every upsert passes
  assert.deepEqual(await listDeadLetters(syncs, sync), []);
  const status = await syncStatus(syncs, sync);
  assert.deepEqual([status.enqueued, status.done, status.deadLettered], [300, 300, 0]);
});

test("a redrive's claim is its own: one that ran out and came back neither gives back nor confirms another redrive's claim", async () => {
  const { syncs, mock, client, q } = world();
  const { sync } = await enqueue(q, [{ upsertUser: { user_id: 7_300, email: "claims@example.com" } }], { progress: syncs });
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 1 });
  await drain(q, client, { deadLetterQueue: queue(), progress: syncs });
  assert.equal((await listDeadLetters(syncs, sync)).length, 1);
  // Redrive A stalls in its queue past its claim; B claims the letter meanwhile, then A's queue refuses.
  let refuseA;
  const stalled = { send: async () => {}, sendBatch: () => new Promise((_, reject) => { refuseA = reject; }) };
  const a = redrive(syncs, stalled, sync);
  while (!refuseA) await new Promise((resolve) => setTimeout(resolve, 1));
  const now = Date.now;
  Date.now = () => now() + 6 * 60_000;
  try {
    let sendB;
    const slow = { sent: [], send: async () => {}, sendBatch(messages) { return new Promise((resolve) => { sendB = () => resolve(this.sent.push(...messages.map((m) => m.body))); }); } };
    const b = redrive(syncs, slow, sync);
    while (!sendB) await new Promise((resolve) => setTimeout(resolve, 1));
    refuseA(new Error("queue refused"));
    assert.deepEqual((await a).unsent.length, 1, "A's queue refused it");
    const c = await redrive(syncs, queue(), sync);
    assert.deepEqual([c.redriven, c.skipped.map((s) => s.reason)], [0, ["another redrive is sending it"]], "A gave back nothing of B's");
    sendB();
    assert.equal((await b).redriven, 1);
    assert.equal(slow.sent.length, 1);
  } finally {
    Date.now = now;
  }
  const status = await syncStatus(syncs, sync);
  assert.deepEqual([status.enqueued, status.deadLettered, status.redriven], [1, 0, 1]);
});

test("a keyed enqueue made again counts its operations once in the sync", async () => {
  const syncs = namespace(GistSyncs);
  const mock = createMockGist();
  const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0 });
  const user = mock.state.contacts.find((c) => c.type === "user");
  const q = queue();
  const call = () => enqueue(q, [{ recordEvent: { event_name: "nightly", user: { user_id: user.user_id } } }, { upsertUser: { user_id: "x" } }], { progress: syncs, sync: "nightly", key: "delivery-0f3a9c" });
  await call();
  await call();
  await drain(q, client, { deadLetterQueue: queue(), ledger: memoryKv(), progress: syncs });
  assert.equal(mock.state.events.filter((e) => e.name === "nightly").length, 1);
  const status = await syncStatus(syncs, "nightly");
  assert.deepEqual([status.enqueued, status.invalid, status.done, status.pending], [1, 1, 1, 0]);
  // A keyed call of invalid operations alone, made again, counts them once.
  for (let i = 0; i < 3; i++) await enqueue(q, [{ upsertUser: { user_id: "y" } }], { progress: syncs, sync: "nightly", key: "only-invalid" });
  assert.equal((await syncStatus(syncs, "nightly")).invalid, 2);
});

test("a keyed enqueue of n messages costs the sync's object time linear in n", async (t) => {
  // The CPU ms of one keyed /enqueued of n messages, each of one operation, on a fresh object.
  const cpuMs = async (n) => {
    const syncs = new GistSyncs({ storage: memoryStorage() }, {});
    const messages = Array.from({ length: n }, (_, i) => [`nightly:${i}`, 1]);
    const body = JSON.stringify({ operations: n, invalid: 0, messages, call: "nightly" });
    const start = process.cpuUsage();
    const response = await syncs.fetch(new Request("https://sync.invalid/enqueued", { method: "POST", body }));
    const { user, system } = process.cpuUsage(start);
    assert.equal(response.status, 200);
    return (user + system) / 1000;
  };
  const median = async (n) => [await cpuMs(n), await cpuMs(n), await cpuMs(n)].sort((a, b) => a - b)[1];
  await cpuMs(1000);
  const [small, large] = [await median(20_000), await median(80_000)];
  t.diagnostic(`20,000 messages: ${small.toFixed(0)} ms CPU, 80,000: ${large.toFixed(0)} ms (medians of 3)`);
  // Four times the messages: a linear path takes about 4 times as long, one that costs n² 16.
  assert.ok(large < 9 * small, `20,000 messages: ${small.toFixed(0)} ms, 80,000: ${large.toFixed(0)} ms`);
});

test("a redrive of large operations fits in the messages they came in; a body key that is not enqueue's reaches no sync", async () => {
  const { syncs, mock, client, q } = world();
  const big = "x".repeat(4_900);
  const operations = Array.from({ length: 25 }, (_, i) => ({ upsertUser: { user_id: 9_000 + i, custom_properties: { note: big } } }));
  const { sync } = await enqueue(q, operations, { progress: syncs, key: "k".repeat(64) });
  assert.equal(q.sent.length, 1, "one message, near Queues' size");
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 25 });
  await drain(q, client, { deadLetterQueue: queue(), progress: syncs });
  assert.equal((await listDeadLetters(syncs, sync)).length, 25);
  assert.deepEqual(await redrive(syncs, q, sync), { redriven: 25, skipped: [], unsent: [] });
  // Forged bodies: one key reaching into another's dead letters (`a` and `a:1`).
  const forged = (key) => ({ ops: [{ upsertUser: { user_id: 9_100 } }], sync: "forged", key });
  mock.fail({ method: "POST", path: "/contacts", status: 422, times: 2 });
  for (const key of ["a", "a:1"]) await consume({ messages: [{ id: key, body: forged(key), attempts: 1, ack() {}, retry() {} }] }, client, { deadLetterQueue: queue(), progress: syncs });
  await consume({ messages: [{ id: "a", body: forged("a"), attempts: 2, ack() {}, retry() {} }] }, client, { deadLetterQueue: queue(), progress: syncs });
  const status = await syncStatus(syncs, "forged");
  assert.equal((await listDeadLetters(syncs, "forged")).length, status.deadLettered);
});

test("a redriven recordEvent keeps its ledger entry: a delivery of its message that passed while the redrive sent it leaves it unsent", async () => {
  const { syncs, mock, client, q, options } = world();
  const { sync, body } = await deadLetteredEvent(syncs, client, mock, q, options);
  // The redrive's queue is slow; meanwhile Queues delivers the message again (its ack was refused), and it passes.
  let open;
  const slow = { sent: [], send: async () => {}, async sendBatch(messages) { await new Promise((resolve) => { open = resolve; }); this.sent.push(...messages.map((m) => m.body)); } };
  const redriving = redrive(syncs, slow, sync);
  while (!open) await new Promise((resolve) => setTimeout(resolve, 1));
  await consume({ messages: [{ id: "m1", body, attempts: 2, ack() {}, retry() {} }] }, client, options);
  open();
  await redriving;
  await consume({ messages: slow.sent.map((copy, i) => ({ id: `r${i}`, body: copy, attempts: 1, ack() {}, retry() {} })) }, client, options);
  assert.equal(mock.state.events.filter((e) => e.name === "paid").length, 1);
  // A recordEvent whose outcome is unknown, sent again because `resend` names it, does go.
  const again = await deadLetteredEvent(syncs, client, mock, q, options);
  assert.equal(slow.sent.length, 1);
  const copies = queue();
  assert.equal((await redrive(syncs, copies, again.sync)).redriven, 1, "rate_limited: Gist did not act");
  await consume({ messages: copies.sent.map((copy, i) => ({ id: `c${i}`, body: copy, attempts: 1, ack() {}, retry() {} })) }, client, options);
  assert.equal(mock.state.events.filter((e) => e.name === "paid").length, 2);
});

// Runs `body` with Date.now moved by what `step(ms)` adds, as a wall clock that a time sync corrects.
async function withSteppedClock(body) {
  const realNow = Date.now;
  let offset = 0;
  Date.now = () => realNow() + offset;
  try {
    return await body((ms) => { offset += ms; });
  } finally {
    Date.now = realNow;
  }
}

test("GistPacer after the wall clock steps back an hour: permits go at the rate, not an hour later (an outside review: waitMs 3,600,055)", async () => {
  await withSteppedClock(async (step) => {
    const pacer = new GistPacer();
    const ask = async () => (await pacer.fetch(new Request("https://pacer.invalid/permit", { method: "POST", body: JSON.stringify({ requestsPerSecond: 50, maxWaitMs: 25_000 }) }))).json();
    for (let i = 0; i < 3; i++) assert.ok((await ask()).waitMs < 1000);
    step(-3_600_000);
    for (let i = 0; i < 3; i++) {
      const answer = await ask();
      assert.ok(answer.waitMs !== undefined && answer.waitMs < 1000, JSON.stringify(answer));
    }
  });
});

test("GistPacer after the wall clock steps back still spaces its permits at the rate (an outside review: 99 of 100 at once after the step, 888 a second after a 1 s step at 100/s)", async () => {
  for (const back of [3_600_000, 1000, 200]) {
    await withSteppedClock(async (step) => {
      const pacer = new GistPacer();
      const ask = async () => (await pacer.fetch(new Request("https://pacer.invalid/permit", { method: "POST", body: JSON.stringify({ requestsPerSecond: 50, maxWaitMs: 25_000 }) }))).json();
      await ask();
      step(-back);
      const waits = [];
      for (let i = 0; i < 100; i++) waits.push((await ask()).waitMs);
      assert.ok(waits.filter((wait) => wait === 0).length <= 1, `${back} ms back: ${waits.slice(0, 5)}...`);
      assert.ok(waits.at(-1) >= 1900, `${back} ms back: the 100th permit waits ${waits.at(-1)} ms at 50/s`);
    });
  }
});

test("GistPacer's rate, taken down by 429s, stays down when the wall clock steps back an hour and forward again (an outside review: back to 100/s, 99 permits in a second)", async () => {
  await withSteppedClock(async (step) => {
    const pacer = new GistPacer();
    const call = async (path, extra) => (await pacer.fetch(new Request(`https://pacer.invalid${path}`, { method: "POST", body: JSON.stringify({ requestsPerSecond: 100, maxWaitMs: 25_000, ...extra }) }))).json();
    for (let i = 0; i < 40; i++) {
      await call("/permit");
      await call("/report", { answer: { status: 429 } });
      step(1000);
    }
    const low = (await call("/permit")).rate;
    assert.ok(low < 10, `taken down to ${low}/s`);
    step(-3_600_000);
    await call("/permit");
    step(3_601_000);
    const after = (await call("/permit")).rate;
    assert.ok(after < 2 * low + 5, `${low}/s before the steps, ${after}/s after`);
  });
});

test("GistSyncs' rate after the wall clock steps back ten minutes: the work done since counts (before: ratePerSecond 0, etaSeconds null)", async () => {
  await withSteppedClock(async (step) => {
    const syncs = new GistSyncs({ storage: memoryStorage() }, {});
    const post = (path, body) => syncs.fetch(new Request(`https://sync.invalid${path}`, { method: "POST", body: JSON.stringify(body) }));
    const status = async () => (await syncs.fetch(new Request("https://sync.invalid/status"))).json();
    assert.equal((await post("/enqueued", { operations: 1000, invalid: 0 })).status, 200);
    for (let s = 0; s < 5; s++) {
      step(1000);
      await post("/settled", { message: `m${s}`, done: 10, retrying: 0, dead: [] });
    }
    assert.ok((await status()).ratePerSecond > 0);
    step(-600_000);
    for (let s = 5; s < 15; s++) {
      step(1000);
      await post("/settled", { message: `m${s}`, done: 10, retrying: 0, dead: [] });
    }
    const after = await status();
    assert.equal(after.done, 150);
    assert.ok(after.ratePerSecond >= 5, JSON.stringify(after));
    assert.ok(after.etaSeconds > 0, JSON.stringify(after));
  });
});

test("a message whose consumer died after reporting a dead letter, redriven, then delivered again: the operation is listed, counted and redriven once (before: twice)", async () => {
  const syncs = namespace(GistSyncs);
  const mock = createMockGist();
  mock.fail({ method: "POST", path: "/contacts", bodyIncludes: "bad@", status: 422, body: { errors: [{ code: "parameter_invalid", message: "bad" }] }, times: 3 });
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0, logLevel: "off" });
  const q = queue();
  const dlq = queue();
  const { sync } = await enqueue(q, [{ upsertUser: { user_id: 8001, email: "good@example.com" } }, { upsertUser: { user_id: 8002, email: "bad@example.com" } }], { progress: syncs });
  const [first] = q.sent.splice(0);
  const deliver = (id, body, attempts, ack = () => {}) => consume({ messages: [{ id, attempts, body, ack, retry() {} }] }, gist, { deadLetterQueue: dlq, progress: syncs }).catch((e) => e);
  await deliver("M", first, 1, () => { throw new Error("the consumer died before its ack"); });
  assert.equal((await redrive(syncs, q, sync)).redriven, 1);
  const [copy] = q.sent.splice(0);
  await deliver("M", first, 2); // the message again: its operation 8002 fails again
  await deliver("R", copy, 1); // and so does the redriven copy
  const status = await syncStatus(syncs, sync);
  assert.equal(status.deadLettered, 1, JSON.stringify(status));
  assert.ok(status.done + status.deadLettered <= status.enqueued, JSON.stringify(status));
  assert.equal((await listDeadLetters(syncs, sync)).length, 1);
  assert.equal((await redrive(syncs, q, sync)).redriven, 1);
  assert.equal(q.sent.flatMap((body) => body.ops).filter((op) => op.upsertUser?.user_id === 8002).length, 1);
});
