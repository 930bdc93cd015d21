// Findings of outside reviews (2026-12-07, twenty-seventh round), in Node through the built package over
// real HTTP on loopback: what a write's failure says about whether it may have acted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GistClient, handleWebhook, signWebhook } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { startServer } from "./loopback.mjs";

const json = (res, status, value) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
};

test("tagContacts: a failed target's error says by `mayHaveActed` whether its batch may have tagged it, as its message points to (an outside review: no such field)", async (t) => {
  let batches = 0;
  const server = await startServer((req, res) => {
    if (req.method !== "POST") return json(res, 404, {});
    batches++;
    if (batches === 1) return json(res, 500, { errors: [{ code: "boom", message: "boom" }] });
    if (batches === 2) return json(res, 503, { errors: [{ code: "busy", message: "busy" }] });
    return json(res, 200, { tag: { id: 7, name: "VIP" } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  t.after(() => gist.free());
  const users = Array.from({ length: 120 }, (_, i) => ({ id: i + 1 }));
  const result = await gist.tagContacts({ tag: "VIP", users });
  assert.equal(result.tagged, 20);
  assert.equal(result.failed.length, 100);
  const byBatch = (from, to) => result.failed.filter((f) => f.target.id > from && f.target.id <= to).map((f) => f.error.mayHaveActed);
  assert.deepEqual(new Set(byBatch(0, 50)), new Set([true]), "the batch answered 500 may have tagged");
  assert.match(result.failed[0].error.message, /mayHaveActed/);
  assert.deepEqual(new Set(byBatch(50, 100)), new Set([false]), "the batch answered 503 was refused");
});

test("a write aborted by its caller while a refusal's body comes says it did not act, as a timeout there does (an outside review: mayHaveActed true)", async (t) => {
  const server = await startServer((req, res) => {
    res.writeHead(503, { "content-type": "application/json", "content-length": 100 });
    res.write('{"errors":[');
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  t.after(() => gist.free());
  for (const [name, signal] of [["a caller's abort", () => { const c = new AbortController(); setTimeout(() => c.abort(), 300); return c.signal; }], ["AbortSignal.timeout", () => AbortSignal.timeout(300)]]) {
    const error = await gist.createUser({ user_id: 1, email: "ada@example.com" }, { signal: signal() }).then(() => assert.fail("resolved"), (e) => e);
    assert.ok(["aborted", "timeout"].includes(error.code), `${name}: ${error.code}`);
    assert.equal(error.mayHaveActed, false, name);
  }
  const timedOut = await gist.createUser({ user_id: 1, email: "ada@example.com" }, { timeoutMs: 300 }).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(timedOut.mayHaveActed, false, "timeoutMs");
});

test("handleWebhook verifies a body whose stream gives a chunk on a SharedArrayBuffer, as verifyWebhook does (an outside review: Web Crypto refused it, invalid_argument)", async () => {
  const body = '{"topic":"user.created","contact":{"id":1}}';
  const verify = { secret: "s3cret", scheme: "hmac-sha256" };
  const headers = await signWebhook(body, verify);
  const encoded = new TextEncoder().encode(body);
  const shared = new Uint8Array(new SharedArrayBuffer(encoded.length));
  shared.set(encoded);
  const stream = new ReadableStream({ start(controller) { controller.enqueue(shared); controller.close(); } });
  const request = new Request("http://127.0.0.1/hook", { method: "POST", body: stream, headers, duplex: "half" });
  const event = await handleWebhook(request, { verify });
  assert.equal(event.kind, "contact");
  assert.equal(event.contact.id, 1);
});

test("headers longer than a string can hold are a GistError, not a RangeError (an outside review)", async () => {
  // In a process of its own: the header value takes 270 MB.
  const program = `
    const { parseWebhook, verifyWebhook, GistError } = await import("gist-wasm");
    const value = "a".repeat(2.7e8);
    const headers = { "x-a": value, "x-b": value };
    const seen = [];
    for (const run of [() => verifyWebhook({ body: "{}", headers }, { secret: "k" }), async () => parseWebhook("{}", headers)]) {
      try { await run(); seen.push("answered"); } catch (error) { seen.push(error instanceof GistError ? error.code : String(error)); }
    }
    console.log(JSON.stringify(seen));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--max-old-space-size=2048", "--input-type=module", "-e", program], { timeout: 60_000, cwd: new URL("../..", import.meta.url) });
  assert.deepEqual(JSON.parse(stdout), ["invalid_argument", "invalid_argument"]);
});

test("tagContacts: a batch the client's pacing held past the deadline was not sent, and its targets say so (a review of the fix above: mayHaveActed true, \"may have been tagged\")", async () => {
  const mock = createMockGist();
  let posts = 0;
  const fetch = (url, init) => ((posts += init.method === "POST" ? 1 : 0), mock.fetch(url, init));
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch, requestsPerSecond: 1, maxRetries: 0, logLevel: "off" });
  const users = Array.from({ length: 120 }, (_, i) => ({ id: i + 1 }));
  // The second batch's turn comes 1 s into a wait that may take 1.25 s (half the 2.5 s left); the third's
  // 1 s into one that may take 0.75 s: held, not sent.
  const result = await gist.tagContacts({ tag: "Paced", users }, { timeoutMs: 2500 });
  assert.equal(posts, 2, "two batches went, one a second");
  assert.equal(result.failed.length, 20);
  for (const { error } of result.failed) {
    assert.equal(error.code, "timeout");
    assert.equal(error.mayHaveActed, false);
    assert.doesNotMatch(error.message, /may have been tagged/);
  }
});
