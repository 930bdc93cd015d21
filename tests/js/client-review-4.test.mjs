// Findings of the outside review of the step protocol and the runtime (2026-12-05, later), through the
// built package in Node: a list page written over several lines, a global fetch replaced after import,
// a fetch's bogus status, an argument too large to send.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { startServer } from "./loopback.mjs";

const KEY = "mock-key-review-4-9f2c";

// A fetch answering each page of contacts in turn (the last again past the end), and the URLs it got.
function pagesFetch(pages) {
  const urls = [];
  const fetch = async (url) => {
    urls.push(url);
    return new Response(pages[Math.min(urls.length - 1, pages.length - 1)], { headers: { "content-type": "application/json" } });
  };
  return { fetch, urls };
}

test("a list whose pages Gist writes over several lines, which the core reads itself, hands out every item", async () => {
  // A user_id past 2^53 is read by the core (JSON.parse would round it); the item's other fields keep
  // Gist's line breaks, and its items ride on the next page's request.
  const pages = [
    '{"contacts":[{"id":1,"user_id":12345678901234567890,"type":"user","extra":{"a":\n1},\r\n"tags":[\n]}],\n"pages":{"next":"2"}}',
    '{\n  "contacts": [\n    {"id": 2, "user_id": 98765432109876543210, "type": "user"}\n  ]\n}',
  ];
  const { fetch, urls } = pagesFetch(pages);
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.test", perPage: 1, maxRetries: 0, fetch });
  const users = await gist.listUsers({ limit: 5 });
  assert.deepEqual(users.map((user) => [user.id, user.user_id, user.extra]), [[1, "12345678901234567890", { a: 1 }], [2, "98765432109876543210", undefined]]);
  assert.ok(urls.length >= 2, "both pages were asked for");
});

test("a retrying fetch set as globalThis.fetch after import is a caller's fetch: its ECONNREFUSED does not resend a write", async (t) => {
  let posts = 0;
  const server = await startServer((req, res) => {
    posts += 1;
    req.socket.destroy(); // the write arrived, and no answer will
  });
  t.after(() => server.close());
  const runtimeFetch = globalThis.fetch;
  t.after(() => { globalThis.fetch = runtimeFetch; });
  // Retries once, and then throws what a refused connection throws, as if the server went down.
  globalThis.fetch = async (url, init) => {
    try {
      return await runtimeFetch(url, init);
    } catch {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    }
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 2, logLevel: "off" });
  const error = await gist.createTag("once").catch((e) => e);
  assert.deepEqual([error.code, error.mayHaveActed], ["network_error", true], String(error));
  assert.equal(posts, 1, "the write was sent once");
});

test("a fetch that answers a status that is not an HTTP status (a BigInt, a Symbol, a string, a fraction) fails network_error", async () => {
  for (const status of [200n, Symbol("200"), "200", 2.5, -1]) {
    const fetch = async () => ({ status, headers: new Headers({ "content-type": "application/json" }), body: null, text: async () => '{"contact":{"id":1,"user_id":"1"}}' });
    const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.test", maxRetries: 0, fetch });
    const error = await gist.fetchUser({ id: 1 }).then(() => "resolved", (e) => e);
    assert.ok(error instanceof GistError, `${String(status)}: ${error}`);
    assert.equal(error.code, "network_error", String(status));
    assert.match(error.message, /not an HTTP status/);
  }
});

test("an argument of more than 8 MiB as JSON is invalid_argument before anything is sent, as a query or a body", async () => {
  let sent = 0;
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.test", fetch: async () => { sent += 1; return new Response("{}"); } });
  const huge = "é".repeat(8 * 1024 * 1024 + 1);
  for (const call of [() => gist.apiCall({ url: "/contacts", query: { q: huge } }), () => gist.createTag(huge), () => gist.apiCall({ url: "/x", method: "POST", body: { a: [huge.slice(0, 5e6), huge.slice(0, 5e6)] } })]) {
    const error = await call().catch((e) => e);
    assert.ok(error instanceof GistError, String(error));
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, /more than the 8388608 bytes as JSON that an argument may take/);
  }
  assert.equal(sent, 0);
  assert.equal((await gist.apiCall({ url: "/contacts", query: { q: "é".repeat(1e6) } })).status, 200, "a large argument under the cap is sent");
  // An array's items are counted without their indexes (an outside review: 2 MB of zeros was refused as past 8 MiB).
  assert.equal((await gist.apiCall({ url: "/x", method: "POST", body: new Array(2e6).fill(0) })).status, 200, "4 MB of JSON is sent");
  // Counted as written: a Date as its seconds, a member left undefined as nothing (an outside review:
  // 3.85 MB of Dates and 1.3 MB of objects with undefined fields were refused), and in UTF-8 bytes.
  const dates = Array.from({ length: 350_000 }, () => new Date(1.7e12));
  const sparse = Array.from({ length: 100_000 }, (_, id) => ({ id, a: undefined, b: undefined, c: undefined, d: undefined, e: undefined, f: undefined }));
  for (const body of [dates, sparse]) assert.equal((await gist.apiCall({ url: "/x", method: "POST", body })).status, 200);
  const wide = await gist.apiCall({ url: "/x", method: "POST", body: { text: "€".repeat(3e6) } }).catch((e) => e);
  assert.match(wide.message, /more than the 8388608 bytes as JSON/, "9 MB of UTF-8 in 3e6 UTF-16 units");
});

test("a key a server echoes as base64 wrapped in lines (Ruby's every 60 characters, MIME's every 76), raw or JSON-escaped, is in no error", async () => {
  const key = `sk_live_${"0123456789abcdef".repeat(5)}`;
  const base64 = Buffer.from(`Authorization: Bearer ${key}\r\n`).toString("base64");
  for (const [width, newline] of [[60, "\n"], [76, "\r\n"]]) {
    const wrapped = base64.match(new RegExp(`.{1,${width}}`, "g")).join(newline);
    for (const body of [`{"errors":[{"code":"echo","message":${JSON.stringify(wrapped)}}]}`, `you sent:\n${wrapped}`]) {
      const fetch = async () => new Response(body, { status: 422, headers: { "content-type": "application/json" } });
      const error = await new GistClient({ apiKey: key, baseUrl: "http://gist.test", maxRetries: 0, fetch }).listTags().catch((e) => e);
      // The key's part of the blob (its first 22 bytes are "Authorization: Bearer "), line breaks taken out.
      const shown = JSON.stringify({ ...error, message: error.message }).replace(/\\r|\\n|\r|\n/g, "");
      assert.ok(error instanceof GistError, String(error));
      assert.ok(!shown.includes(base64.slice(40, 100)), `${width}: ${error.message}`);
    }
  }
});
