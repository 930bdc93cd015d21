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
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { launchChromium } from "./chromium.mjs";
import { startServer } from "./loopback.mjs";
import { startDemoServer } from "../../www/server.mjs";

const LOOPBACK_PAGE = "http://localhost:9";
const KEY = { authorization: "Bearer mock-key" };

/** POSTs a failure rule to the demo's mock as a page of another loopback origin would. */
const plant = (demo, rule) => fetch(`${demo.url}/api/__mock/fail`, { method: "POST", headers: { origin: LOOPBACK_PAGE, "content-type": "application/json" }, body: JSON.stringify(rule) });

test("a failure rule may set only headers an API answer has: a page's or a script's type, or any other header, is a 400 that names it", async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const refused = [
    ["content-type", { "content-type": "text/html" }],
    ["content-type", { "Content-Type": "text/javascript" }],
    ["content-type", { "content-type": "application/javascript; charset=utf-8" }],
    ["service-worker-allowed", { "content-type": "application/json", "Service-Worker-Allowed": "/" }],
    ["set-cookie", { "set-cookie": "session=1" }],
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
