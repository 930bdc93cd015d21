// The demo server and page against what an outside review (r68) found: other sites' pages may neither
// hold the webhook stream's places nor post through /proxy/, and the page's own receiver comes back once
// a place frees up. In headless Chromium, with another site's page on evil.test (mapped to loopback).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { launchChromium } from "./chromium.mjs";
import { startServer } from "./loopback.mjs";
import { startDemoServer } from "../../www/server.mjs";

let browser;

before(async () => {
  browser = await launchChromium(["--host-resolver-rules=MAP evil.test 127.0.0.1"]);
});

after(async () => {
  await browser?.close();
});

/** A page on evil.test (another site) that runs `script`, given the demo's URL as T. */
async function otherSite(demoUrl, script) {
  const site = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><title>elsewhere</title><body><script>const T = ${JSON.stringify(demoUrl)};\n${script}</script>`);
  });
  return { url: `http://evil.test:${site.port}/`, close: () => site.close() };
}

/** Sends a GET of `path` to `url` with `headers`; resolves its status, and destroys the connection. */
const statusOf = (url, path, headers = {}) => new Promise((resolve, reject) => {
  const req = request(`${url}${path}`, { headers }, (res) => {
    resolve(res.statusCode);
    req.destroy();
  });
  req.on("error", reject);
  req.end();
});

test("another site's <img>, <iframe> and no-cors fetch hold no place of /webhooks/stream (an outside review: they held all 20)", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  const site = await otherSite(demo.url, `
    for (let i = 0; i < 2; i++) { const img = new Image(); img.src = T + "/webhooks/stream"; document.body.append(img); }
    for (let i = 0; i < 2; i++) { const frame = document.createElement("iframe"); frame.src = T + "/webhooks/stream"; document.body.append(frame); }
    for (let i = 0; i < 2; i++) fetch(T + "/webhooks/stream", { mode: "no-cors" }).catch(() => {});`);
  const page = await browser.newPage();
  t.after(async () => {
    await page.close();
    await site.close();
    await demo.close();
  });
  const statuses = [];
  page.on("response", (r) => r.url().endsWith("/webhooks/stream") && statuses.push(r.status()));
  await page.goto(site.url, { waitUntil: "domcontentloaded" }); // before: the streams never let "load" come
  await page.waitForTimeout(2000);
  assert.equal(demo.webhooks.watching, 0);
  assert.ok(statuses.length > 0 && statuses.every((s) => s === 403), `stream answers: ${statuses}`);
});

test("another site's no-cors POST through /proxy/ is refused, not forwarded (an outside review: it reached the upstream)", async (t) => {
  const upstream = await startServer();
  const demo = await startDemoServer({ port: 0, proxyTarget: upstream.url });
  const site = await otherSite(demo.url, `fetch(T + "/proxy/tags", { method: "POST", mode: "no-cors", body: '{"name":"x"}' }).catch(() => {});`);
  const page = await browser.newPage();
  t.after(async () => {
    await page.close();
    await site.close();
    await demo.close();
    await upstream.close();
  });
  const answered = page.waitForResponse((r) => r.url().includes("/proxy/tags"));
  await page.goto(site.url);
  assert.equal((await answered).status(), 403);
  assert.equal(upstream.requests.length, 0);
});

test("Sec-Fetch-Site decides: cross-site and same-site are refused, same-origin, none and no header pass (stream, /proxy/, /webhooks)", async (t) => {
  const upstream = await startServer();
  const demo = await startDemoServer({ port: 0, proxyTarget: upstream.url });
  t.after(async () => {
    await demo.close();
    await upstream.close();
  });
  for (const [site, status] of [["cross-site", 403], ["same-site", 403], ["same-origin", 200], ["none", 200], [undefined, 200]]) {
    const headers = site === undefined ? {} : { "sec-fetch-site": site };
    assert.equal(await statusOf(demo.url, "/webhooks/stream", headers), status, `stream, ${site}`);
    assert.equal((await fetch(`${demo.url}/proxy/tags`, { headers })).status, status, `proxy, ${site}`);
    const posted = await fetch(`${demo.url}/webhooks`, { method: "POST", headers, body: "{}" });
    assert.equal(posted.status, status === 200 ? 202 : status, `webhooks, ${site}`);
    // The mock's controls too (a review of the fix: another site could set failures or reset the mock).
    const reset = await fetch(`${demo.url}/api/__mock/reset`, { method: "POST", headers });
    assert.equal(reset.status, status, `mock reset, ${site}`);
  }
  // An Origin not this server's: refused by the proxy and the mock's controls, whatever Sec-Fetch-Site says.
  const origin = { origin: "http://evil.example" };
  assert.equal((await fetch(`${demo.url}/proxy/tags`, { method: "POST", headers: origin, body: "{}" })).status, 403);
  assert.equal((await fetch(`${demo.url}/api/__mock/fail`, { method: "POST", headers: origin, body: '{"status":503}' })).status, 403);
});

test("the page's live receiver makes a new EventSource after a 503, and shows deliveries once a place frees up (an outside review: it never came back)", async (t) => {
  const demo = await startDemoServer({ port: 0, maxWatchers: 1 });
  const page = await browser.newPage();
  // Another watcher holds the one place while the page first connects.
  const holder = request(`${demo.url}/webhooks/stream`);
  holder.on("error", () => {});
  const held = new Promise((resolve) => holder.on("response", resolve));
  holder.end();
  await held;
  t.after(async () => {
    holder.destroy();
    await page.close();
    await demo.close();
  });
  const refused = page.waitForResponse((r) => r.url().endsWith("/webhooks/stream") && r.status() === 503);
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#tab-webhooks");
  await refused;
  assert.equal(demo.webhooks.watching, 1);
  holder.destroy();
  await page.waitForFunction(() => document.getElementById("receiver-status").textContent === "Listening.", null, { timeout: 15_000 });
  assert.equal(demo.webhooks.watching, 1);
  const posted = await fetch(`${demo.url}/webhooks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic: "user.created", contact: { id: 7 } }) });
  assert.equal(posted.status, 202);
  await page.waitForSelector("#deliveries li");
});

test("a time past Date's range shows as its number, and the rest of the result still renders (an outside review: RangeError: Invalid time value, no result)", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  t.after(async () => {
    await page.close();
    await demo.close();
  });
  const posted = await fetch(`${demo.url}/api/events`, { method: "POST", headers: { authorization: "Bearer mock-key", "content-type": "application/json" }, body: JSON.stringify({ event_name: "far_future", id: 1001, occurred_at: 1e15 }) });
  assert.equal(posted.status, 200);
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#tab-events");
  await page.click("#tab-listEvents");
  await page.click("#call-listEvents button[type=submit]");
  await page.locator("#call-listEvents .result > *").first().waitFor();
  await page.waitForFunction(() => !document.querySelector("#call-listEvents .progress"));
  assert.doesNotMatch(await page.locator("#call-listEvents .result").innerText(), /Invalid time value/);
  const row = await page.locator("#call-listEvents .result tbody tr", { hasText: "far_future" }).innerText();
  assert.match(row, /\b1000000000000000\b/);
  assert.deepEqual(errors, []);
});

test("the page's live receiver shows the last 50 deliveries, as the server keeps (an outside review: the list grew without end)", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  const page = await browser.newPage();
  t.after(async () => {
    await page.close();
    await demo.close();
  });
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#tab-webhooks");
  await page.waitForFunction(() => document.getElementById("receiver-status").textContent === "Listening.");
  for (let i = 1; i <= 55; i++) {
    const posted = await fetch(`${demo.url}/webhooks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic: "user.created", contact: { id: i } }) });
    assert.equal(posted.status, 202);
  }
  await page.waitForFunction(() => document.querySelector("#deliveries li")?.textContent.includes("contact 55"));
  await page.waitForTimeout(500);
  const shown = await page.$$eval("#deliveries li", (items) => items.map((li) => li.textContent));
  assert.equal(shown.length, 50);
  assert.ok(shown.at(-1).includes("contact 6"), shown.at(-1));
});
