// The demo server's /proxy/ (www/server.mjs), without a browser: what it passes on of an upstream's answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { GistClient } from "gist-wasm";
import { startDemoServer } from "../../www/server.mjs";
import { startServer } from "./loopback.mjs";

// A loopback upstream answering with `handler`, and the demo server proxying to it (`options` beside);
// both closed after the test.
async function proxying(t, handler, options = {}) {
  const upstream = await startServer(handler);
  const demo = await startDemoServer({ port: 0, proxyTarget: upstream.url, ...options });
  t.after(async () => {
    await demo.close();
    await upstream.close();
  });
  return { upstream, demo };
}

test("the demo proxy passes on an upstream's 204 or 205 without a body, and a client's DELETE through it is sent once", async (t) => {
  const { upstream, demo } = await proxying(t, (req, res) => {
    res.writeHead(Number(new URL(req.url, "http://x").searchParams.get("status") ?? 204));
    res.end();
  });
  for (const status of [204, 205]) {
    const answer = await fetch(`${demo.url}/proxy/contacts/1?status=${status}`, { method: "DELETE" });
    assert.equal(answer.status, status);
    assert.equal(await answer.text(), "");
  }
  const before = upstream.requests.length;
  const gist = new GistClient({ apiKey: "k", baseUrl: `${demo.url}/proxy`, logLevel: "off" });
  assert.equal(await gist.apiCall({ method: "DELETE", url: "/contacts/1" }).then((r) => r.status), 204);
  assert.equal(upstream.requests.length - before, 1, "sent once: not retried as a failed proxy");
});

test("the demo proxy answers an upstream's status past 599 as its own 502 that says so", async (t) => {
  const { upstream, demo } = await proxying(t, (req, res) => {
    res.writeHead(Number(new URL(req.url, "http://x").searchParams.get("status")), { "content-type": "application/json" });
    res.end("{}");
  });
  for (const status of [600, 999]) {
    const answer = await fetch(`${demo.url}/proxy/tags?status=${status}`);
    assert.equal(answer.status, 502);
    assert.deepEqual((await answer.json()).errors.map((e) => e.code), ["proxy_status"], String(status));
  }
  assert.equal((await fetch(`${demo.url}/proxy/tags?status=599`)).status, 599);
});

test("an upstream's redirect reaches the client as a redirect, which it refuses unretried: the key is sent once (an outside review: a 502 retried it 3 times)", async (t) => {
  const { upstream, demo } = await proxying(t, (req, res) => {
    res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" });
    res.end();
  });
  const gist = new GistClient({ apiKey: "key-for-the-proxy", baseUrl: `${demo.url}/proxy`, logLevel: "off" });
  const error = await gist.fetchUser({ id: 1 }).catch((e) => e);
  assert.equal(error.code, "invalid_response");
  assert.match(error.message, /redirect/);
  assert.equal(upstream.requests.length, 1);
});

test("the demo's files may not be framed by another origin, nor sniffed (an outside review: the page that takes a key had neither)", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  for (const path of ["/", "/main.js", "/style.css"]) {
    const answer = await fetch(`${demo.url}${path}`);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers.get("content-security-policy"), "frame-ancestors 'none'", path);
    assert.equal(answer.headers.get("x-frame-options"), "DENY", path);
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff", path);
  }
});

test("the demo proxy gives up on an upstream that never answers after its time limit, garbage collections or not (an outside review: AbortSignal.any's timeout never fired once collected)", async (t) => {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  let letGo;
  const released = new Promise((resolve) => { letGo = resolve; });
  const upstream = await startServer((req, res) => {
    res.on("close", letGo);
    return new Promise(() => {}); // never answers
  });
  const demo = await startDemoServer({ port: 0, proxyTarget: upstream.url, proxyTimeoutMs: 1000 });
  const collecting = setInterval(gc, 100);
  t.after(async () => {
    clearInterval(collecting);
    await demo.close();
    await upstream.close();
  });
  const started = performance.now();
  const answer = await fetch(`${demo.url}/proxy/tags`, { signal: AbortSignal.timeout(8000) });
  const took = performance.now() - started;
  assert.equal(answer.status, 504);
  assert.deepEqual((await answer.json()).errors.map((e) => e.code), ["proxy_timeout"]);
  assert.ok(took >= 900 && took < 4000, `answered after ${Math.round(took)} ms`);
  await released; // the upstream request was let go, not left open
});

test("the demo proxy passes on an upstream's 304 as a 304 without a body, and a client's call through it is sent once (an outside review: a 502 'could not reach', retried)", async (t) => {
  const { upstream, demo } = await proxying(t, (req, res) => {
    res.writeHead(304, { etag: '"1"' });
    res.end();
  });
  const answer = await fetch(`${demo.url}/proxy/tags`);
  assert.equal(answer.status, 304);
  assert.equal(await answer.text(), "");
  for (const method of ["GET", "POST"]) {
    const before = upstream.requests.length;
    const gist = new GistClient({ apiKey: "k", baseUrl: `${demo.url}/proxy`, logLevel: "off" });
    await gist.apiCall({ method, url: "/tags" }).catch((e) => e);
    gist.free();
    assert.equal(upstream.requests.length - before, 1, `${method} sent once: not retried as a failed proxy`);
  }
});

test("the demo proxy passes on an upstream's rate limit, so that a client through it pauses for a spent one (an outside review: only Retry-After and X-Request-Id went through)", async (t) => {
  const { upstream, demo } = await proxying(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/json", "x-ratelimit-limit": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1", "x-request-id": "req-7" });
    res.end('{"contact":{"id":1,"type":"user"}}');
  });
  const gist = new GistClient({ apiKey: "k", baseUrl: `${demo.url}/proxy`, logLevel: "off" });
  const { response } = await gist.fetchUser({ id: 1 }).withResponse();
  assert.deepEqual({ limit: response.rateLimit?.limit, remaining: response.rateLimit?.remaining }, { limit: 5, remaining: 0 });
  const started = Date.now();
  await gist.fetchUser({ id: 1 });
  assert.ok(Date.now() - started >= 800, `the next request waited ${Date.now() - started} ms for the reset`);
  assert.equal(upstream.requests.length, 2);
});
