// Findings of the thirty-first round's outside reviews, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { startServer } from "./loopback.mjs";
import { recordEventBatch, slowLedger } from "./queued.mjs";
import { GistClient, GistError, handleWebhook, parseWebhook, verifyWebhook } from "gist-wasm";
import { GistPacer, consume, pacedFetch } from "gist-wasm/queues";

test("a delivery past the longest string the runtime holds is invalid_webhook 413, not the runtime's own error (an outside review: Node's ERR_STRING_TOO_LONG, Deno's TypeError)", async () => {
  const length = 2 ** 29; // 512 MiB of "{", spaces and "}": a JSON object, one byte past V8's longest string
  const bytes = new Uint8Array(length).fill(0x20);
  bytes[0] = 0x7b;
  bytes[length - 1] = 0x7d;
  const error = await handleWebhook(new Request("http://hook.test/", { method: "POST", body: bytes }), { maxBodyBytes: length }).then(() => undefined, (e) => e);
  assert.ok(error instanceof GistError, String(error));
  assert.deepEqual([error.code, error.status], ["invalid_webhook", 413]);
  assert.match(error.message, /too large to read/);
});

test("a decoder that cuts a delivery's text short without a word (Bun's, past its longest string) is read as too large, not as a body that is not JSON", async (t) => {
  const Real = globalThis.TextDecoder;
  globalThis.TextDecoder = class extends Real {
    decode(input) {
      return input?.byteLength > 64 ? "" : super.decode(input);
    }
  };
  t.after(() => (globalThis.TextDecoder = Real));
  const body = JSON.stringify({ topic: "user.created", contact: { id: 1, type: "user", name: "x".repeat(100) } });
  const error = await handleWebhook(new Request("http://hook.test/", { method: "POST", body })).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.status], ["invalid_webhook", 413]);
  // A short body still reads.
  const event = await handleWebhook(new Request("http://hook.test/", { method: "POST", body: '{"topic":"t"}' }));
  assert.equal(event.topic, "t");
});

test("a repeated header reads as its lines joined, as a Fetch Headers gives it, however the headers are handed in (an outside review: [name, value] pairs took the first line, Headers the joined one)", async () => {
  for (const tokens of [["s3cret", "forged"], ["forged", "s3cret"]]) {
    const pairs = [...tokens.map((token) => ["x-gist-webhook-token", token]), ["x-gist-topic", "user.created"], ["X-Gist-Topic", "user.deleted"]];
    const headers = new Headers(pairs);
    for (const given of [pairs, headers]) {
      assert.equal(await verifyWebhook({ body: "{}", headers: given }, { secret: "s3cret" }), false, `${tokens} ${given.constructor.name}`);
      assert.equal(parseWebhook('{"contact":{"id":1}}', given).topic, "user.created, user.deleted");
      // The core's reading (a body only it reads exactly) gives the same topic.
      assert.equal(parseWebhook('{"contact":{"id":1,"user_id":5}}', given).topic, "user.created, user.deleted");
    }
  }
});

test("pacedFetch whose pacer answers with headers and a body that never ends falls back to its own pacing after 2 s, as when it does not answer (an outside review: every call waited its whole deadline, unsent)", async () => {
  const stalled = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"waitMs":')) });
  const namespace = { idFromName: (name) => name, get: () => ({ fetch: async () => new Response(stalled, { headers: { "content-type": "application/json" } }) }) };
  let sent = 0;
  const fetch = pacedFetch(namespace, "k", { requestsPerSecond: 10, fetch: async () => (sent++, Response.json({ tags: [] })) });
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", fetch, timeoutMs: 8000, logLevel: "off" });
  const started = performance.now();
  assert.deepEqual(await gist.listTags(), []);
  const ms = performance.now() - started;
  assert.equal(sent, 1);
  assert.ok(ms >= 1900 && ms < 4000, `sent after ${Math.round(ms)} ms`);
});

test("a recordEvent whose ledger mark runs past its call's deadline is not sent, and its request is told to no hook, with a fetch that waits or not (an outside review: the request hook heard of it)", async () => {
  for (const paced of [false, true]) {
    let sent = 0;
    const toGist = async () => (sent++, Response.json({ event: { id: 1 } }));
    const pacer = new GistPacer();
    const namespace = { idFromName: (name) => name, get: () => ({ fetch: (url, init) => pacer.fetch(new Request(url, init)) }) };
    const told = [];
    const gist = new GistClient({
      apiKey: "k", baseUrl: "https://api.getgist.com", timeoutMs: 300, logLevel: "off",
      fetch: paced ? pacedFetch(namespace, "k", { requestsPerSecond: 10, fetch: toGist }) : toGist,
      hooks: { request: (info) => told.push(`request ${info.path}`), response: (info) => told.push(`response ${info.status}`) },
    });
    const verdicts = [];
    await consume(await recordEventBatch(verdicts), gist, { deadLetterQueue: { send: async () => {}, sendBatch: async () => {} }, ledger: slowLedger(600) });
    assert.deepEqual({ sent, told, verdicts }, { sent: 0, told: [], verdicts: ["retry"] }, paced ? "pacedFetch" : "a plain fetch");
  }
});

test("apiCall rejects an answer whose status is past 599, no HTTP status, as every other call does (an outside review: it resolved { status: 600 })", async (t) => {
  const server = createServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 600 Odd\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: `http://127.0.0.1:${server.address().port}`, logLevel: "off" });
  t.after(() => gist.free());
  const error = await gist.apiCall({ url: "/x" }).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.status], ["invalid_response", 600]);
});

test("an answer refused for a redirect or for passing maxResponseBytes keeps its status and request id, and a raw call's answer of any status past it is refused too (outside reviews: requestId was dropped; apiCall resolved a 404 past the cap)", async (t) => {
  let answer;
  const server = await startServer((req, res) => answer(res));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logLevel: "off", maxRetries: 0, maxResponseBytes: 1000 });
  t.after(() => gist.free());
  const headers = { "content-type": "application/json", "x-request-id": "req-42" };
  const big = JSON.stringify({ contact: { id: 1, type: "user", user_id: "1" }, pad: "x".repeat(5000) });
  const cases = [
    [() => gist.fetchUser({ id: 1 }), (res) => res.writeHead(302, { ...headers, location: "/elsewhere" }).end(), 302],
    [() => gist.fetchUser({ id: 1 }), (res) => res.writeHead(200, headers).end(big), 200],
    [() => gist.apiCall({ url: "/x" }), (res) => res.writeHead(200, headers).end(big), 200],
    [() => gist.apiCall({ url: "/x" }), (res) => res.writeHead(404, headers).end(big), 404],
  ];
  for (const [call, answering, status] of cases) {
    answer = answering;
    const error = await call().then(() => undefined, (e) => e);
    assert.deepEqual([error?.code, error?.status, error?.requestId], ["invalid_response", status, "req-42"], String(status));
  }
});

test("a Date or a boxed value naming a contact is refused, not turned into its id; an Error or RegExp is refused where JSON would write {} (outside reviews: deleteUser({ id: new Date(1003999) }) deleted contact 1003)", async (t) => {
  const sent = [];
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", logLevel: "off", fetch: async (url, init) => (sent.push(`${init.method} ${new URL(url).pathname}`), Response.json({ contact: { id: 1003, type: "user" } })) });
  t.after(() => gist.free());
  const refused = [
    () => gist.fetchUser({ id: new Number(1001) }),
    () => gist.deleteUser({ id: new Date(1003999) }),
    () => gist.fetchUser({ user_id: new String("5007") }),
    () => gist.tagContacts({ tag: "t", users: [{ id: new Date(3000) }] }),
    () => gist.recordEvent({ event_name: "failed", user: { id: 1 }, properties: { reason: new Error("card declined") } }),
    () => gist.recordEvent({ event_name: "failed", user: { id: 1 }, properties: { pattern: /x/ } }),
  ];
  for (const call of refused) {
    const error = await call().then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", String(call));
  }
  assert.deepEqual(sent, [], "nothing sent");
  assert.match((await refused[1]().catch((e) => e)).message, /id must be a number, not a Date object/);
  // A Date where a time goes, or in a custom property of any name, is still sent as Unix seconds.
  await gist.createUser({ user_id: 1, signed_up_at: new Date(5000), custom_properties: { id: new Date(7000) } }).catch(() => {});
  assert.deepEqual(sent, ["POST /contacts"]);
});

test("an argument nested past what the core reads is refused naming the bound, not as JSON it cannot read (an outside review)", async () => {
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", logLevel: "off" });
  let deep = 1;
  for (let i = 0; i < 200; i++) deep = { a: deep };
  const error = await gist.recordEvent({ event_name: "x", user: { id: 1 }, properties: deep }).then(() => undefined, (e) => e);
  gist.free();
  assert.equal(error?.code, "invalid_argument");
  assert.match(error.message, /nests arrays and objects more than 127 deep/);
});

test("headers of more characters than any server takes are invalid_argument, not a trap of the wasm (an outside review: a gigantic header trapped it, and parseWebhook blamed the body)", async () => {
  const huge = { "x-other": "a".repeat(33 * 2 ** 20), "x-gist-topic": "user.created" };
  const refused = await verifyWebhook({ body: "{}", headers: huge }, { secret: "s3cret" }).then(() => undefined, (e) => e);
  assert.equal(refused?.code, "invalid_argument");
  assert.match(refused.message, /headers are more than/);
  assert.throws(() => parseWebhook('{"contact":{"id":1,"user_id":5}}', huge), (e) => e.code === "invalid_argument" && /headers are more than/.test(e.message));
  assert.equal(parseWebhook('{"contact":{"id":1,"user_id":5}}', { "x-gist-topic": "user.created" }).topic, "user.created");
});

test("an Error or RegExp whose toJSON says what to write is sent as that, not refused; a record of header arrays is joined as a Headers joins them (a review of this round's fixes)", async (t) => {
  const bodies = [];
  const fetch = async (url, init) => {
    if (!init.body) return Response.json({ contact: { id: 1, type: "user", user_id: "1" } }); // the contact's lookup
    bodies.push(JSON.parse(init.body));
    return Response.json({ event: { id: 1 } });
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", logLevel: "off", fetch });
  t.after(() => gist.free());
  class AppError extends Error {
    toJSON() {
      return { name: this.name, message: this.message };
    }
  }
  await gist.recordEvent({ event_name: "failed", user: { id: 1 }, properties: { error: new AppError("card declined") } });
  assert.deepEqual(bodies[0].properties, { error: { name: "Error", message: "card declined" } });
  const distinct = { "x-gist-topic": ["contact.created", "x"] };
  assert.equal(parseWebhook('{"a":1}', distinct).topic, parseWebhook('{"a":1}', new Headers([["x-gist-topic", "contact.created"], ["x-gist-topic", "x"]])).topic);
});

test("apiCall through a caller's fetch rejects a status below 200, no final HTTP status, as one past 599 (a review of this round's fixes: { status: 42 } resolved)", async (t) => {
  const fake = (status) => async () => ({ type: "default", status, headers: new Headers(), body: null, text: async () => "", arrayBuffer: async () => new ArrayBuffer(0) });
  for (const status of [42, 99, 199]) {
    const gist = new GistClient({ apiKey: "k", baseUrl: "https://api.getgist.com", logLevel: "off", maxRetries: 0, fetch: fake(status) });
    const error = await gist.apiCall({ url: "/x" }).then((answer) => answer, (e) => e);
    gist.free();
    assert.equal(error?.code, "invalid_response", `${status}: ${JSON.stringify(error)}`);
  }
});
