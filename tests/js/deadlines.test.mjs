// A request's deadline aborts the signal its fetch was given, whether that signal is new or served an
// earlier request that is over (the runtime keeps a deadline's controller that was not aborted for the
// next request): the next request's signal is never one already aborted, two requests in flight never
// share one, and a caller's fetch that leaves an abort listener on every signal never makes Node warn.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { GistClient } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

const contact = (id) => ({ contact: { id, type: "user", email: `u${id}@example.com` } });

test("a caller's fetch that never removes its abort listener: 200 calls, no signal past 10 listeners, no warning", async (t) => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.name);
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  const signals = new Set();
  const leaky = async (url, init) => {
    init.signal.addEventListener("abort", () => {});
    signals.add(init.signal);
    return new Response(JSON.stringify(contact(7)), { headers: { "content-type": "application/json" } });
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: leaky });
  t.after(() => gist.free());
  for (let i = 0; i < 200; i++) assert.equal((await gist.fetchUser({ id: 7 })).id, 7);
  await new Promise((resolve) => setImmediate(resolve));
  const most = Math.max(...[...signals].map((signal) => getEventListeners(signal, "abort").length));
  assert.ok(most <= 10, `a signal held ${most} listeners`);
  assert.ok(signals.size < 200, "signals of requests that are over serve again");
  assert.deepEqual(warnings, []);
});

test("a deadline aborts the signal of its own request only, also when that signal served requests before", async (t) => {
  const given = [];
  let hang = false;
  const fetchFn = (url, init) => {
    given.push(init.signal);
    if (!hang) return Promise.resolve(new Response(JSON.stringify(contact(1)), { headers: { "content-type": "application/json" } }));
    return new Promise((resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch: fetchFn, timeoutMs: 200, maxRetries: 0 });
  t.after(() => gist.free());
  for (let i = 0; i < 3; i++) await gist.fetchUser({ id: 1 });
  hang = true;
  const started = Date.now();
  await assert.rejects(gist.fetchUser({ id: 1 }), (error) => error.code === "timeout");
  assert.ok(Date.now() - started < 2000);
  const hung = given.at(-1);
  assert.equal(hung.aborted, true);
  assert.ok(given.slice(0, 3).includes(hung), "the hung request's signal had served an earlier one");
  hang = false;
  await gist.fetchUser({ id: 1 });
  assert.equal(given.at(-1).aborted, false, "an aborted signal never serves again");
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
