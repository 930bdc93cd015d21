// Findings of an outside review of errors against a hostile server (2026-12-06), in Node over real HTTP on
// loopback: a refusal (a 4xx, 429 included, or a 503) whose body is cut or stalls is still the server's
// word that it did not act: a write so answered says so (mayHaveActed false, the status), and a 429 or 503
// is retried as one whose body was read; one past maxResponseBytes is invalid_response, unretried, but
// did not act; a raw call, whose value is the body, still fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

const CONTACT = { contact: { id: 7, type: "user", user_id: "7", email: "a@example.com" } };

/** Writes a status line, headers and the start of a body promising 100 bytes; then ends the connection, or (`stall`) waits. */
function cutAnswer(res, status, { stall = false, headers = "" } = {}) {
  const head = `HTTP/1.1 ${status} X\r\n${headers}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"errors":`;
  if (stall) res.socket.write(head);
  else res.socket.end(head);
}

test("a write refused with a body cut short or stalled: its status, mayHaveActed false (before: may have acted)", async (t) => {
  const cases = [
    ["422, cut", (res) => cutAnswer(res, 422)],
    ["422, stalls", (res) => cutAnswer(res, 422, { stall: true })],
  ];
  for (const [name, answer] of cases) {
    const server = await startServer((req, res) => answer(res));
    t.after(() => server.close());
    const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxResponseBytes: 1000, timeoutMs: 500, logLevel: "off" });
    t.after(() => gist.free());
    const error = await gist.createUser({ user_id: 7, email: "a@example.com" }).catch((e) => e);
    assert.equal(error.mayHaveActed, false, name);
    assert.equal(error.status, Number(name.slice(0, 3)), name);
    assert.equal(server.requests.length, 1, name);
  }
});

test("an answer that is not a 2xx, past maxResponseBytes, is read by its status: a 401 unauthorized, a 429 rate_limited, a 302 a redirect (an outside review: invalid_response with no status)", async (t) => {
  // A refusal did not act; a write redirected may have, as with a short body. None is retried: the call
  // has read all it may (a later review: a write retried so was sent again, its answer then unreadable).
  for (const [status, code, requests, acted] of [[401, "unauthorized", 1, false], [429, "rate_limited", 1, false], [302, "invalid_response", 1, true]]) {
    const server = await startServer((req, res) => json(res, status, { errors: [{ code: "x", message: "x".repeat(5000) }] }, { "retry-after": "0", location: "http://elsewhere.test/" }));
    t.after(() => server.close());
    const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxResponseBytes: 1000, logLevel: "off" });
    t.after(() => gist.free());
    const error = await gist.createUser({ user_id: 7, email: "a@example.com" }).catch((e) => e);
    assert.deepEqual([error.code, error.status, error.mayHaveActed, server.requests.length], [code, status, acted, requests], String(status));
    if (status === 302) assert.match(error.message, /redirect/);
  }
  const server = await startServer((req, res) => json(res, 200, { contact: { id: 7, name: "x".repeat(5000) } }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxResponseBytes: 1000, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.fetchUser({ id: 7 }).catch((e) => e);
  assert.match(`${error.code} ${error.message}`, /^invalid_response .*maxResponseBytes/, "a 2xx past the cap is still refused");
});

test("a write answered 429 or 503 with a body cut short is retried, as the server said it did not act (before: one request, network_error)", async (t) => {
  for (const status of [429, 503]) {
    const server = await startServer((req, res) => {
      if (server.requests.length === 1) cutAnswer(res, status, { headers: "Retry-After: 0\r\n" });
      else json(res, 200, CONTACT);
    });
    t.after(() => server.close());
    const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logLevel: "off" });
    t.after(() => gist.free());
    const user = await gist.createUser({ user_id: 7, email: "a@example.com" });
    assert.equal(user.id, 7);
    assert.equal(server.requests.length, 2, String(status));
  }
});

test("a raw call refused with a body cut short still fails: its value would be the body", async (t) => {
  const server = await startServer((req, res) => cutAnswer(res, 422));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.apiCall({ url: "/contacts", method: "POST", body: { a: 1 } }).catch((e) => e);
  assert.equal(error.code, "network_error");
});

test("Gist's error items whose code or message is no text keep it as JSON, not as an empty string (before: lost)", async (t) => {
  const server = await startServer((req, res) => json(res, 422, { errors: [{ code: 42, message: { email: ["is taken"] } }, { code: "ok", message: true }, { code: null }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "key-not-in-any-word", baseUrl: server.url, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.createUser({ user_id: 7, email: "a@example.com" }).catch((e) => e);
  assert.equal(error.code, "invalid_request");
  assert.deepEqual(error.errors, [{ code: "42", message: '{"email":["is taken"]}' }, { code: "ok", message: "true" }, { code: "", message: "" }]);
  assert.match(error.message, /: \{"email":\["is taken"\]\}$/);
});

test("a 5xx's message points a write to mayHaveActed before it is sent again; a read's says to retry", async (t) => {
  const server = await startServer((req, res) => json(res, 500, { errors: [{ code: "oops", message: "boom" }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const write = await gist.createTag("VIP").catch((e) => e);
  const read = await gist.fetchCampaign(1).catch((e) => e);
  assert.deepEqual([write.code, write.mayHaveActed, read.code, read.mayHaveActed], ["server_error", true, "server_error", false]);
  assert.match(write.message, /retry later \(a write: see mayHaveActed\)/);
});
