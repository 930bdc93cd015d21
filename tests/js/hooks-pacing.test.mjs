// What a caller's hooks and logger can do to a client, and the deadlines pacing must keep: each test is a
// reproduction from an outside review of the built package (in Node, against the in-memory mock or a
// loopback server).
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GistClient, GistError } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { closedPort, json, startServer } from "./loopback.mjs";
import { inFreshNode } from "./fresh-node.mjs";

const KEY = "mock-key-hooks-5c1e";

function client(options = {}) {
  const mock = createMockGist({ apiKey: KEY });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0, logLevel: "off", ...options });
  return { gist, mock };
}

// Runs `work` and resolves the reasons of the rejections it left unhandled (a crash, where Node's default
// --unhandled-rejections=throw is in force).
async function unhandledDuring(work) {
  const reasons = [];
  const listener = (reason) => reasons.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return reasons;
}

// What a hook or a logger method can throw or reject with, beyond an Error.
const THROWN = {
  "an Error": () => new Error("hook failed for ada@example.com"),
  undefined: () => undefined,
  null: () => null,
  "a Symbol": () => Symbol("thrown"),
  "an object with no prototype": () => Object.create(null),
  "an object whose message getter throws": () => ({ get message() { throw new Error("getter"); } }),
  "a Proxy whose traps throw": () => new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } }),
};

test("a hook or logger method that throws or rejects, with anything, is ignored: the call resolves, nothing is unhandled", async () => {
  for (const [what, make] of Object.entries(THROWN)) {
    for (const style of ["throws", "rejects", "returns a thenable whose then throws"]) {
      const fail = () => {
        if (style === "throws") throw make();
        if (style === "rejects") return Promise.reject(make());
        return { get then() { throw make(); } };
      };
      const hooks = { request: fail, response: fail, retry: fail };
      const logger = { debug: fail, info: fail, warn: fail, error: fail };
      const reasons = await unhandledDuring(async () => {
        const { gist, mock } = client({ hooks, logger, logLevel: "debug", maxRetries: 1 });
        mock.fail({ status: 503, headers: { "retry-after": "0" }, times: 1 });
        const tags = await gist.listTags({ limit: 1 });
        assert.ok(Array.isArray(tags), `${what}, ${style}`);
      });
      assert.deepEqual(reasons.map(String), [], `a hook that ${style} ${what} left an unhandled rejection`);
    }
  }
});

test("a hook that throws is logged at error, scrubbed of emails and of the key, and the call goes on", async () => {
  const lines = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (line) => lines.push(line) };
  const { gist } = client({ logger, logLevel: "error", hooks: { response: () => { throw new Error(`lost ada@example.com with ${KEY}`); } } });
  await gist.listTags({ limit: 1 });
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /the response hook threw \(ignored\)/);
  assert.ok(!lines[0].includes("ada@example.com") && !lines[0].includes(KEY), lines[0]);

  const silent = [];
  const quiet = { debug: (line) => silent.push(line), info: (line) => silent.push(line), warn: (line) => silent.push(line), error: (line) => silent.push(line) };
  const off = client({ logger: quiet, logLevel: "off", hooks: { response: () => { throw new Error("lost"); } } });
  await off.gist.listTags({ limit: 1 });
  assert.deepEqual(silent, [], "logLevel off logs nothing, a throwing hook's error included");
});

test("a request hook that throws never wedges the client's concurrency slots", async () => {
  for (const make of Object.values(THROWN)) {
    const { gist } = client({ maxConcurrent: 1, timeoutMs: 1000, hooks: { request: () => { throw make(); } } });
    for (let i = 0; i < 3; i++) {
      const tags = await gist.listTags({ limit: 1 });
      assert.ok(Array.isArray(tags));
    }
  }
});

test("hooks, logger and options that cannot be read are refused at construction with a GistError", () => {
  const trap = () => { throw new Error("trap"); };
  const hostile = {
    "hooks as a Proxy whose ownKeys throws": { hooks: new Proxy({}, { ownKeys: trap }) },
    "hooks as a Proxy whose get throws": { hooks: new Proxy({ request() {} }, { get: trap }) },
    "a hook behind a throwing getter": { hooks: { get request() { return trap(); } } },
    "hooks as a revoked Proxy": { hooks: (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })() },
    "logger as a Proxy whose get throws": { logger: new Proxy({}, { get: trap }) },
    "a logger method behind a throwing getter": { logger: { get error() { return trap(); } }, logLevel: "error" },
    "logger with a method that is not a function": { logger: { debug: 1, info() {}, warn() {}, error() {} } },
    "logLevel as a Symbol": { logLevel: Symbol("debug") },
    // What would read as an object with no functions, and so do nothing.
    "hooks as a Map": { hooks: new Map([["request", () => {}]]) },
    "hooks as an array": { hooks: [() => {}] },
    "hooks as a Promise": { hooks: Promise.resolve({}) },
    "logger as a Map": { logger: new Map() },
    "logger as an array": { logger: [] },
  };
  for (const [what, options] of Object.entries(hostile)) {
    assert.throws(() => new GistClient({ apiKey: KEY, ...options }), (e) => e instanceof GistError && e.code === "invalid_argument", what);
  }
  // A logger that is a class instance (pino's, winston's) is taken.
  class Logger { debug() {} info() {} warn() {} error() {} }
  assert.ok(new GistClient({ apiKey: KEY, logger: new Logger(), hooks: Object.create({ request() {} }) }));
});

test("hooks and log lines never get a query, even from apiCall's url", async () => {
  const seen = [];
  const logger = { debug: (l) => seen.push(l), info: (l) => seen.push(l), warn: (l) => seen.push(l), error: (l) => seen.push(l) };
  const hooks = { request: (i) => seen.push(i.path), response: (i) => seen.push(i.path) };
  const { gist } = client({ hooks, logger, logLevel: "debug" });
  await gist.apiCall({ url: "/tags?email=ada@example.com&k=secret-value" });
  await gist.apiCall({ url: "/tags", query: { k: "v", email: "ada@example.com" } });
  const down = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: () => Promise.reject(new TypeError("down")), maxRetries: 0, hooks, logger, logLevel: "debug" });
  const error = await down.apiCall({ url: "/nothing-here?email=ada@example.com&k=v" }).catch((e) => e);
  assert.equal(error.code, "network_error");
  assert.equal(error.path, "/nothing-here");
  assert.ok(seen.length >= 9, seen.join("\n"));
  for (const text of seen) assert.ok(!/[?]|secret-value|k=v|\[email\]|ada/.test(text), text);
  // An email in a header of the caller's is not in the request hook's headers either.
  const shown = [];
  const watched = client({ hooks: { request: (info) => shown.push(info.headers) } });
  await watched.gist.apiCall({ url: "/tags", headers: { "x-user": "ada.lovelace@example.com" } });
  assert.deepEqual(shown.map((headers) => headers["x-user"]), ["[email]"]);
  // Nor in a header's name, where an @ can only be percent-encoded.
  await watched.gist.apiCall({ url: "/tags", headers: { "x-ada.lovelace%40example.com": "1" } });
  const names = Object.keys(shown.at(-1)).join(" ");
  assert.ok(!/lovelace|example/.test(names), names);
});

// The heap after a full garbage collection.
function heapAfterGc() {
  setFlagsFromString("--expose-gc");
  runInNewContext("gc")();
  return process.memoryUsage().heapUsed;
}

test("pacing and retry waits keep no memory once they are over", async () => {
  const fetch = async () => new Response("[]", { status: 200, headers: { "content-type": "application/json" } });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, requestsPerSecond: 1_000_000, logLevel: "off" });
  const retrying = client({ maxRetries: 1 });
  const round = async () => {
    for (let i = 0; i < 2000; i++) {
      await Promise.all(Array.from({ length: 5 }, () => gist.apiCall({ url: "/tags" })));
    }
    for (let i = 0; i < 1000; i++) {
      retrying.mock.fail({ status: 503, headers: { "retry-after": "0" }, times: 1 });
      await retrying.gist.apiCall({ url: "/tags" });
    }
  };
  await round();
  const before = heapAfterGc();
  await round();
  const grown = heapAfterGc() - before;
  // 11,000 waits: 0.6 KB each was kept before the fix (6.6 MB).
  assert.ok(grown < 1.5 * 1024 * 1024, `the heap grew ${(grown / 1024 / 1024).toFixed(1)} MB over 11,000 waits`);
});

test("calls each given its own combined or timeout signal keep none of them once they are over", async () => {
  // A signal keeps no listener of a call that ended: one on an AbortSignal.any or AbortSignal.timeout
  // signal keeps it (and what the listener holds) alive. The runtime keeps such signals a while itself,
  // listened to or not: the calls may keep no more than making the same signals does.
  const fetch = async () => Response.json({ tags: [] });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxConcurrent: 4, logLevel: "off" });
  const longLived = new AbortController();
  const signals = () => [AbortSignal.any([longLived.signal]), AbortSignal.timeout(3_600_000)];
  const grownBy = async (work) => {
    await work();
    const before = heapAfterGc();
    await work();
    return heapAfterGc() - before;
  };
  const made = await grownBy(async () => {
    for (let i = 0; i < 5000; i++) signals();
  });
  const called = await grownBy(async () => {
    for (let i = 0; i < 5000; i++) {
      for (const signal of signals()) await gist.apiCall({ url: "/tags" }, { signal });
    }
  });
  // 10,000 calls: about 2 KB each was kept before the fix (19 MB more than the signals alone).
  const MB = 1024 * 1024;
  assert.ok(called - made < 3 * MB, `10,000 calls kept ${((called - made) / MB).toFixed(1)} MB more than their signals alone (${(made / MB).toFixed(1)} MB)`);
});

test("under pacing, no call outlives its deadline and no request is sent after it", { timeout: 20_000 }, async () => {
  const server = await startServer((req, res) => json(res, 200, []));
  try {
    const TIMEOUT = 2000;
    const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxConcurrent: 300, requestsPerSecond: 50, timeoutMs: TIMEOUT, maxRetries: 0, logLevel: "off" });
    const arrivals = [];
    const originalPush = server.requests.push.bind(server.requests);
    server.requests.push = (request) => { arrivals.push(Date.now()); return originalPush(request); };
    const started = Date.now();
    const calls = Array.from({ length: 300 }, () =>
      gist.apiCall({ url: "/tags" }).then(() => ({ ok: true, at: Date.now() }), (error) => ({ code: error.code, at: Date.now() })));
    const lastDeadline = Date.now() + TIMEOUT; // every call's deadline is at or before it
    const settled = await Promise.all(calls);
    const latest = Math.max(...settled.map((s) => s.at)) - started;
    // A request sent just before its deadline takes a moment to arrive, more on a loaded machine (before the
    // fix, two thirds of them came up to 4 s late).
    const late = arrivals.filter((at) => at > lastDeadline + 250);
    const ok = settled.filter((s) => s.ok).length;
    assert.ok(latest <= TIMEOUT + 1000, `the last call settled ${latest} ms after the start, past its ${TIMEOUT} ms deadline`);
    assert.equal(late.length, 0, `${late.length} requests reached the server after their call's deadline`);
    assert.ok(ok >= 40 && ok <= 110, `${ok} calls succeeded at 50 a second within 2 s`);
    assert.ok(settled.every((s) => s.ok || s.code === "timeout"), JSON.stringify(settled.filter((s) => !s.ok && s.code !== "timeout")));
    // A request sent just before its call's deadline may be answered after it: that call is a timeout.
    assert.ok(server.requests.length >= ok && server.requests.length <= ok + 5, `${server.requests.length} requests for ${ok} successes`);
  } finally {
    await server.close();
  }
});

test("requests waiting for a place see a rate-limit pause set meanwhile: none is sent before the reset", async () => {
  const mock = createMockGist({ apiKey: KEY });
  const sends = [];
  const fetch = async (url, init) => {
    sends.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 30));
    return mock.fetch(url, init);
  };
  const reset = Math.ceil((Date.now() + 5000) / 1000);
  mock.fail({ status: 200, body: { tags: [] }, headers: { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxConcurrent: 1, maxRetries: 0, logLevel: "off" });
  const outcomes = await Promise.all([0, 1, 2, 3].map(() => gist.listTags({ limit: 1 }, { timeoutMs: 1500 }).then(() => "ok", (error) => error)));
  assert.equal(outcomes[0], "ok");
  for (const error of outcomes.slice(1)) {
    assert.ok(error instanceof GistError && error.code === "rate_limited", String(error));
    assert.equal(error.mayHaveActed, false, "not sent");
  }
  assert.equal(sends.length, 1, "one request, before the pause");
});

test("a call held by a rate-limit pause of a day says retryAfter of at most a day (86,400 s), as documented", async () => {
  const mock = createMockGist({ apiKey: KEY });
  mock.fail({ status: 200, body: { tags: [] }, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "86400" } });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0, logLevel: "off" });
  await gist.listTags({ limit: 1 });
  const held = await gist.listTags({ limit: 1 }).catch((error) => error);
  assert.deepEqual([held.code, held.mayHaveActed], ["rate_limited", false]);
  assert.ok(held.retryAfter > 86_000 && held.retryAfter <= 86_400, String(held.retryAfter));
});

test("a call's error says whether a write of it may have been acted on", async () => {
  const { gist } = client({ requestsPerSecond: 1, timeoutMs: 1200 });
  const results = await Promise.allSettled([0, 1, 2].map(() => gist.createTag(`paced-${Math.random()}`)));
  const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason);
  assert.ok(refused.length >= 1);
  for (const error of refused) assert.deepEqual([error.code, error.mayHaveActed], ["timeout", false], "held by pacing");
  const hung = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: () => new Promise(() => {}), timeoutMs: 200, maxRetries: 0, logLevel: "off" });
  const timedOut = await hung.createTag("x").catch((error) => error);
  assert.deepEqual([timedOut.code, timedOut.mayHaveActed], ["timeout", true], "a write that went and got no answer");
  const read = await hung.listTags().catch((error) => error);
  assert.deepEqual([read.code, read.mayHaveActed], ["timeout", false], "a read changes nothing");
  // A write refused with a 503 (Gist did not act), whose retry pacing then holds past the deadline.
  const mock = createMockGist({ apiKey: KEY });
  mock.fail({ status: 503, method: "POST", times: 1, headers: { "retry-after": "0" } });
  const slow = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, requestsPerSecond: 1, timeoutMs: 600, logLevel: "off" });
  const retried = await slow.createTag("held").catch((error) => error);
  assert.deepEqual([retried.code, retried.mayHaveActed], ["timeout", false], "refused, then never sent again");
  assert.equal(mock.state.tags.some((tag) => tag.name === "held"), false);
});

test("a write whose connection the runtime's fetch could not make did not act and is retried; one reset after it was sent is neither; a caller's fetch is not taken at its word", async (t) => {
  const sent = [];
  const hooks = { request: (info) => sent.push(info.method) };
  const refusedUrl = `http://127.0.0.1:${await closedPort()}`;
  const refused = new GistClient({ apiKey: KEY, baseUrl: refusedUrl, hooks, maxRetries: 1, logLevel: "off" });
  const error = await refused.createTag("never sent").catch((e) => e);
  assert.deepEqual([error.code, error.mayHaveActed, error.cause?.code], ["network_error", false, "ECONNREFUSED"], String(error));
  assert.deepEqual(sent, ["POST", "POST"], "retried once: nothing of it was sent");
  // A fetch of the caller's, such as one that retries by itself, may have sent the request before the
  // error it throws: its ECONNREFUSED is a network error like another.
  sent.length = 0;
  const counted = (url, init) => {
    sent.push(init.method);
    return fetch(url, init);
  };
  const options = { apiKey: KEY, fetch: counted, maxRetries: 1, logLevel: "off" };
  const wrapped = await new GistClient({ ...options, baseUrl: refusedUrl }).createTag("maybe sent").catch((e) => e);
  assert.deepEqual([wrapped.code, wrapped.mayHaveActed, wrapped.cause?.code], ["network_error", true, "ECONNREFUSED"], String(wrapped));
  assert.deepEqual(sent, ["POST"], "not retried");
  // The server reads the request, then resets the connection (ECONNREFUSED's neighbour, ECONNRESET).
  const server = await startServer((req) => req.socket.resetAndDestroy());
  t.after(() => server.close());
  sent.length = 0;
  const reset = await new GistClient({ ...options, baseUrl: server.url }).createTag("sent").catch((e) => e);
  assert.deepEqual([reset.code, reset.mayHaveActed, reset.cause?.code], ["network_error", true, "ECONNRESET"], String(reset));
  assert.deepEqual(sent, ["POST"], "not retried");
});

test("a call aborted before its start leaves that start to the next call", async () => {
  const { gist } = client({ requestsPerSecond: 5 });
  await gist.listTags({ limit: 1 });
  // Ten calls wait for starts 200 ms apart (six of them holding a place), and are aborted after 50 ms.
  const controller = new AbortController();
  const given = Array.from({ length: 10 }, () => gist.listTags({ limit: 1 }, { signal: controller.signal }).catch((error) => error.code));
  await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
  assert.deepEqual(new Set(await Promise.all(given)), new Set(["aborted"]));
  const started = Date.now();
  await gist.listTags({ limit: 1 });
  const waited = Date.now() - started;
  assert.ok(waited < 600, `waited ${waited} ms for the starts of calls aborted`);
});

test("calls that give up their start under requestsPerSecond move those behind them up: the rest go at the rate", async () => {
  // Before: each call booked its start ahead; those behind kept theirs, so ten calls left behind 50 that
  // gave up waited for starts 2.5 s ahead while nothing was sent.
  const mock = createMockGist({ apiKey: KEY });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, requestsPerSecond: 20, maxConcurrent: 100, maxRetries: 0, logLevel: "off" });
  const controller = new AbortController();
  const started = Date.now();
  const givenUp = Array.from({ length: 50 }, () => gist.listTags({ limit: 1 }, { signal: controller.signal }).catch((error) => error.code));
  const left = Array.from({ length: 10 }, () => gist.listTags({ limit: 1 }).then(() => Date.now() - started));
  await new Promise((resolve) => setTimeout(resolve, 30));
  controller.abort();
  const abortedAt = Date.now() - started;
  // Starts fall every 50 ms from the first; those whose start passed before the abort went (a loaded
  // machine fires the 30 ms timer late).
  const sent = (await Promise.all(givenUp)).filter((code) => code !== "aborted").length;
  assert.ok(sent <= 1 + Math.floor(abortedAt / 50), `${sent} of the calls given up at ${abortedAt} ms were sent`);
  const ended = Math.max(...(await Promise.all(left)));
  assert.ok(ended - abortedAt < 1500, `the ten calls left ended ${ended - abortedAt} ms after the abort; at 20 a second they need about 550`);
});

test("a start given up in the middle of the schedule goes to the next call, never beside another start", async () => {
  const mock = createMockGist({ apiKey: KEY });
  const starts = [];
  const fetch = (url, init) => {
    starts.push(performance.now());
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, requestsPerSecond: 2, maxRetries: 0, logLevel: "off" });
  // Four calls booked 500 ms apart; the second is aborted before its start, then a fifth call comes.
  const controller = new AbortController();
  const calls = [0, 1, 2, 3].map((i) => gist.listTags({ limit: 1 }, i === 1 ? { signal: controller.signal } : {}).catch((e) => e.code));
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  assert.equal(await calls[1], "aborted");
  calls.push(gist.listTags({ limit: 1 }));
  await Promise.all(calls);
  const gaps = starts.slice(1).map((at, i) => at - starts[i]);
  assert.equal(starts.length, 4);
  assert.ok(gaps.every((gap) => gap >= 450), `starts ${gaps.map(Math.round).join(", ")} ms apart; spacing is 500`);
  // A freed start that has passed is no start: a call that comes later (at 800 ms, between the freed 500
  // and the booked 1000) waits for one.
  starts.length = 0;
  const fresh = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, requestsPerSecond: 2, maxRetries: 0, logLevel: "off" });
  const late = new AbortController();
  const again = [fresh.listTags({ limit: 1 }), fresh.listTags({ limit: 1 }, { signal: late.signal }).catch((e) => e.code), fresh.listTags({ limit: 1 })];
  await new Promise((resolve) => setTimeout(resolve, 100));
  late.abort();
  await new Promise((resolve) => setTimeout(resolve, 700));
  again.push(fresh.listTags({ limit: 1 }));
  await Promise.all(again);
  const times = [...starts].sort((x, y) => x - y);
  const spaced = times.slice(1).map((at, i) => at - times[i]);
  assert.ok(spaced.every((gap) => gap >= 450), `starts ${spaced.map(Math.round).join(", ")} ms apart; spacing is 500`);
});

test("requestsPerSecond under a clock that stands still (a test's fake Date) waits once per start, never for ever", { timeout: 5000 }, async () => {
  const { gist } = client({ requestsPerSecond: 10 });
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  try {
    for (let i = 0; i < 3; i++) await gist.listTags({ limit: 1 });
  } finally {
    Date.now = realNow;
  }
});

test("requestsPerSecond under a clock that stands still, with many calls waiting at once, lets them go at about half its rate from the first (a review: waiters' own checks held the first 3 s)", { timeout: 10_000 }, async () => {
  const mock = createMockGist({ apiKey: KEY });
  const started = performance.now();
  const sentAt = [];
  const fetch = (url, init) => (sentAt.push(performance.now() - started), mock.fetch(url, init));
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxRetries: 0, logLevel: "off", requestsPerSecond: 20, maxConcurrent: 50, timeoutMs: 4000 });
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  try {
    await Promise.allSettled(Array.from({ length: 60 }, () => gist.listTags({ limit: 1 })));
  } finally {
    Date.now = realNow;
  }
  assert.ok(sentAt[0] < 500, `the first went after ${Math.round(sentAt[0])} ms`);
  assert.ok(sentAt.length >= 30, `${sentAt.length} of 60 went within 4 s at 20 a second`);
});

test("requestsPerSecond after the wall clock is set back an hour (NTP) still lets calls go at its pace", { timeout: 5000 }, async () => {
  const { gist } = client({ requestsPerSecond: 5 });
  await gist.listTags({ limit: 1 });
  const realNow = Date.now;
  Date.now = () => realNow() - 60 * 60 * 1000;
  try {
    for (let i = 0; i < 3; i++) await gist.listTags({ limit: 1 }, { timeoutMs: 2000 });
  } finally {
    Date.now = realNow;
  }
});

test("under a test's fake timers (setTimeout and Date), requestsPerSecond and a rate-limit pause pass as they are ticked", { timeout: 5000 }, async () => {
  const settle = async () => { for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve)); };
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
  try {
    const sent = [];
    const pausing = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "5" };
    const fetch = async () => {
      sent.push(Date.now());
      const headers = { "content-type": "application/json", ...(sent.length === 3 ? pausing : {}) };
      return new Response('{"tags":[]}', { headers });
    };
    const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, requestsPerSecond: 1, logLevel: "off" });
    await gist.listTags({ limit: 1 });
    for (const [ms, count] of [[1000, 2], [1000, 3], [5000, 4]]) {
      const call = gist.listTags({ limit: 1 });
      await settle();
      assert.equal(sent.length, count - 1, "waits for its start, or for the reset");
      mock.timers.tick(ms);
      await settle();
      assert.equal(sent.length, count, `sent once ${ms} ms of fake time passed`);
      await call;
    }
  } finally {
    mock.timers.reset();
  }
});

test("a call woken for a free place keeps it: another call's next request does not take it first", async () => {
  const mock = createMockGist({ apiKey: KEY });
  const fetch = async (url, init) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxConcurrent: 1, perPage: 3, maxRetries: 0, logLevel: "off" });
  const list = gist.listUsers({ limit: 60 }).then(() => Date.now());
  await new Promise((resolve) => setTimeout(resolve, 5));
  const tags = await gist.listTags({ limit: 1 }, { timeoutMs: 1000 }).then(() => Date.now(), (error) => error);
  assert.equal(typeof tags, "number", `listTags waited behind every page of the list: ${tags}`);
  assert.ok(tags < (await list), "served at a release, before the 20 pages of the list ended");
});

test("a rate-limit reset in Unix milliseconds pauses for that long, not for ever", async () => {
  const mock = createMockGist({ apiKey: KEY });
  mock.fail({ status: 200, body: { tags: [] }, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Date.now() + 500) } });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, logLevel: "off" });
  await gist.listTags({ limit: 1 });
  const started = Date.now();
  await gist.listTags({ limit: 1 }, { timeoutMs: 3000 });
  assert.ok(Date.now() - started < 2000, "the next call went once the reset passed");
});

test("calls waiting behind maxConcurrent or requestsPerSecond hold no wasm memory until they start, and those whose deadline passes there fail timeout, not a trap", async () => {
  // Before: each queued call held its arguments and request in wasm (3.5 times its body); 200 of 256 KB
  // grew it by 176 MB for good, and 1,300 of 1 MiB trapped it (a RuntimeError) at 4 GiB. Calls waiting
  // for their start under requestsPerSecond held theirs until a later fix (200 of 256 KB: 176 MB).
  const seen = await inFreshNode(`
    import { GistClient, GistError } from "gist-wasm";
    const answered = async () => { await new Promise((r) => setTimeout(r, 1)); return new Response('{"ok":true}', { headers: { "content-type": "application/json" } }); };
    const hung = (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    const body = { s: "x".repeat(256 * 1024) };
    const grew = async (fetch, timeoutMs, pacing = { maxConcurrent: 2 }) => {
      const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, ...pacing, maxRetries: 0, timeoutMs, logLevel: "off" });
      const before = process.memoryUsage().external;
      const settled = await Promise.allSettled(Array.from({ length: 200 }, () => gist.apiCall({ method: "POST", url: "/x", body })));
      const codes = [...new Set(settled.map((s) => s.status === "fulfilled" ? "ok" : s.reason instanceof GistError ? s.reason.code + (s.reason.mayHaveActed ? " acted" : "") : String(s.reason)))];
      return { grewMB: Math.round((process.memoryUsage().external - before) / 2 ** 20), codes };
    };
    // 100 a second: each start's work done before the next on a slow machine (at 400, two cores under
    // load fell behind the line, and the starts it let go at once held their memory together).
    const paced = { maxConcurrent: 1000, requestsPerSecond: 100 };
    console.log(JSON.stringify({ answered: await grew(answered, 30000), timedOut: await grew(hung, 300), paced: await grew(answered, 30000, paced) }));
  `);
  assert.deepEqual(seen.paced.codes, ["ok"]);
  assert.ok(seen.paced.grewMB < 40, `the wasm grew ${seen.paced.grewMB} MB for calls paced by requestsPerSecond`);
  assert.deepEqual(seen.answered.codes, ["ok"]);
  assert.deepEqual(seen.timedOut.codes, ["timeout acted", "timeout"], "the two sent, then the queued ones, never sent");
  assert.ok(seen.answered.grewMB < 40, `the wasm grew ${seen.answered.grewMB} MB for calls answered`);
  assert.ok(seen.timedOut.grewMB < 40, `the wasm grew ${seen.timedOut.grewMB} MB for calls timed out`);
});

test("calls of more than one request (a lookup, then the write) queued behind maxConcurrent hold no wasm memory for those not started: a started call's next request goes first (an outside review: 300 updateUser calls of 1 MB grew the wasm to 870 MB)", async () => {
  const seen = await inFreshNode(`
    import { GistClient } from "gist-wasm";
    const fetch = async (url, init) => {
      await new Promise((r) => setTimeout(r, 1));
      const id = Number(/contacts\\/(\\d+)/.exec(url)?.[1] ?? JSON.parse(init.body).id);
      return new Response(JSON.stringify({ contact: { id, type: "user", user_id: String(id) } }), { headers: { "content-type": "application/json" } });
    };
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, maxConcurrent: 2, timeoutMs: 120000, logLevel: "off" });
    const big = "y".repeat(256 * 1024);
    const before = process.memoryUsage().external;
    const settled = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => gist.updateUser({ id: i + 1 }, { custom_properties: { big } })));
    console.log(JSON.stringify({ ok: settled.filter((s) => s.status === "fulfilled").length, grewMB: Math.round((process.memoryUsage().external - before) / 2 ** 20) }));
  `);
  assert.equal(seen.ok, 200);
  assert.ok(seen.grewMB < 40, `the wasm grew ${seen.grewMB} MB`);
});

test("a client freed while calls wait for a place behind maxConcurrent: they still run, and later calls reject", async () => {
  const fetch = async () => { await new Promise((r) => setTimeout(r, 20)); return new Response('{"tags":[]}', { headers: { "content-type": "application/json" } }); };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch, maxConcurrent: 1, logLevel: "off" });
  const calls = [1, 2, 3].map(() => gist.apiCall({ method: "GET", url: "/tags" }));
  gist.free();
  assert.deepEqual((await Promise.all(calls)).map((answer) => answer.body), [{ tags: [] }, { tags: [] }, { tags: [] }]);
  await assert.rejects(gist.apiCall({ method: "GET", url: "/tags" }), { code: "invalid_argument", message: /freed/ });
});

test("waiters that give up behind maxConcurrent, one after another while a place is held, are let go: memory stays flat", async () => {
  // Before: each kept a slot of the wait queue until a place freed (about 10 bytes; 200,000: +2 MB).
  const seen = await inFreshNode(`
    import { GistClient } from "gist-wasm";
    const fetch = (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, maxConcurrent: 1, maxRetries: 0, logLevel: "off" });
    gist.fetchUser({ id: 9 }, { timeoutMs: 600_000 }).catch(() => {});
    const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
    const giveUp = async (n) => { for (let i = 0; i < n / 2000; i++) await Promise.allSettled(Array.from({ length: 2000 }, () => gist.fetchUser({ id: 1 }, { timeoutMs: 1 }))); };
    await giveUp(20_000);
    const before = heap();
    await giveUp(200_000);
    console.log(JSON.stringify({ grewKB: Math.round((heap() - before) / 1024) }));
    process.exit(0);
  `, ["--expose-gc"]);
  assert.ok(seen.grewKB < 800, `the heap grew ${seen.grewKB} KB`);
});

test("a call that waited for a place behind maxConcurrent still ends at its own deadline, counted from when it was called", async () => {
  const hung = (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch: hung, maxConcurrent: 1, maxRetries: 0, logLevel: "off" });
  const started = Date.now();
  const ended = (promise) => promise.then(() => "resolved", (error) => ({ code: error.code, ms: Date.now() - started }));
  const [first, second] = await Promise.all([ended(gist.listTags({}, { timeoutMs: 400 })), ended(gist.listTags({}, { timeoutMs: 600 }))]);
  assert.equal(first.code, "timeout");
  assert.equal(second.code, "timeout");
  assert.ok(second.ms >= 550 && second.ms < 900, `the waiting call ended after ${second.ms} ms, its timeoutMs 600`);
});

/**
 * A client whose first answer (`body`) says no request remains for 1 s, that first call made; `sent()`
 * counts its requests.
 */
async function pausedClient(body) {
  let sent = 0;
  const fetch = async () => {
    sent++;
    const pausing = sent === 1 ? { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" } : {};
    return new Response(body, { headers: { "content-type": "application/json", ...pausing } });
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, logLevel: "off" });
  await gist.listTags({ limit: 1 });
  return { gist, sent: () => sent };
}

test("a rate-limit pause under a clock that stands still (a test's fake Date) is waited out once, within the call's deadline", { timeout: 8000 }, async () => {
  // Before: each look at the pause found it still ahead, and the call waited for ever, past its timeoutMs.
  const { gist, sent } = await pausedClient('{"tags":[]}');
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  const started = performance.now();
  try {
    await gist.listTags({ limit: 1 }, { timeoutMs: 3000 });
  } finally {
    Date.now = realNow;
  }
  const waited = performance.now() - started;
  assert.equal(sent(), 2);
  assert.ok(waited >= 900 && waited < 2500, `the call went after ${Math.round(waited)} ms; the pause was 1 s`);
});

test("a call waiting for its start when the wall clock is set back still ends at its deadline", { timeout: 10_000 }, async () => {
  // Before: its request was given its whole timeoutMs again, plus the time the clock went back.
  const hung = (url, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch: hung, requestsPerSecond: 1, maxRetries: 0, logLevel: "off" });
  const realNow = Date.now;
  let shift = 0;
  Date.now = () => realNow() + shift;
  const started = performance.now();
  try {
    const calls = [0, 1].map(() => gist.listTags({ limit: 1 }, { timeoutMs: 2000 }).then(() => "resolved", (error) => ({ code: error.code, ms: performance.now() - started })));
    setTimeout(() => { shift = -8000; }, 300);
    const [first, second] = await Promise.all(calls);
    assert.deepEqual([first.code, second.code], ["timeout", "timeout"]);
    assert.ok(second.ms < 2600, `the call that waited 1 s for its start ended ${Math.round(second.ms)} ms after it was made; its timeoutMs is 2000`);
  } finally {
    Date.now = realNow;
  }
});

test("a pause set while calls wait behind maxConcurrent: one whose deadline comes before the reset fails rate_limited at once", async () => {
  // Before: the call woken for the free place slept through the pause holding it, so the next waited for
  // its whole deadline and failed timeout, with no retryAfter.
  let sent = 0;
  const fetch = async () => {
    sent++;
    if (sent > 1) return new Response('{"tags":[]}', { headers: { "content-type": "application/json" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    return new Response('{"tags":[]}', { headers: { "content-type": "application/json", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3" } });
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxConcurrent: 1, maxRetries: 0, logLevel: "off" });
  const started = Date.now();
  const first = gist.listTags({ limit: 1 });
  const later = gist.listTags({ limit: 1 }, { timeoutMs: 10_000 });
  const short = await gist.listTags({ limit: 1 }, { timeoutMs: 1500 }).then(() => "resolved", (error) => ({ error, ms: Date.now() - started }));
  assert.deepEqual([short.error?.code, short.error?.retryAfter, short.error?.mayHaveActed], ["rate_limited", 3, false]);
  assert.ok(short.ms < 800, `it failed ${short.ms} ms after it was made, once the pause was known at about 100`);
  await Promise.all([first, later]);
  assert.equal(sent, 2, "the first, and the later one after the reset");
});

test("calls that join the maxConcurrent line and give up, behind a first waiter that stays, leave no slot behind (an outside review: 7 bytes a call, for as long as that waiter waits)", async () => {
  const grown = await inFreshNode(`
    const { pacer } = await import(new URL("pace.js", import.meta.resolve("gist-wasm")));
    const pace = pacer({ maxConcurrent: 1 });
    await pace.admit(600_000); // holds the one place
    pace.admit(600_000); // first in line, and stays
    const round = async () => {
      const turns = [];
      for (let i = 0; i < 50_000; i++) {
        const controller = new AbortController();
        turns.push(pace.admit(600_000, controller.signal).catch(() => {}));
        controller.abort();
      }
      await Promise.all(turns);
    };
    // The heap once what is let go a turn or two later is let go: a single gc() read mid-way (compiled code
    // or a background task's) now and then read a megabyte more.
    const heap = async () => {
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 20)); }
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 5; i++) await round(); // what the first rounds settle (compiled code, caches) is not growth
    const before = await heap();
    for (let i = 0; i < 10; i++) await round();
    console.log(JSON.stringify((await heap() - before) / 1048576));
    process.exit(0); // the place and the first waiter would hold the process for their 600 s`, ["--expose-gc", "--single-threaded"]);
  assert.ok(grown < 1, `half a million calls that gave up grew the heap by ${grown.toFixed(1)} MB`);
});

test("a call made while Date.now returns nothing (a test's bare spy) leaves no lasting harm: later calls go (an outside review: every later call failed timeout at once, unsent)", async () => {
  const seen = await inFreshNode(`
    import { GistClient } from "gist-wasm";
    let requests = 0;
    const fetch = async () => { requests++; return new Response('{"tags":[{"id":1,"name":"a"}]}', { headers: { "content-type": "application/json" } }); };
    const run = () => new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, requestsPerSecond: 50, logLevel: "off" }).listTags().then(() => "ok", (e) => e.code);
    const realNow = Date.now;
    Date.now = () => undefined;
    const spied = await run();
    Date.now = realNow;
    const after = [await run(), await run()];
    console.log(JSON.stringify({ spied, after, requests }));
  `);
  assert.deepEqual(seen, { spied: "ok", after: ["ok", "ok"], requests: 3 });
});

test("a rate-limit pause that would leave the request too little of its call's time is not waited: rate_limited, unsent (an outside review)", { timeout: 10_000 }, async () => {
  // Before: a 1 s pause with 1.2 s left was waited out, and the request sent with the little time left,
  // to time out in flight (mayHaveActed). A wait leaves the request half the call's time left, up to 5 s.
  const { gist, sent } = await pausedClient('{"tag":{"id":1,"name":"x"},"tags":[]}');
  const error = await gist.createTag("late", { timeoutMs: 1200 }).catch((e) => e);
  assert.deepEqual([error.code, error.mayHaveActed, sent()], ["rate_limited", false, 1], String(error));
  await gist.createTag("later", { timeoutMs: 3000 });
  assert.equal(sent(), 2, "with time for both, it waits and goes");
});
