// Findings of outside reviews (2026-12-07, thirtieth round), and what the last round left untested, in Node
// through the built package.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startServer } from "./loopback.mjs";

const installed = fileURLToPath(new URL("../../node_modules/gist-wasm/", import.meta.url));
// The package's internals, in one module graph (one wasm instance): the core's calls are kept in a table
// the runtime drives by id. The entry first: it starts the wasm.
await import(`${installed}index.js`);
const { Core, callEnd, callRespond } = await import(`${installed}gist_wasm.js`);
const { startCall, stepOf } = await import(`${installed}runtime.js`);
const { GistClient } = await import(`${installed}index.js`);

test("a call of the core driven past its end says so with a GistError step, and the calls beside it go on", () => {
  const core = new Core(JSON.stringify({ apiKey: "k" }), false, undefined);
  const contact = (id) => `{"contact":{"id":${id},"type":"user"}}`;
  const ended = startCall(core, "fetchUser", JSON.stringify([{ id: 1001 }]), "null", { started: Date.now() });
  const running = startCall(core, "fetchUser", JSON.stringify([{ id: 1002 }]), "null", { started: Date.now() });
  try {
    assert.ok(stepOf(ended.first).send && stepOf(running.first).send, "each asks for its request first");
    callEnd(ended.id);
    const late = stepOf(callRespond(ended.id, 200, "content-type\napplication/json", contact(1001), Date.now(), 0.5));
    assert.equal(late.error?.code, "invalid_argument");
    assert.match(late.error.message, /this call has ended/);
    const answered = stepOf(callRespond(running.id, 200, "content-type\napplication/json", contact(1002), Date.now(), 0.5));
    assert.equal(answered.error, undefined);
    assert.equal(answered.done?.id, 1002, "the call beside it ends with its own answer");
  } finally {
    callEnd(running.id);
    core.free();
  }
});

test("a Retry-After too large for a double is a very long wait, as one of a day: a refused write is not retried at once (an outside review: sent three times in half a second)", async (t) => {
  let retryAfter;
  const server = await startServer((req, res) => res.writeHead(429, { "content-type": "application/json", "retry-after": retryAfter }).end('{"errors":[{"code":"rate_limited","message":"slow down"}]}'));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  for (const written of ["1e309", "9".repeat(309)]) {
    server.requests.length = 0;
    retryAfter = written;
    const refused = await gist.createUser({ user_id: 42 }, { timeoutMs: 10_000 }).then(() => undefined, (error) => error);
    assert.equal(refused?.code, "rate_limited", written);
    assert.equal(refused.retryAfter, 86_400, written);
    assert.equal(refused.mayHaveActed, false, written);
    assert.equal(server.requests.length, 1, written);
  }
});

test("a status past 999 from a caller's fetch is invalid_response, as one past 599, and not retried (an outside review: network_error, the GET sent three times; 65,736 is not read as 200)", async () => {
  for (const status of [600, 1000, 65_535, 65_736, 2 ** 40]) {
    let requests = 0;
    const fetch = async () => {
      requests += 1;
      return { status, headers: new Headers({ "content-type": "application/json" }), body: null, text: async () => '{"contact":{"id":1,"type":"user"}}' };
    };
    const gist = new GistClient({ apiKey: "gK7live9Qw2ErT5yU1iO3pAzXc4Vb6Nm8Lk0Jh2", baseUrl: "http://gist.test", fetch, logLevel: "off" });
    const error = await gist.fetchUser({ id: 1 }).then(() => "resolved", (e) => e);
    gist.free();
    assert.equal(error?.code, "invalid_response", String(status));
    assert.equal(requests, 1, String(status));
  }
});

test("a write refused with a Retry-After that leaves its retry a sliver of the deadline is not retried: it ends rate_limited, not acted (an outside review: sent with 20 ms left, it acted and the call said timeout)", async (t) => {
  const server = await startServer((req, res) => {
    if (server.requests.length === 1) return res.writeHead(429, { "content-type": "application/json", "retry-after": "0.95" }).end('{"errors":[{"code":"rate_limited","message":"slow down"}]}');
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"contact":{"id":7,"type":"user","user_id":"42"}}'), 50);
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  const refused = await gist.createUser({ user_id: 42 }, { timeoutMs: 1000 }).then(() => undefined, (error) => error);
  assert.equal(refused?.code, "rate_limited");
  assert.equal(refused.mayHaveActed, false);
  assert.equal(server.requests.length, 1);
  // With the time to spare, the same write is retried and goes through.
  server.requests.length = 0;
  const user = await gist.createUser({ user_id: 42 }, { timeoutMs: 5000 });
  assert.equal(user.id, 7);
  assert.equal(server.requests.length, 2);
});

test("a Date past the year 5138 is refused with the bound it passes, not only the advice for milliseconds (an outside review: told to divide a Date by 1000)", async () => {
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", logLevel: "off" });
  try {
    for (const call of [() => gist.createUser({ user_id: 1, signed_up_at: new Date("6000-01-01") }), () => gist.recordEvent({ event_name: "x", user: { id: 1 }, occurred_at: new Date("6000-01-01") })]) {
      const refused = await call().then(() => undefined, (error) => error);
      assert.equal(refused?.code, "invalid_argument");
      assert.match(refused.message, /must be Unix seconds up to 10\^11 \(the year 5138\)/);
    }
  } finally {
    gist.free();
  }
});

// Node's fake timers as a test runner gives them (Date and setTimeout faked, performance.now real), and a
// client at 10 starts a second over the mock: each request's fake time since the start is pushed on `sent`.
async function pacedUnderFakeTimers(t) {
  const { createMockGist } = await import(`${installed}mock.js`);
  const gistMock = createMockGist();
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_700_000_000_000 });
  t.after(() => mock.timers.reset());
  const started = Date.now();
  const sent = [];
  const fetch = (input, init) => {
    sent.push(Date.now() - started);
    return gistMock.fetch(input, init);
  };
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "https://api.getgist.com", fetch, requestsPerSecond: 10, maxConcurrent: 100, logLevel: "off" });
  t.after(() => gist.free());
  return { gist, id: gistMock.state.contacts[0].id, sent };
}

test("under a test's fake timers (Date and setTimeout faked, performance.now real), calls that keep coming still start at requestsPerSecond (an outside review of this round's fix: each newcomer pushed the line's timer back, and the line stood for a second)", async (t) => {
  const { gist, id, sent } = await pacedUnderFakeTimers(t);
  const settle = async () => {
    for (let k = 0; k < 4; k++) await new Promise((resolve) => setImmediate(resolve));
  };
  const outcomes = [];
  // One call each 50 fake ms for 2 s, at 10 starts a second: one start each 100 ms.
  for (let at = 0; at < 2000; at += 10) {
    if (at % 50 === 0) outcomes.push(gist.fetchUser({ id }, { timeoutMs: 2000 }).then(() => "ok", (error) => error.code));
    mock.timers.tick(10);
    await settle();
  }
  const gaps = sent.slice(1).map((at, i) => at - sent[i]);
  assert.ok(sent.length >= 19, `sent at ${sent.join(", ")}`);
  assert.ok(Math.max(...gaps) <= 150, `sent at ${sent.join(", ")}`);
  for (let at = 0; at < 5000; at += 10) {
    mock.timers.tick(10);
    await settle();
  }
  assert.equal((await Promise.all(outcomes)).filter((outcome) => outcome === "ok").length, sent.length);
});

test("under a test's fake timers whose real time runs ahead of its fake time (a slow loop), requestsPerSecond starts no faster than its rate (an outside review: 25 starts in a fake second at 10)", async (t) => {
  const { gist, id, sent } = await pacedUnderFakeTimers(t);
  const busy = (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const outcomes = [];
  // A call each 20 fake ms for 1.2 fake s, each 5 fake ms taking 10 real ms.
  for (let at = 0; at < 1200; at += 5) {
    if (at % 20 === 0) outcomes.push(gist.fetchUser({ id }, { timeoutMs: 60_000 }).catch(() => {}));
    mock.timers.tick(5);
    busy(10);
    for (let k = 0; k < 4; k++) await new Promise((resolve) => setImmediate(resolve));
  }
  const most = Math.max(...sent.map((at) => sent.filter((other) => other >= at && other < at + 1000).length));
  assert.ok(most <= 12, `${most} starts within a fake second at 10 a second: sent at ${sent.join(", ")}`);
  assert.ok(sent.length >= 10, `sent at ${sent.join(", ")}`);
});

test("a key with a quote or backslash and a %HH is scrubbed from a raw JSON text that echoes it escaped, as gist-wasm check records answers (an outside review: check --record wrote it)", () => {
  for (const key of ['gk_"live%41_Q9xT7vB1', "gk_\\live%2F_Q9xT7vB1"]) {
    const escaped = JSON.stringify(key).slice(1, -1);
    const gist = new GistClient({ apiKey: key, baseUrl: "http://127.0.0.1:9", logLevel: "off" });
    const scrubbed = gist[Symbol.for("gist-wasm.scrub")](`{"errors":[{"message":"no key ${escaped} here"}],"${escaped}":1}`);
    gist.free();
    assert.equal(scrubbed, '{"errors":[{"message":"no key [redacted] here"}],"[redacted]":1}');
  }
});

test("the mock refuses a contact whose phone is an object before it stores anything (an outside review: the refused create was stored, unindexed, and a second made a duplicate)", async () => {
  const { createMockGist } = await import(`${installed}mock.js`);
  const mock = createMockGist();
  const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
  const post = (body) => mock.fetch("http://mock.test/contacts", { method: "POST", headers, body: JSON.stringify(body) });
  const existing = mock.state.contacts[0];
  const before = JSON.stringify(existing);
  for (const body of [{ email: "new@example.com", phone: { toString: 5 } }, { id: existing.id, name: "changed", phone: { toString: 5 } }]) {
    const refused = await post(body);
    assert.equal(refused.status, 422);
  }
  assert.equal(mock.state.contacts.filter((c) => c.email === "new@example.com").length, 0);
  assert.equal(JSON.stringify(existing), before, "the refused update changed nothing");
  assert.equal((await post({ email: "new@example.com", name: "second" })).status, 200);
  assert.equal(mock.state.contacts.filter((c) => c.email === "new@example.com").length, 1);
});
