// A request's deadline, or its caller's abort, aborts the signal of that request's fetch and no other:
// not one of a request in flight beside it, nor one of a request that is over, whose answer a caller's
// fetch may still be reading (a clone kept for a log), and a caller's fetch that leaves an abort listener
// on every signal never makes Node warn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { GistClient } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

const contact = (id) => ({ contact: { id, type: "user", email: `u${id}@example.com` } });
const answer = (id) => new Response(JSON.stringify(contact(id)), { headers: { "content-type": "application/json" } });

test("a caller's fetch that never removes its abort listener: 200 calls, no signal past 10 listeners, no warning", async (t) => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.name);
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  const signals = new Set();
  const leaky = async (url, init) => {
    init.signal.addEventListener("abort", () => {});
    init.signal.addEventListener("abort", () => {});
    signals.add(init.signal);
    return answer(7);
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: leaky });
  t.after(() => gist.free());
  for (let i = 0; i < 200; i++) assert.equal((await gist.fetchUser({ id: 7 })).id, 7);
  await new Promise((resolve) => setImmediate(resolve));
  const most = Math.max(...[...signals].map((signal) => getEventListeners(signal, "abort").length));
  assert.ok(most <= 10, `a signal held ${most} listeners`);
  assert.deepEqual(warnings, []);
});

test("a later request's deadline or abort leaves alone a request that is over, whose clone a caller's fetch reads after", async (t) => {
  const logged = [];
  let hang = false;
  const given = [];
  const logging = async (url, init) => {
    given.push(init.signal);
    if (hang) return new Promise((resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    const response = answer(1);
    const kept = response.clone();
    setTimeout(() => kept.text().then((text) => logged.push(text.length), (error) => logged.push(error.name)), 300);
    return response;
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: logging, timeoutMs: 100, maxRetries: 0 });
  t.after(() => gist.free());
  await gist.fetchUser({ id: 1 });
  hang = true;
  await assert.rejects(gist.fetchUser({ id: 1 }), (error) => error.code === "timeout");
  const caller = new AbortController();
  const aborted = gist.fetchUser({ id: 1 }, { signal: caller.signal });
  caller.abort();
  await assert.rejects(aborted, (error) => error.code === "aborted");
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.deepEqual(logged, [JSON.stringify(contact(1)).length], "the first answer's clone was read whole");
  assert.deepEqual(given.map((signal) => signal.aborted), [false, true, true]);
  assert.equal(new Set(given).size, 3);
});

test("requests in flight at once each have their own signal; an abort by the caller reaches one of them only", async (t) => {
  const pending = [];
  const fetchFn = (url, init) =>
    new Promise((resolve, reject) => {
      pending.push({ signal: init.signal, answer: () => resolve(new Response(JSON.stringify(contact(Number(url.split("/").pop()))), { headers: { "content-type": "application/json" } })) });
      init.signal.addEventListener("abort", () => reject(init.signal.reason));
    });
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: fetchFn, maxRetries: 0, maxConcurrent: 20 });
  t.after(() => gist.free());
  for (let round = 0; round < 3; round++) {
    pending.length = 0;
    const caller = new AbortController();
    const calls = Array.from({ length: 20 }, (_, i) => gist.fetchUser({ id: i + 1 }, i === 0 ? { signal: caller.signal } : {}));
    for (let turns = 0; pending.length < 20 && turns < 1000; turns++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(new Set(pending.map((p) => p.signal)).size, 20);
    caller.abort();
    await assert.rejects(calls[0], (error) => error.code === "aborted");
    assert.deepEqual(pending.map((p) => p.signal.aborted), [true, ...Array(19).fill(false)]);
    for (const p of pending.slice(1)) p.answer();
    await Promise.all(calls.slice(1));
  }
});

test("over real HTTP: 100 calls, then one the server never answers times out, then the next call is answered", async (t) => {
  let silent = false;
  const server = await startServer((req, res) => (silent ? undefined : json(res, 200, contact(5))));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, timeoutMs: 300, maxRetries: 0 });
  t.after(() => gist.free());
  for (let i = 0; i < 100; i++) assert.equal((await gist.fetchUser({ id: 5 })).id, 5);
  silent = true;
  await assert.rejects(gist.fetchUser({ id: 5 }), (error) => error.code === "timeout");
  silent = false;
  assert.equal((await gist.fetchUser({ id: 5 })).id, 5);
  assert.equal(server.requests.length, 102);
});

test("a call whose deadline passes before its request goes arms no timer with a negative delay (Node 24 and Bun warn on stderr, whatever logLevel)", async (t) => {
  const negative = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms, ...rest) => {
    if (ms < 0) negative.push(ms);
    return original(fn, ms, ...rest);
  };
  t.after(() => { globalThis.setTimeout = original; });
  const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
  // A request hook that runs past the deadline, then a turn behind maxConcurrent that outlasts it.
  const slowHook = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: async () => answer(7), timeoutMs: 50, hooks: { request: () => spin(80) }, logLevel: "off" });
  t.after(() => slowHook.free());
  assert.equal((await slowHook.fetchUser({ id: 7 }).catch((e) => e)).code, "timeout");
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const busy = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: async () => (await held, answer(7)), maxConcurrent: 1, logLevel: "off" });
  t.after(() => busy.free());
  const first = busy.fetchUser({ id: 7 });
  const second = busy.fetchUser({ id: 7 }, { timeoutMs: 30 }).catch((e) => e);
  spin(60);
  release();
  await first;
  assert.equal((await second).code, "timeout");
  assert.deepEqual(negative, []);
});
