// Findings of the thirty-second round's outside reviews, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./loopback.mjs";
import { recordEventBatch, slowLedger } from "./queued.mjs";
import vm from "node:vm";
import { GistClient, handleWebhook, signWebhook, verifyWebhook } from "gist-wasm";
import { consume, enqueue, pacedFetch } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";

const contact = () => Response.json({ contact: { id: 1003, type: "user", user_id: "5" } });

test("a getter that answers otherwise on each read, or a boxed value whose toStringTag says otherwise, naming a contact is refused, not sent (an outside review: deleteUser deleted contact 1003, then 1005)", async (t) => {
  const sent = [];
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", logLevel: "off", fetch: async (url, init) => (sent.push(`${init.method} ${new URL(url).pathname}`), contact()) });
  t.after(() => gist.free());
  let reads = 0; // JSON's read: a Date; the next: 7; the one after: a Date again
  const changing = { get id() { return ++reads === 2 ? 7 : new Date(1003999); } };
  const disguised = (boxed) => Object.assign(boxed, { [Symbol.toStringTag]: "Id" });
  const refused = [
    () => gist.deleteUser(changing),
    () => gist.deleteUser({ id: disguised(new Number(1005)) }),
    () => gist.fetchUser({ user_id: disguised(new String("5007")) }),
    () => gist.fetchUser({ email: disguised(new String("a@example.com")) }),
  ];
  for (const call of refused) {
    const error = await call().then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", String(call));
  }
  assert.deepEqual(sent, []);
});

test("an argument nested deeper than JSON's own recursion reaches is refused naming the bound, not as circular (outside reviews: past about 5,000 levels)", async (t) => {
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "http://127.0.0.1:9", logLevel: "off" });
  t.after(() => gist.free());
  let deep = 1;
  for (let i = 0; i < 50_000; i++) deep = [deep];
  const error = await gist.recordEvent({ event_name: "x", user: { id: 1 }, properties: { deep } }).then(() => undefined, (e) => e);
  assert.equal(error?.code, "invalid_argument");
  assert.match(error.message, /nests arrays and objects more than 127 deep/);
});

test("a caller's fetch whose answer has no body stream and a text() that resolves no string fails naming it, not the wasm running out of memory (an outside review)", async (t) => {
  const fetch = async () => ({ status: 200, ok: true, headers: new Headers({ "content-type": "application/json" }), body: null, text: async () => ({ tags: [] }) });
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", fetch, maxRetries: 0, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.listTags().then(() => undefined, (e) => e);
  assert.equal(error?.code, "network_error");
  assert.match(error.message, /text\(\) resolved a value of type object, not a string/);
  assert.doesNotMatch(error.message, /WebAssembly|memory/);
});

test("apiCall's write answered 503 whose body stalls till its timeoutMs did not act, as when a signal cuts it (an outside review: mayHaveActed true by the deadline, false by a signal)", async (t) => {
  const server = await startServer((req, res) => void res.writeHead(503, { "content-type": "application/json" }).write("{"));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
  t.after(() => gist.free());
  const request = { url: "/contacts", method: "POST", body: { user_id: 5 } };
  for (const options of [() => ({ timeoutMs: 1500 }), () => ({ signal: AbortSignal.timeout(1500) })]) {
    const error = await gist.apiCall(request, options()).then(() => undefined, (e) => e);
    assert.deepEqual([error?.code, error?.mayHaveActed], ["timeout", false], String(options));
  }
});

test("apiCall's write answered 429 whose body is cut did not act, as Rust says (an outside review of the Rust crate: JS said mayHaveActed true)", async (t) => {
  const server = await startServer((req, res) => {
    res.writeHead(429, { "content-type": "application/json", "content-length": "100" }).write("{");
    setTimeout(() => res.destroy(), 50);
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
  t.after(() => gist.free());
  const error = await gist.apiCall({ url: "/contacts", method: "POST", body: { user_id: 5 } }).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.mayHaveActed, server.requests.length], ["network_error", false, 1]);
});

test("a write whose turn comes past what a wait may take (half its time left) is not sent: a retry in the start line, a place behind maxConcurrent (an outside review: sent with milliseconds left, it acted and timed out)", async (t) => {
  const acted = [];
  let refusedOnce = false;
  const fetch = async (url, init) => {
    if (init.method === "POST" && !refusedOnce) {
      refusedOnce = true;
      return new Response("{}", { status: 429, headers: { "retry-after": "0" } });
    }
    await new Promise((resolve) => setTimeout(resolve, init.method === "GET" ? 900 : 50));
    if (init.signal.aborted) throw init.signal.reason;
    acted.push(init.method);
    return contact();
  };
  // A retry refused with 429 waits for its start behind a read's: due about 980 ms into its 1,000.
  const paced = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", requestsPerSecond: 1000 / 490, timeoutMs: 1000 });
  t.after(() => paced.free());
  const [write] = await Promise.allSettled([paced.createUser({ user_id: 5 }), paced.fetchUser({ id: 1003 }, { timeoutMs: 5000 })]);
  assert.deepEqual([write.reason?.code, write.reason?.mayHaveActed], ["timeout", false]);
  // A write behind a read that holds the one place for 900 ms of its 1,000.
  const held = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", maxConcurrent: 1, timeoutMs: 1000 });
  t.after(() => held.free());
  const read = held.fetchUser({ id: 1003 }, { timeoutMs: 5000 });
  const late = await held.createUser({ user_id: 5 }).then(() => undefined, (e) => e);
  await read;
  assert.deepEqual([late?.code, late?.mayHaveActed], ["timeout", false]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(acted, ["GET", "GET"], "no write acted");
});

test("a recordEvent whose ledger mark takes more than half its time is not sent and is retried, not sent to time out in flight (an outside review: dead-lettered outcome_unknown)", async () => {
  let sent = 0;
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", timeoutMs: 1000, logLevel: "off", fetch: async () => (sent++, Response.json({ event: { id: 1 } })) });
  const verdicts = [];
  await consume(await recordEventBatch(verdicts), gist, { deadLetterQueue: { send: async () => {}, sendBatch: async () => {} }, ledger: slowLedger(700) });
  gist.free();
  assert.deepEqual({ sent, verdicts }, { sent: 0, verdicts: ["retry"] });
});

test("tagContacts with one target JSON cannot hold (a NaN, Infinity, BigInt or Date id) fails that target alone, given back as it was, and tags the rest (an outside review: the whole call was refused)", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "https://api.getgist.com", fetch: mock.fetch, logLevel: "off" });
  t.after(() => gist.free());
  for (const [bad, message] of [[Number("abc"), /users\[1\]\.id must be a finite number, not NaN/], [Infinity, /not Infinity/], [10n, /BigInt/], [new Date(3000), /users\[1\]\.id must be a number, not a Date object/]]) {
    const target = { id: bad };
    const result = await gist.tagContacts({ tag: "vip", users: [{ id: 1001 }, target, { id: 1003 }] });
    assert.equal(result.tagged, 2, String(bad));
    assert.equal(result.failed.length, 1);
    assert.equal(result.failed[0].target, target, "the target as given");
    assert.equal(result.failed[0].error.code, "invalid_argument");
    assert.match(result.failed[0].error.message, message);
  }
  // Queued, such an operation is still invalid whole: a message holds JSON only.
  const queued = await enqueue({ send: async () => {}, sendBatch: async () => {} }, [{ tagContacts: { tag: "vip", users: [{ id: NaN }] } }]);
  assert.deepEqual([queued.operations, queued.invalid.map((i) => i.code)], [0, ["invalid_argument"]]);
});

test("webhook options with a key JSON would not read (not enumerable, or inherited from a parent of the caller's) are refused, not read as absent (an outside review: an HMAC check became a token check)", async () => {
  const secret = "hmac-key-1";
  const body = '{"topic":"user.created","contact":{"id":1}}';
  const unsigned = { "x-gist-webhook-token": secret }; // no signature
  const hidden = Object.defineProperty({ secret }, "scheme", { value: "hmac-sha256", enumerable: false });
  const inherited = Object.assign(Object.create(Object.assign(Object.create(null), { scheme: "hmac-sha256" })), { secret });
  for (const options of [hidden, inherited]) {
    for (const call of [() => verifyWebhook({ body, headers: unsigned }, options), () => signWebhook(body, options),
      () => handleWebhook(new Request("http://receiver.test/", { method: "POST", body, headers: unsigned }), { verify: options })]) {
      const error = await call().then(() => undefined, (e) => e);
      assert.equal(error?.code, "invalid_argument", String(call));
    }
  }
  // Plain options, of this realm or none, still read.
  assert.equal(await verifyWebhook({ body, headers: unsigned }, { secret }), true);
  assert.equal(await verifyWebhook({ body, headers: unsigned }, Object.assign(Object.create(null), { secret })), true);
});

test("a review of this round's fixes: a getter that answers a boxed value to JSON's read and a number after is refused too", async (t) => {
  const sent = [];
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", logLevel: "off", fetch: async (url, init) => (sent.push(`${init.method} ${new URL(url).pathname}`), contact()) });
  t.after(() => gist.free());
  const firstBoxed = (boxed, then) => {
    let reads = 0;
    return () => (++reads === 1 ? boxed : then);
  };
  const id = firstBoxed(new Number(1005), 7);
  const userId = firstBoxed(new String("5007"), "x");
  for (const call of [() => gist.deleteUser({ get id() { return id(); } }), () => gist.createUser({ get user_id() { return userId(); } })]) {
    const error = await call().then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", String(call));
  }
  assert.deepEqual(sent, []);
});

test("a review of this round's fixes: a caller's target that looks like a refused target's marker is not taken for one", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "https://api.getgist.com", fetch: mock.fetch, logLevel: "off" });
  t.after(() => gist.free());
  const bad = { id: NaN };
  const forged = [{ "gist-wasm:unsendable": 0 }, { "gist-wasm:unsendable": "0" }, { "gist-wasm:unsendable": "length" }];
  const result = await gist.tagContacts({ tag: "vip", users: [{ id: 1001 }, bad, ...forged] });
  assert.equal(result.failed.length, 4);
  assert.equal(result.failed.filter((failure) => failure.target === bad).length, 1, "the NaN target once");
  assert.match(result.failed.find((failure) => failure.target === bad).error.message, /not NaN/);
  for (const own of forged) {
    const failure = result.failed.find((f) => JSON.stringify(f.target) === JSON.stringify(own));
    assert.ok(failure, JSON.stringify(own));
    assert.doesNotMatch(failure.error.message, /NaN/);
  }
});

test("a review of this round's fixes: webhook options inheriting a key from a parent that has Object.prototype's names too are refused", async () => {
  const secret = "hmac-key-1";
  const body = '{"topic":"user.created","contact":{"id":1}}';
  const parent = Object.assign(Object.create(null), { isPrototypeOf: Object.prototype.isPrototypeOf, scheme: "hmac-sha256" });
  const options = Object.assign(Object.create(parent), { secret });
  const error = await verifyWebhook({ body, headers: { "x-gist-webhook-token": secret } }, options).then(() => undefined, (e) => e);
  assert.equal(error?.code, "invalid_argument");
});

test("a review of this round's fixes: pacedFetch whose pacer never answers does not spend a call's wait asking: the call fails timeout unsent, not rate_limited, and the next goes by the fallback pacing", async () => {
  const namespace = { idFromName: (name) => name, get: () => ({ fetch: () => new Promise(() => {}) }) };
  let sent = 0;
  const fetch = pacedFetch(namespace, "sk_test_review32", { requestsPerSecond: 10, fetch: async () => (sent++, Response.json({ tags: [] })) });
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", timeoutMs: 3000, maxRetries: 0 });
  const started = performance.now();
  const error = await gist.listTags().then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.mayHaveActed, sent], ["timeout", false, 0]);
  assert.ok(performance.now() - started < 2500, "no longer than its wait");
  // Once an ask has gone unanswered 2 s, the pacer is unreachable: the next call goes by the fallback pacing.
  await new Promise((resolve) => setTimeout(resolve, 2100 - (performance.now() - started)));
  assert.deepEqual(await gist.listTags(), []);
  assert.equal(sent, 1);
  gist.free();
});

test("a second review of this round's fixes: pacedFetch with a healthy pacer slower than one short call's wait fails that call alone, unsent, and keeps asking the pacer for the next", async () => {
  let asks = 0;
  const pacer = { fetch: async () => (asks++, await new Promise((resolve) => setTimeout(resolve, 150)), Response.json({ waitMs: 0 })) };
  const namespace = { idFromName: (name) => name, get: () => pacer };
  let sent = 0;
  const fetch = pacedFetch(namespace, "sk_test_review32", { requestsPerSecond: 10, fetch: async () => (sent++, Response.json({ tags: [] })) });
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", maxRetries: 0 });
  for (let i = 0; i < 5; i++) {
    const error = await gist.listTags({}, { timeoutMs: 200 }).then(() => undefined, (e) => e);
    assert.deepEqual([error?.code, error?.mayHaveActed], ["timeout", false], `short call ${i}`);
  }
  assert.equal(sent, 0);
  const started = performance.now();
  for (let i = 0; i < 3; i++) assert.deepEqual(await gist.listTags({}, { timeoutMs: 10_000 }), []);
  assert.equal(sent, 3);
  assert.equal(asks, 8, "each call asked the pacer");
  assert.ok(performance.now() - started < 900, "paced by the pacer, not the fallback's tenth of the rate");
  gist.free();
});

test("a second review of this round's fixes: a Number object JSON would write as null, and a collection whose toStringTag says otherwise, are refused, not written as null or {}", async (t) => {
  const sent = [];
  const fetch = async (url, init) => {
    if (init.method === "GET") return Response.json({ contact: { id: 1, type: "user" } });
    sent.push(init.body);
    return Response.json({ event: { id: 1 } });
  };
  const gist = new GistClient({ apiKey: "sk_test_review32", baseUrl: "https://api.getgist.com", logLevel: "off", fetch });
  t.after(() => gist.free());
  class Registry extends Map {
    get [Symbol.toStringTag]() {
      return "Registry";
    }
  }
  const renamed = (value) => Object.defineProperty(value, Symbol.toStringTag, { value: "Thing" });
  for (const value of [new Number(NaN), new Number(Infinity), { toJSON: () => new Number(NaN) }, new Registry([["plan", "pro"]]), renamed(new Set([1])), renamed(new ArrayBuffer(4))]) {
    const error = await gist.recordEvent({ event_name: "x", user: { id: 1 }, properties: { v: value } }).then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", String(value));
  }
  assert.deepEqual(sent, []);
  // A Number object that is finite is written as its number, as JSON writes it.
  await gist.recordEvent({ event_name: "x", user: { id: 1 }, properties: { v: new Number(3) } });
  assert.match(sent[0], /"v":3/);
});

test("a second review of this round's fixes: tagContacts whose every target JSON cannot hold is refused saying why, not naming the marker", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "https://api.getgist.com", fetch: mock.fetch, logLevel: "off" });
  t.after(() => gist.free());
  for (const [users, message] of [[[NaN], /request\.users\[0\] must be a finite number, not NaN/], [[{ id: NaN }, { id: Infinity }], /request\.users\[0\]\.id must be a finite number, not NaN/]]) {
    const error = await gist.tagContacts({ tag: "vip", users }).then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument");
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /unsendable/);
  }
});

test("a second review of this round's fixes: webhook options from a realm whose Object.prototype has a polyfill's method, or after a library added a key to this realm's, still verify", async (t) => {
  const body = '{"topic":"x"}';
  const headers = await signWebhook(body, { secret: "s3cret" });
  const other = vm.runInNewContext('Object.defineProperty(Object.prototype, "hasOwnPropertyDeep", { value() {}, configurable: true }); ({ secret: "s3cret" })');
  assert.equal(await verifyWebhook({ body, headers }, other), true);
  Object.defineProperty(Object.prototype, "should", { get() { return this; }, configurable: true });
  t.after(() => delete Object.prototype.should);
  assert.equal(await verifyWebhook({ body, headers }, { secret: "s3cret" }), true);
});
