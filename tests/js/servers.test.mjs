// The demo server (www/server.mjs) and the mock's HTTP server (gist-wasm/mock/server) under attack, over
// real HTTP on 127.0.0.1: each test replays an attack that used to work and checks that it now fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { startDemoServer } from "../../www/server.mjs";

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");
const stolen = [];
const upstreamSeen = [];
let evil;
let upstream;
let demo;
let mock;

/** Starts a plain HTTP server on an ephemeral loopback port; resolves `{ server, port }`. */
async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: server.address().port };
}

const portOf = (url) => Number(new URL(url).port);

/**
 * Sends one request with its path and headers exactly as given (no normalising); `streamBytes` streams
 * that many bytes (chunked) until the server answers. Resolves `{ status, headers, text }` or `{ error }`.
 */
function send(port, { method = "GET", path = "/", headers = {}, body, streamBytes = 0 } = {}) {
  return new Promise((resolve) => {
    let answer;
    const chunks = [];
    const finish = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    const req = request({ host: "127.0.0.1", port, method, path, headers });
    const timer = setTimeout(() => req.destroy(new Error("timeout")), 5000);
    req.on("response", (res) => {
      answer = { status: res.statusCode, headers: res.headers };
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => finish({ ...answer, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", (error) => finish(answer ? { ...answer, text: Buffer.concat(chunks).toString() } : { error: error.message }));
    if (!streamBytes) return req.end(body);
    let sent = 0;
    const pump = () => {
      while (sent < streamBytes && !answer && !req.destroyed) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const code = (answer) => JSON.parse(answer.text).errors[0].code;

before(async () => {
  evil = await listen((req, res) => {
    stolen.push({ url: req.url, authorization: req.headers.authorization });
    res.end("stolen");
  });
  upstream = await listen((req, res) => {
    upstreamSeen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url === "/redirect") {
      res.writeHead(302, { location: `http://127.0.0.1:${evil.port}/steal` });
      return res.end();
    }
    if (req.url === "/html") {
      res.writeHead(500, { "content-type": "text/html" });
      return res.end("<script>alert(1)</script>");
    }
    if (req.url === "/drip") {
      upstreamSeen.dripClosed = false;
      req.socket.on("close", () => (upstreamSeen.dripClosed = true));
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 50);
      return res.on("close", () => clearInterval(timer));
    }
    if (req.url === "/huge") {
      res.writeHead(200, { "content-type": "application/json" });
      return Readable.from(Array.from({ length: 11 }, () => Buffer.alloc(MB))).pipe(res);
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ url: req.url }));
  });
  demo = await startDemoServer({ port: 0, proxyTarget: `http://127.0.0.1:${upstream.port}` });
  mock = await serveMock({ port: 0 });
});

after(async () => {
  await demo?.close();
  await mock?.close();
  for (const s of [evil, upstream]) await new Promise((r) => s?.server.close(r));
});

test("the proxy forwards only plain paths to its target's origin, never elsewhere", async () => {
  const port = portOf(demo.url);
  const auth = { authorization: "Bearer secret-key" };
  const sneaky = [
    `/proxy//127.0.0.1:${evil.port}/steal`,
    `/proxy/\\\\127.0.0.1:${evil.port}/steal`,
    `/proxy/\\127.0.0.1:${evil.port}/steal`,
    `/proxy/x/..//127.0.0.1:${evil.port}/steal`,
    `/proxy/x/%2e%2e/%2F127.0.0.1:${evil.port}/steal`,
    `/proxy/%5C%5C127.0.0.1:${evil.port}/steal`,
    `/proxy/./contacts`,
    `/proxy/contacts%00`,
  ];
  for (const path of sneaky) {
    const answer = await send(port, { path, headers: auth });
    assert.equal(answer.status, 400, path);
    assert.equal(code(answer), "proxy_refused", path);
  }
  const forged = await send(port, { path: "/proxy/contacts", headers: { ...auth, host: `x/proxy//127.0.0.1:${evil.port}/steal` } });
  assert.equal(forged.status, 421, "a forged Host header is refused");
  assert.deepEqual(stolen, [], "the evil server saw nothing");
  assert.deepEqual(upstreamSeen, [], "nothing sneaky reached the upstream either");

  const plain = await send(port, { path: "/proxy/campaigns?limit=2", headers: auth });
  assert.equal(plain.status, 200, "a plain path is still forwarded");
  assert.deepEqual(upstreamSeen, [{ url: "/campaigns?limit=2", authorization: "Bearer secret-key" }]);
});

test("the proxy does not follow redirects and caps what it relays", async () => {
  const port = portOf(demo.url);
  const redirected = await send(port, { path: "/proxy/redirect", headers: { authorization: "Bearer secret-key" } });
  assert.equal(redirected.status, 302, "the redirect's own status, which a client refuses unretried");
  assert.equal(code(redirected), "proxy_redirect");
  assert.equal(redirected.headers.location, undefined);
  assert.deepEqual(stolen, [], "the redirect was not followed");
  const huge = await send(port, { path: "/proxy/huge" });
  assert.equal(huge.status, 502);
  assert.equal(code(huge), "proxy_answer_too_large");
  const seen = upstreamSeen.length;
  const big = await send(port, { method: "POST", path: "/proxy/contacts", streamBytes: 5 * MB });
  assert.equal(big.status, 413);
  assert.equal(upstreamSeen.length, seen, "an oversized body is not forwarded");
});

test("a webhook delivery over the cap gets 413 while it is read, and is not kept", async () => {
  const port = portOf(demo.url);
  const kept = demo.webhooks.deliveries.length;
  const rss = process.memoryUsage().rss;
  const declared = await send(port, { method: "POST", path: "/webhooks", headers: { "content-length": 500 * MB }, body: "x" });
  assert.equal(declared.status, 413, "a Content-Length over the cap is refused before the body is read");
  assert.equal(code(declared), "payload_too_large");
  const streamed = await send(port, { method: "POST", path: "/webhooks", streamBytes: 64 * MB });
  assert.equal(streamed.status, 413, "a chunked body is refused once past the cap");
  const grown = (process.memoryUsage().rss - rss) / MB;
  assert.ok(grown < 50, `RSS grew by ${grown.toFixed(0)} MB`);
  assert.equal(demo.webhooks.deliveries.length, kept);
  const fine = await send(port, { method: "POST", path: "/webhooks", body: "x".repeat(900 * 1024) });
  assert.equal(fine.status, 202, "a delivery under 1 MB is still received");

  process.env.GIST_DEMO_MAX_WEBHOOK_BYTES = "100";
  const small = await startDemoServer({ port: 0 }).finally(() => delete process.env.GIST_DEMO_MAX_WEBHOOK_BYTES);
  try {
    assert.equal((await send(portOf(small.url), { method: "POST", path: "/webhooks", body: "x".repeat(101) })).status, 413);
    assert.equal((await send(portOf(small.url), { method: "POST", path: "/webhooks", body: "x".repeat(100) })).status, 202);
  } finally {
    await small.close();
  }
});

test("API bodies are capped: a huge unauthorised body gets 413, not read to the end", async () => {
  const unread = await send(portOf(mock.url), { method: "POST", path: "/contacts", headers: { "content-length": 200 * MB }, body: "x" });
  assert.equal(unread.status, 413, "answered without waiting for 200 MB");
  const streamed = await send(portOf(demo.url), { method: "POST", path: "/api/contacts", streamBytes: 5 * MB });
  assert.equal(streamed.status, 413);
  const tiny = await serveMock({ port: 0, maxBodyBytes: 100 });
  try {
    const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
    const over = await send(portOf(tiny.url), { method: "POST", path: "/contacts", headers, body: JSON.stringify({ email: "a@example.com", name: "x".repeat(100) }) });
    assert.equal(over.status, 413);
    const ok = await send(portOf(tiny.url), { method: "POST", path: "/contacts", headers, body: JSON.stringify({ email: "a@example.com" }) });
    assert.equal(ok.status, 200);
  } finally {
    await tiny.close();
  }
});

test("at most 20 pages watch the webhook stream, and one that falls behind is dropped", async () => {
  const port = portOf(demo.url);
  const watchers = [];
  const watch = () =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/webhooks/stream" }, (res) => resolve({ req, res }));
      req.on("error", reject).end();
    });
  try {
    for (let i = 0; i < 20; i++) watchers.push(await watch());
    assert.ok(watchers.every(({ res }) => res.statusCode === 200));
    const extra = await watch();
    watchers.push(extra);
    assert.equal(extra.res.statusCode, 503, "the 21st watcher is refused");
  } finally {
    for (const { req } of watchers) req.destroy();
  }
  for (let i = 0; i < 100 && demo.webhooks.watching > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(demo.webhooks.watching, 0);

  const reader = await watch();
  let events = 0;
  let tail = "";
  reader.res.on("data", (chunk) => {
    const text = tail + chunk;
    events += text.split("\n\n").length - 1;
    tail = text.slice(-1);
  });
  const stuck = connect(port, "127.0.0.1");
  stuck.write(`GET /webhooks/stream HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
  stuck.pause();
  try {
    while (demo.webhooks.watching < 2) await new Promise((r) => setTimeout(r, 10));
    const body = "x".repeat(900 * 1024);
    let sent = 0;
    while (demo.webhooks.watching === 2 && sent < 20) {
      assert.equal((await send(port, { method: "POST", path: "/webhooks", body })).status, 202);
      sent += 1;
      while (events < sent + 1) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(sent < 20, "the watcher that reads nothing was dropped");
    assert.equal(demo.webhooks.watching, 1, "the one that keeps up stays");
  } finally {
    stuck.destroy();
    reader.req.destroy();
  }
});

test("a POST /webhooks from another site's page gets 403", async () => {
  const port = portOf(demo.url);
  const kept = demo.webhooks.deliveries.length;
  const forged = { "content-type": "text/plain", origin: "http://evil.example" };
  const answer = await send(port, { method: "POST", path: "/webhooks", headers: forged, body: '{"topic":"user.created"}' });
  assert.equal(answer.status, 403);
  assert.equal(code(answer), "cross_origin_refused");
  assert.equal(demo.webhooks.deliveries.length, kept, "the forged delivery is not shown");
  assert.equal((await send(port, { method: "POST", path: "/webhooks", headers: { origin: demo.url }, body: "{}" })).status, 202);
  assert.equal((await send(port, { method: "POST", path: "/webhooks", body: "{}" })).status, 202, "a server's delivery has no Origin");
});

test("the mock's control routes refuse other sites' pages and never answer `*` CORS", async () => {
  const rule = JSON.stringify({ status: 500, times: 100 });
  for (const [base, prefix] of [[mock.url, ""], [demo.url, "/api"]]) {
    const port = portOf(base);
    const evilPage = { origin: "http://evil.example", "content-type": "text/plain" };
    const planted = await send(port, { method: "POST", path: `${prefix}/__mock/fail`, headers: evilPage, body: rule });
    assert.equal(planted.status, 403, base);
    assert.equal(planted.headers["access-control-allow-origin"], undefined);
    const preflight = await send(port, { method: "OPTIONS", path: `${prefix}/__mock/fail`, headers: { origin: "http://evil.example" } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers["access-control-allow-origin"], undefined);
    const read = await send(port, { path: `${prefix}/__mock/requests`, headers: { origin: "http://evil.example" } });
    assert.equal(read.status, 403);

    const api = await send(port, { path: `${prefix}/contacts/1001`, headers: { authorization: "Bearer mock-key", origin: "http://evil.example" } });
    assert.equal(api.status, 200, "no failure rule was planted");
    assert.equal(api.headers["access-control-allow-origin"], "*", "the API routes keep their CORS");

    const own = await send(port, { method: "POST", path: `${prefix}/__mock/reset`, headers: { origin: base } });
    assert.equal(own.status, 200, "the server's own page may reset the mock");
    const loopback = await send(port, { path: `${prefix}/__mock/requests`, headers: { origin: "http://127.0.0.1:9" } });
    assert.equal(loopback.status, 200, "a loopback page (such as a test page on another port) may read the log");
    assert.equal(loopback.headers["access-control-allow-origin"], "http://127.0.0.1:9");
    const tool = await send(port, { method: "POST", path: `${prefix}/__mock/reset` });
    assert.equal(tool.status, 200, "curl, with no Origin, may reset the mock");
    assert.equal(tool.headers["access-control-allow-origin"], undefined);
  }
});

test("both servers answer only for the names they are bound to (no DNS rebinding)", async () => {
  for (const base of [mock.url, demo.url]) {
    const port = portOf(base);
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1:${port + 1}`, `10.0.0.1:${port}`]) {
      const answer = await send(port, { method: "POST", path: base === mock.url ? "/__mock/reset" : "/api/__mock/reset", headers: { host } });
      assert.equal(answer.status, 421, `${base} with Host ${host}`);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await send(port, { path: base === mock.url ? "/__mock/requests" : "/api/__mock/requests", headers: { host } });
      assert.equal(answer.status, 200, `${base} with Host ${host}`);
    }
  }
});

test("the mock's request log keeps only the latest requests", async () => {
  const inMemory = createMockGist();
  for (let i = 0; i < 1100; i++) await inMemory.fetch(`http://mock.invalid/contacts/${i}`);
  assert.equal(inMemory.requests.length, 1000, "1000 by default");
  assert.equal(inMemory.requests.at(-1).path, "/contacts/1099");
  assert.equal(inMemory.requests[0].path, "/contacts/100");

  const small = await serveMock({ port: 0, maxLoggedRequests: 10 });
  try {
    for (let i = 0; i < 110; i++) await fetch(`${small.url}/contacts/${i}`);
    const { requests } = await (await fetch(`${small.url}/__mock/requests`)).json();
    assert.deepEqual(requests.map((r) => r.path), Array.from({ length: 10 }, (_, i) => `/contacts/${100 + i}`));
  } finally {
    await small.close();
  }
});

test("the demo server gzips its files for a client that accepts it, and serves the README and types as text", async () => {
  const get = (path, headers) => new Promise((resolve, reject) => {
    request(`${demo.url}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject).end();
  });
  for (const path of ["/", "/main.js", "/style.css", "/pkg/gist_wasm_bg.wasm", "/pkg/README.md", "/pkg/index.d.ts"]) {
    const plain = await get(path, {});
    assert.equal(plain.headers["content-encoding"], undefined, path);
    const zipped = await get(path, { "accept-encoding": "gzip, br" });
    assert.equal(zipped.headers["content-encoding"], "gzip", path);
    assert.ok(gunzipSync(zipped.body).equals(plain.body), `${path}: the same bytes`);
    assert.ok(zipped.body.length < plain.body.length, `${path}: smaller gzipped`);
  }
  const readme = await get("/pkg/README.md", {});
  assert.equal(readme.headers["content-type"], "text/plain; charset=utf-8");
  assert.match(readme.body.toString(), /^# gist-wasm/);
});

test("the proxy serves an upstream's answer as JSON or as plain text, never as a page of this origin", async () => {
  const port = portOf(demo.url);
  const html = await send(port, { path: "/proxy/html" });
  assert.deepEqual([html.status, html.headers["content-type"], html.headers["x-content-type-options"]], [500, "text/plain; charset=utf-8", "nosniff"]);
  const json = await send(port, { path: "/proxy/campaigns" });
  assert.deepEqual([json.headers["content-type"], json.headers["x-content-type-options"]], ["application/json", "nosniff"]);
});

test("the proxy stops fetching from upstream when the page goes away", async () => {
  const port = portOf(demo.url);
  await new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/proxy/drip" });
    req.on("error", resolve);
    req.end();
    setTimeout(() => req.destroy(new Error("the page went away")), 300);
  });
  for (let waited = 0; !upstreamSeen.dripClosed && waited < 3000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.equal(upstreamSeen.dripClosed, true, "the upstream connection was closed");
});

test("another site's page may not watch the webhook stream", async () => {
  const port = portOf(demo.url);
  for (const [method, headers] of [["GET", { origin: "https://evil.example" }], ["POST", {}]]) {
    const answer = await send(port, { method, path: "/webhooks/stream", headers });
    assert.deepEqual([answer.status, code(answer)], [403, "cross_origin_refused"], method);
  }
  assert.equal(demo.webhooks.watching, 0);
});

test("a TRACE gets 405 from both servers, not a dropped connection", async () => {
  for (const port of [portOf(demo.url), portOf(mock.url)]) {
    const answer = await send(port, { method: "TRACE", path: "/contacts", headers: { authorization: "Bearer mock-key" } });
    assert.deepEqual([answer.status, code(answer)], [405, "method_not_allowed"], String(port));
  }
});

test("a CONNECT gets 405 from the mock server, not a connection closed unanswered", async () => {
  const socket = connect(portOf(mock.url), "127.0.0.1");
  socket.write(`CONNECT example.com:443 HTTP/1.1\r\nHost: 127.0.0.1:${portOf(mock.url)}\r\n\r\n`);
  let text = "";
  for await (const chunk of socket) text += chunk;
  assert.match(text, /^HTTP\/1\.1 405 /);
});

test("the mock refuses a body nested past what it can write back, before storing anything, and a rule it could not send", async () => {
  const gist = createMockGist();
  const contacts = gist.state.contacts.length;
  const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
  const post = (path, body) => gist.handle(new Request(`http://mock.test${path}`, { method: "POST", headers: { authorization: "Bearer mock-key", "content-type": "application/json" }, body }));
  assert.equal((await post("/contacts", `{"email":"deep@example.com","name":${deep}}`)).status, 422);
  assert.equal((await post("/events", `{"event_name":"x","email":"deep@example.com","properties":{"p":${deep}}}`)).status, 422);
  assert.equal(gist.state.contacts.length, contacts, "nothing stored");
  const listed = await gist.handle(new Request("http://mock.test/contacts", { headers: { authorization: "Bearer mock-key" } }));
  assert.equal(listed.status, 200, "lists still answer");
  assert.throws(() => gist.fail({ status: 500, headers: { x: "\u0001" } }), TypeError);
  assert.throws(() => gist.fail({ status: 500, body: JSON.parse(deep) }), TypeError);
});

test("a mock served on ::1 gives a URL that fetch can use", async (t) => {
  let served;
  try {
    served = await serveMock({ port: 0, host: "::1" });
  } catch (error) {
    if (["EADDRNOTAVAIL", "EAFNOSUPPORT"].includes(error.code)) return t.skip(`no IPv6 loopback here (${error.code})`);
    throw error;
  }
  try {
    assert.match(served.url, /^http:\/\/\[::1\]:\d+$/);
    assert.equal((await fetch(`${served.url}/tags`, { headers: { authorization: "Bearer mock-key" } })).status, 200);
  } finally {
    await served.close();
  }
});

test("toNodeListener settles, and calls no handler, when the client goes away before its body ends", async () => {
  const { toNodeListener } = await import("gist-wasm/mock/server");
  const handled = [];
  const settled = [];
  const listener = toNodeListener(async (request) => (handled.push(request.url), new Response("ok")));
  const server = createServer((req, res) => listener(req, res).then(() => settled.push("settled")));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const socket = connect(server.address().port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("POST /contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\"");
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    for (let i = 0; i < 50 && settled.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual([settled, handled], [["settled"], []]);
  } finally {
    server.close();
  }
});
