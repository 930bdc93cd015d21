// Findings of outside reviews of keys, redirects and a caller's fetch (2026-12-06, twenty-fifth round), in
// Node through the built package: a caller's fetch answering a status that holds the key, following a
// redirect, or answering Response.error(); an option named by a key the constructor refuses; the mock's
// limit() with a misspelled setting; the mock server's command line given a real key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { GistClient, GistError } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { json, startServer } from "./loopback.mjs";

const KEY = "gK7live9Qw2ErT5yU1iO3pAzXc4Vb6Nm8Lk0Jh2";

// Whether `text` holds 12 characters of the key in a row, or the start of an email's local part.
const leaks = (text) => {
  for (let i = 0; i + 12 <= KEY.length; i++) if (text.toLowerCase().includes(KEY.slice(i, i + 12).toLowerCase())) return true;
  return text.includes("ada.lovela");
};

test("a status a caller's fetch answers is named by its type, not cut to 40 characters before the scrubber runs (an outside review: 38 of the key's 40 characters showed)", async () => {
  for (const status of [`s-${KEY}`, "x-ada.lovelace@example.com", 65736]) {
    const fetch = async () => ({ status, headers: new Headers(), text: async () => "" });
    const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.test", maxRetries: 0, fetch });
    const error = await gist.fetchUser({ id: 1 }).catch((e) => e);
    assert.ok(error instanceof GistError && error.code === "network_error", String(error));
    assert.match(error.message, /not an HTTP status/);
    for (const text of [error.message, String(error.cause?.message), JSON.stringify(error), inspect(error, { showHidden: true })]) assert.ok(!leaks(text), text);
    gist.free();
  }
});

test("an answer a caller's fetch reached by following a redirect is refused as a redirect, never read as Gist's (an outside review)", async (t) => {
  let followed = 0;
  const server = await startServer((req, res) => {
    if (req.url.startsWith("/api/")) {
      res.writeHead(307, { location: "/elsewhere" });
      return res.end();
    }
    followed += 1;
    json(res, 200, { contact: { id: 1, type: "user", user_id: "1" } });
  });
  t.after(() => server.close());
  // A wrapper that rebuilds init from its method, headers, body and signal: `redirect: "manual"` is lost.
  const following = (url, init) => fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal });
  const gist = new GistClient({ apiKey: KEY, baseUrl: `${server.url}/api`, maxRetries: 0, fetch: following });
  t.after(() => gist.free());
  const error = await gist.fetchUser({ id: 1 }).catch((e) => e);
  assert.equal(followed, 1, "the wrapper followed it");
  assert.ok(error instanceof GistError && error.code === "invalid_response", String(error));
  assert.match(error.message, /redirect/);
});

test("Response.error() from a caller's fetch is a network_error, not a redirect (an outside review)", async () => {
  let sent = 0;
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.test", maxRetries: 0, fetch: async () => ((sent += 1), Response.error()) });
  for (const call of [() => gist.fetchUser({ id: 1 }), () => gist.createTag("vip")]) {
    const error = await call().catch((e) => e);
    assert.ok(error instanceof GistError && error.code === "network_error", String(error));
    assert.doesNotMatch(error.message, /redirect/);
  }
  gist.free();
});

test("an option named by the key, beside a key the constructor refuses, shows no run of it (an outside review)", () => {
  for (const [apiKey, field] of [[`Bearer ${KEY}`, KEY], [`${KEY}é`, KEY.toUpperCase()], [`${KEY}\n`, KEY]]) {
    const error = (() => {
      try {
        return new GistClient({ apiKey, [field]: 1 });
      } catch (thrown) {
        return thrown;
      }
    })();
    assert.ok(error instanceof GistError && error.code === "invalid_argument", String(error));
    assert.ok(!leaks(error.message), error.message);
  }
});

test("the mock's limit() refuses a setting it does not have, as createMockGist and fail() do (an outside review: it was ignored)", () => {
  const mock = createMockGist();
  assert.throws(() => mock.limit({ perSecond: 5, brust: 2 }), (e) => e instanceof TypeError && /brust/.test(e.message));
  assert.throws(() => mock.limit(5), TypeError);
  mock.limit({ perSecond: 5, burst: 2 });
  mock.limit(null);
});

test("the mock server's command line names the default key, not one given by --key (an outside review: a CI log showed it)", async () => {
  const server = fileURLToPath(new URL("../../node_modules/gist-wasm/mock-server.js", import.meta.url));
  // Its first line, once it listens; then it is stopped.
  const firstLine = (args) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server, "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => (child.kill(), reject(new Error("no line in 10 s"))), 10_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      child.kill();
      resolve(out);
    });
  });
  const given = await firstLine(["--key", KEY]);
  assert.match(given, /mock Gist API on http:\/\/127\.0\.0\.1:\d+/);
  assert.ok(!given.includes(KEY), given);
  assert.match(await firstLine([]), /key: mock-key/);
});
