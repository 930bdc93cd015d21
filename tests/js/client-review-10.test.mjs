// Findings of outside reviews of the client against a hostile server (2026-12-06, twenty-first round), in
// Node over real HTTP on loopback: the key echoed in answer headers is scrubbed where fetch reads a header's
// UTF-8 bytes as Latin-1 (an invisible character inside it) and where it comes in two Set-Cookie lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

const KEY = "sk_live_SECRETkey0123456789abcdefXYZ";
const CONTACT = JSON.stringify({ contact: { id: 1, type: "user", user_id: "1", email: "a@example.com" } });

// Each way a server may echo the key in its answer's headers, with what a reader may take out of it.
function echoingServer() {
  return startServer((req, res) => {
    res.setHeader("set-cookie", [`a=${KEY.slice(0, 14)}`, `${KEY.slice(14)}; Path=/`]);
    // Node writes a header's string as Latin-1: these are the UTF-8 bytes of U+200B and U+00AD.
    res.setHeader("x-request-id", `${KEY.slice(0, 12)}\u00e2\u0080\u008b${KEY.slice(12)}`);
    res.setHeader("x-other", `${KEY.slice(0, 12)}\u00c2\u00ad${KEY.slice(12)}`);
    const refused = req.url.startsWith("/contacts/2");
    res.writeHead(refused ? 400 : 200, { "content-type": "application/json" });
    res.end(refused ? JSON.stringify({ errors: [{ code: "x", message: "no" }] }) : CONTACT);
  });
}

// What a reader could rebuild the key from: the text without the joins and the invisible characters.
const holdsKey = (text) => text.replace(/, |\u00e2\u0080\u008b|\u00c2\u00ad|; Path=\/|a=/g, "").includes(KEY) || text.includes(KEY.slice(0, 12));

test("the key in answer headers, inside UTF-8 bytes fetch reads as Latin-1 or across two Set-Cookie lines, is in no error, log line, withResponse() or apiCall header (before: all of them)", async (t) => {
  const server = await echoingServer();
  t.after(() => server.close());
  const lines = [];
  const logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, logLevel: "debug", logger });
  t.after(() => gist.free());
  const { response } = await gist.fetchUser({ id: 1 }).withResponse();
  const error = await gist.fetchUser({ id: 2 }).catch((e) => e);
  assert.equal(error.code, "invalid_request");
  const raw = await gist.apiCall({ url: "/x" });
  const shown = [...response.headers].flat().concat(response.requestId, error.requestId, error.message, lines, JSON.stringify(raw.headers));
  for (const text of shown) assert.ok(!holdsKey(String(text)), String(text));
  assert.match(response.headers.get("set-cookie"), /\[redacted\]/);
});

// Finding of an outside review of the Rust crate (2026-12-06), in JS too.
test("a wall clock set back an hour during a call's retry wait does not stretch its timeoutMs (before: its retry was given an hour)", { timeout: 20_000 }, async (t) => {
  let requests = 0;
  const realNow = Date.now;
  const server = await startServer((req, res) => {
    if (++requests > 1) return; // never answered
    Date.now = () => realNow() - 60 * 60 * 1000; // set back while the call waits to retry
    res.writeHead(503, { "retry-after": "1", "content-type": "application/json" });
    res.end("{}");
  });
  t.after(() => { Date.now = realNow; server.close(); });
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 2500, logLevel: "off" });
  t.after(() => gist.free());
  const started = performance.now();
  const error = await gist.listTags({ limit: 1 }).catch((e) => e);
  assert.deepEqual([error.code, requests], ["timeout", 2]);
  assert.ok(performance.now() - started < 4000, `${performance.now() - started} ms`);
});

test("refusals whose bodies together pass maxResponseBytes, none alone, are read by their status: rate_limited, 429, retryAfter (before: invalid_response, no status)", async (t) => {
  const body = JSON.stringify({ errors: [{ code: "rate_limited", message: "x".repeat(1200) }] });
  let requests = 0;
  const server = await startServer((req, res) => {
    requests++;
    res.writeHead(429, { "content-type": "application/json", "retry-after": "0" });
    res.end(body);
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: 3000, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.fetchCampaign(1).catch((e) => e);
  assert.deepEqual([error.code, error.status, error.retryAfter, requests], ["rate_limited", 429, 0, 3]);
});

test("a 2xx answer past maxResponseBytes fails invalid_response with its status (before: none), a write's mayHaveActed true", async (t) => {
  const server = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ contact: { id: 1, type: "user", user_id: "1", email: "a@example.com", name: "x".repeat(5000) } }));
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: 1000, logLevel: "off" });
  t.after(() => gist.free());
  for (const call of [() => gist.fetchUser({ id: 1 }), () => gist.createUser({ user_id: 1, email: "a@example.com" })]) {
    const error = await call().catch((e) => e);
    assert.deepEqual([error.code, error.status], ["invalid_response", 200]);
  }
  const error = await gist.createUser({ user_id: 1, email: "a@example.com" }).catch((e) => e);
  assert.equal(error.mayHaveActed, true);
});

// Findings of an outside review of data fidelity (2026-12-06).
test("apiCall: a url ending in its query's ? or & takes query without an empty pair; white space in it is refused with a message that says so", async (t) => {
  const seen = [];
  const server = await startServer((req, res) => {
    seen.push(req.url);
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  // An & of the path itself (no ? before it) stays (an outside review: /segments/R&D& lost it).
  for (const url of ["/tags?", "/tags?a=1&", "/tags?a=1", "/tags", "/segments/R&D&"]) await gist.apiCall({ url, query: { z: 1 } });
  assert.deepEqual(seen, ["/tags?z=1", "/tags?a=1&z=1", "/tags?a=1&z=1", "/tags?z=1", "/segments/R&D&?z=1"]);
  const error = await gist.apiCall({ url: "/contacts?status=not subscribed" }).catch((e) => e);
  assert.equal(error.code, "invalid_argument");
  assert.match(error.message, /white space/);
  assert.equal(seen.length, 5, "nothing sent");
});

test("apiCall's body: null sends no body, as its type's comment says, also on a GET", async (t) => {
  const seen = [];
  const server = await startServer((req, res, body) => {
    seen.push([req.method, req.headers["content-type"] ?? null, body.toString()]);
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  await gist.apiCall({ url: "/tags", method: "POST", body: null });
  await gist.apiCall({ url: "/tags", body: null });
  assert.deepEqual(seen, [["POST", null, ""], ["GET", null, ""]]);
});

// Findings of an outside review of this round's changes (2026-12-06).
test("a call reads at most maxResponseBytes in all: a refusal past what it has left is read by its status, its body unread, and not retried (before: six 429s of 90 KB read under a cap of 100 KB)", async (t) => {
  let pulled = 0;
  let requests = 0;
  const fetch = async () => {
    requests++;
    if (requests > 6) return new Response('{"tags":[]}', { headers: { "content-type": "application/json" } });
    let left = 90_000;
    const body = new ReadableStream({
      pull(controller) {
        if (left === 0) return controller.close();
        const chunk = Math.min(1000, left);
        left -= chunk;
        pulled += chunk;
        controller.enqueue(new TextEncoder().encode(" ".repeat(chunk)));
      },
    });
    return new Response(body, { status: 429, headers: { "content-type": "application/json", "retry-after": "0" } });
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch, maxResponseBytes: 100_000, maxRetries: 6, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.listTags({ limit: 1 }).catch((e) => e);
  assert.deepEqual([error.code, error.status, requests], ["rate_limited", 429, 2]);
  assert.ok(pulled <= 100_000 + 16_000, `${pulled} bytes read`);
});

test("a list page that takes the call past maxResponseBytes fails with its status (before: none)", async (t) => {
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url, "http://x").searchParams.get("page") ?? 1);
    const tags = Array.from({ length: 20 }, (_, i) => ({ id: page * 100 + i, name: "t".repeat(80) }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ tags, pages: { next: "more" } }));
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, perPage: 20, maxResponseBytes: 3000, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.listTags({ limit: 100 }).catch((e) => e);
  assert.deepEqual([error.code, error.status], ["invalid_response", 200]);
});

test("a wall clock stepped back during a call and then forward again does not end it early (before: timeout after a second of a 10 s call)", { timeout: 20_000 }, async (t) => {
  const realNow = Date.now;
  t.after(() => { Date.now = realNow; });
  for (const steps of [[-60 * 60 * 1000, 0], [-1000, 0]]) {
    let requests = 0;
    const server = await startServer((req, res) => {
      if (++requests === 1) {
        Date.now = () => realNow() + steps[0];
        if (steps.length > 1) setTimeout(() => { Date.now = () => realNow() + steps[1]; }, 300);
        res.writeHead(503, { "retry-after": "1", "content-type": "application/json" });
        return res.end("{}");
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"tags":[]}');
    });
    const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 10_000, logLevel: "off" });
    const outcome = await gist.listTags({ limit: 1 }).catch((e) => e);
    Date.now = realNow;
    gist.free();
    server.close();
    assert.deepEqual([outcome, requests], [[], 2], `clock stepped ${steps}`);
  }
});

test("a write refused past what the call has left to read is not sent again: its answer could not be read (an outside review: recordEvent sent twice, then invalid_response)", async (t) => {
  const server = await startServer((req, res) => {
    if (server.requests.length === 1) return json(res, 429, { errors: [{ code: "x", message: "x".repeat(20_000) }] }, { "retry-after": "0" });
    json(res, 200, { event: { id: 1, name: "paid" } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: 10_000, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.recordEvent({ event_name: "paid", user: { email: "a@example.com" } }).catch((e) => e);
  assert.deepEqual([error.code, error.status, error.mayHaveActed, server.requests.length], ["rate_limited", 429, false, 1]);
});

// Finding of an outside review of the contract (2026-12-06, twenty-second round).
test("recordEvent of a contact named by its id sends its user_id and email, its id only where it has neither (before: its id too, which Gist may read as the event's)", async (t) => {
  const contacts = { 5: { id: 5, type: "user", user_id: "u5", email: "five@example.com" }, 6: { id: 6, type: "lead", user_id: null, email: null } };
  const server = await startServer((req, res) => {
    const id = req.url.match(/^\/contacts\/(\d+)/)?.[1];
    json(res, 200, id ? { contact: contacts[id] } : { event: { id: 1, name: "paid" } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  await gist.recordEvent({ event_name: "paid", user: { id: 5 } });
  await gist.recordEvent({ event_name: "paid", lead: { id: 6 } });
  const sent = server.requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body));
  assert.deepEqual(sent, [{ event_name: "paid", user_id: "u5", email: "five@example.com" }, { event_name: "paid", id: 6 }]);
});

// Findings of an outside review of hooks and pacing (2026-12-06, twenty-second round).
test("free() called without its client, and a requestsPerSecond below one start in 24.8 days, are invalid_argument (before: a TypeError; the second request sent at once)", () => {
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", logLevel: "off" });
  const { free } = gist;
  for (const detached of [() => free(), () => GistClient.prototype.free.call({}), () => GistClient.prototype.free.call(undefined)]) {
    assert.throws(detached, (e) => e.code === "invalid_argument", String(detached));
  }
  gist.free();
  for (const rate of [1e-306, Number.MIN_VALUE, 4e-7]) {
    assert.throws(() => new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", requestsPerSecond: rate }), (e) => e.code === "invalid_argument", String(rate));
  }
  new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", requestsPerSecond: 5e-7 }).free();
});
