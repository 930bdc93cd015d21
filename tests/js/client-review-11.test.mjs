// Findings of outside reviews of keys, redirects and a caller's fetch (2026-12-06, twenty-fifth round), in
// Node through the built package: a caller's fetch answering a status that holds the key, following a
// redirect, or answering Response.error(); an option named by a key the constructor refuses; the mock's
// limit() with a misspelled setting, its paging given fractions; the mock server's command line given a
// real key.
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
  for (const status of [`s-${KEY}`, "x-ada.lovelace@example.com"]) {
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

test("an option named by the key, beside a key the constructor refuses, shows no run of it (an outside review, and one of its fix)", () => {
  const refusal = (options) => {
    try {
      return new GistClient(options);
    } catch (thrown) {
      return thrown;
    }
  };
  for (const [apiKey, field] of [[`Bearer ${KEY}`, KEY], [`${KEY}é`, KEY.toUpperCase()], [`${KEY}\n`, KEY]]) {
    const error = refusal({ apiKey, [field]: 1 });
    assert.ok(error instanceof GistError && error.code === "invalid_argument", String(error));
    assert.ok(!leaks(error.message), error.message);
  }
  // Keys of short runs, or of characters past ASCII, as written (the fix's first form showed them).
  for (const apiKey of ["sk live 1234567 abcdefg", "clé-très-secrète-12345"]) {
    const error = refusal({ apiKey, hooks: { [apiKey]: () => {} } });
    assert.ok(error instanceof GistError && error.code === "invalid_argument", String(error));
    assert.ok(!error.message.includes(apiKey) && !error.message.includes("secr"), error.message);
  }
});

test("a misspelled option given as undefined is refused in a method's options too, and a filter given as undefined beside a cursor is not given (an outside review of this round's fix)", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "https://api.getgist.com", fetch: mock.fetch });
  const refused = (e) => e instanceof GistError && e.code === "invalid_argument";
  await assert.rejects(gist.fetchSegment(1, { includeCont: undefined }), refused);
  const walk = gist.iterUsers({ limit: 3 });
  for await (const _ of walk) void _;
  const saved = walk.cursor;
  // Before the fix's fix: "options.cursor carries the list's filters" for each of these.
  for (const filters of [{ tag_id: undefined }, { segment_id: undefined, order: undefined }]) {
    assert.equal((await gist.listUsers({ cursor: saved, limit: 2, ...filters })).length, 2);
    let n = 0;
    for await (const _ of gist.iterUsers({ cursor: saved, limit: 2, ...filters })) n += 1;
    assert.equal(n, 2);
  }
  gist.free();
});

test("the mock's limit() refuses a setting it does not have, as createMockGist and fail() do (an outside review: it was ignored)", () => {
  const mock = createMockGist();
  assert.throws(() => mock.limit({ perSecond: 5, brust: 2 }), (e) => e instanceof TypeError && /brust/.test(e.message));
  assert.throws(() => mock.limit(5), TypeError);
  // A Proxy whose traps throw, and a setting inherited, not given (a review of the fix).
  assert.throws(() => mock.limit(new Proxy({}, { ownKeys() { throw new Error("trap"); } })), TypeError);
  assert.throws(() => mock.limit(Object.create({ perSecond: 5 })), TypeError);
  mock.limit({ perSecond: 5, burst: 2 });
  mock.limit(null);
});

test("the mock reads page and per_page as whole numbers: page 1.5 is page 1, whose next link is page 2 (an outside review: it was served shifted, next page=2.5)", async () => {
  const mock = createMockGist();
  const ask = async (query) => (await mock.fetch(`https://api.getgist.com/tags${query}`, { headers: { authorization: "Bearer mock-key" } })).json();
  const [whole, half] = [await ask("?page=1&per_page=2"), await ask("?page=1.5&per_page=2.9")];
  assert.deepEqual(half.tags, whole.tags);
  assert.equal(new URL(half.pages.next).searchParams.get("page"), "2");
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
