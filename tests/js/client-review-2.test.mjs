// Findings of outside reviews of the client (2026-12-04), through the built package in Node against
// loopback servers: a 401, 403, 429 or 5xx keeps its code whatever Gist's items say (and
// gist-wasm/queues retries it); `requests` counts only what was sent; a withResponse() asked before
// free() resolves; the key in a header's name, in any case, reaches no hook nor withResponse(); a walk
// goes on past page 10,000; handleWebhook says when a request's body was already read; a contact's id
// is a number, not a string of digits; a value JSON cannot write is named by its whole path, which
// holds no key or email and walks only what JSON reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError, handleWebhook } from "gist-wasm";
import { consume, enqueue } from "gist-wasm/queues";
import { json, startServer } from "./loopback.mjs";

const code = (expected) => (e) => e instanceof GistError && e.code === expected;

test("a not_found item in an answer's body makes a 4xx not_found, but a 401, 403, 429 or 5xx keeps its code", async (t) => {
  let status = 400;
  const server = await startServer((req, res) => json(res, status, { errors: [{ code: "not_found", message: "upstream cache miss" }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const expected = { 400: "not_found", 404: "not_found", 422: "not_found", 401: "unauthorized", 403: "forbidden", 429: "rate_limited", 500: "server_error", 503: "server_error" };
  for (status of Object.keys(expected).map(Number)) {
    await assert.rejects(gist.fetchCampaign(7), code(expected[status]), `status ${status}`);
  }

  // gist-wasm/queues retries a 503 (with backoff), where a not_found would be final.
  status = 503;
  const sent = [];
  await enqueue({ send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) },
    [{ upsertUser: { user_id: 42, name: "Ada" } }]);
  const outcome = [];
  const messages = sent.map((body, i) => ({ id: `m${i}`, body, attempts: 1, ack: () => outcome.push("ack"), retry: () => outcome.push("retry") }));
  const dead = [];
  const deadLetterQueue = { send: async (body) => dead.push(body), sendBatch: async (ms) => dead.push(...ms) };
  await consume({ queue: "gist-sync", messages }, gist, { deadLetterQueue });
  assert.deepEqual([outcome, dead.length], [["retry"], 0]);
});

test("response.requests counts the requests sent, not those the pacer refused", async (t) => {
  let sent = 0;
  const server = await startServer((req, res) => { sent++; json(res, 200, { tag: { id: 3, name: "VIP" } }); });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, requestsPerSecond: 1, maxRetries: 0 });
  const users = Array.from({ length: 120 }, (_, i) => ({ id: i + 1 })); // three batches of at most 50
  const { data, response } = await gist.tagContacts({ tag: "VIP", users }, { timeoutMs: 500 }).withResponse();
  assert.ok(data.failed.length > 0, "the pacer held a batch past the deadline");
  assert.equal(response.requests, sent);
});

test("a withResponse() asked before free() resolves when its call settles after it; one asked after rejects", async (t) => {
  const server = await startServer((req, res) => setTimeout(() => json(res, 200, { contact: { id: 7, type: "user", user_id: "7" } }, { "x-request-id": "r1" }), 50));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const call = gist.fetchUser({ id: 7 });
  const asked = call.withResponse();
  const late = gist.fetchUser({ id: 7 });
  gist.free();
  const { data, response } = await asked;
  assert.deepEqual([data.id, response.status, response.headers.get("x-request-id")], [7, 200, "r1"]);
  await assert.rejects(late.withResponse(), code("invalid_argument"));
  await assert.rejects(gist.fetchUser({ id: 7 }), code("invalid_argument"));

  // The same through a `try ... finally { free() }` that returns the call's withResponse().
  const lookup = () => {
    const client = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
    try {
      return client.fetchUser({ id: 7 }).withResponse();
    } finally {
      client.free();
    }
  };
  assert.equal((await lookup()).response.status, 200);
});

test("the key in a header's name, in any case, reaches no hook and no withResponse()", async (t) => {
  const key = "sk_live_Zq9Xw2Lm4Np7Rt";
  const server = await startServer((req, res) => json(res, 200, { campaign: { id: 7 } }, { [`x-${key}`]: "1", "x-value": key }));
  t.after(() => server.close());
  const seen = [];
  const hooks = { request: (info) => seen.push(info), response: (info) => seen.push(info) };
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0, hooks });
  const { response } = await gist.fetchCampaign(7, { headers: { [`x-${key}`]: "1" } }).withResponse();
  const raw = await gist.apiCall({ url: "/campaigns/7" });
  assert.ok(seen.length >= 2);
  const texts = [JSON.stringify(seen), JSON.stringify([...response.headers]), JSON.stringify(raw.headers)];
  for (const text of texts) {
    for (const needle of [key, key.toLowerCase()]) assert.ok(!text.includes(needle), `${needle} in ${text}`);
  }
  assert.equal(response.headers.get("x-value"), "[redacted]");
  assert.equal(raw.headers["x-[redacted]"], "1", "apiCall keeps the header, its name scrubbed");
});

test("a walk resumed past page 10,000 goes on (a list* call reads at most 10,000 pages; a walk as many as its caller asks)", async (t) => {
  const pages = [];
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url, "http://x").searchParams.get("page"));
    pages.push(page);
    json(res, 200, { tags: [{ id: page, name: `t${page}` }] });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, perPage: 1, maxRetries: 0 });
  const walk = gist.iterTags();
  await walk.next();
  // The cursor's token is the walk's own; moved on to page 10,001, as a walk of 10,000 pages leaves it.
  const token = JSON.parse(Buffer.from(walk.cursor, "base64url").toString());
  assert.equal(token.page, 2);
  const far = Buffer.from(JSON.stringify({ ...token, page: 10_001 })).toString("base64url");
  const seen = [];
  for await (const tag of gist.iterTags({ cursor: far, limit: 2 })) seen.push(tag.id);
  assert.deepEqual(seen, [10_001, 10_002]);
  assert.deepEqual(pages.slice(1), [10_001, 10_002]);
});

test("handleWebhook on a request whose body was already read, or is locked by a reader, says so", async () => {
  const read = new Request("http://x/hook", { method: "POST", body: '{"topic":"user.created"}' });
  await read.text();
  const locked = new Request("http://x/hook", { method: "POST", body: '{"topic":"user.created"}' });
  locked.body.getReader();
  for (const request of [read, locked]) {
    await assert.rejects(handleWebhook(request), (e) => e instanceof GistError && e.code === "invalid_argument" && /already read \(or is being read\): pass the request to handleWebhook before/.test(e.message));
  }
});

test("a contact's id is a number: a string of digits is refused, and nothing is sent", async (t) => {
  let sent = 0;
  const server = await startServer((req, res) => { sent++; json(res, 200, { contact: { id: 1003, type: "user", user_id: "3" } }); });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  await assert.rejects(gist.fetchUser({ id: "1003" }), code("invalid_argument"));
  await assert.rejects(gist.deleteUser({ id: "1003" }), code("invalid_argument"));
  await assert.rejects(gist.tagContacts({ tag: "VIP", users: [{ id: "1003" }] }), code("invalid_argument"));
  assert.equal(sent, 0);
  assert.equal((await gist.fetchUser({ id: 1003 })).id, 1003);
});

test("a value JSON cannot write is named by its whole path, as the core names a field", async () => {
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const refused = (user) => gist.createUser(user).then(() => "sent", (e) => `${e.code} ${e.message}`);
  assert.match(await refused({ user_id: 1, custom_properties: { seats: Number.NaN } }), /^invalid_argument user\.custom_properties\.seats must be a finite number, not NaN$/);
  assert.match(await refused({ user_id: 1, custom_properties: { plan: { tiers: [1, Infinity] } } }), /^invalid_argument user\.custom_properties\.plan\.tiers\[1\] must be a finite number, not Infinity$/);
  assert.match(await refused({ user_id: 1, custom_properties: { big: 1n } }), /^invalid_argument user\.custom_properties\.big is a BigInt, which JSON cannot hold: convert it to the type the field needs$/);
});

test("a refused field's name holds neither the client's key nor an email, from the runtime or the core", async () => {
  const key = "sk_live_SECRETKEY123";
  const gist = new GistClient({ apiKey: key, baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const messages = [];
  const refused = async (call) => {
    try {
      await call();
      messages.push("sent");
    } catch (error) {
      messages.push(`${error.code} ${error.message}`);
    }
  };
  await refused(() => gist.createUser({ user_id: 1, custom_properties: { [key]: { x: Number.NaN } } }));
  await refused(() => gist.createUser({ user_id: 1, custom_properties: { "ada@example.com": { x: Number.NaN } } }));
  await refused(() => gist.createUser({ user_id: 1, custom_properties: { [key]: { a: { b: 1 } } } })); // the core's refusal
  await refused(() => gist.listUsers({ [key]: 1 }));
  await refused(async () => gist.iterUsers({ [key]: 1 }));
  await refused(() => gist.apiCall({ url: "/x", method: "POST", body: { [key.toLowerCase()]: 1n } }));
  await refused(() => gist.fetchUser({ id: 1 }, { headers: { [key]: Number.NaN } }));
  await refused(() => gist.listUsers({}, { headers: { [key.toLowerCase()]: new Date(Number.NaN) } }));
  await refused(() => gist.createUser({ user_id: 1, custom_properties: { "ada@example.com": { x: Number.NaN } } }));
  assert.equal(messages.at(-1), "invalid_argument user.custom_properties.[email].x must be a finite number, not NaN", "each name of the path scrubbed alone");
  assert.equal(messages.length, 9);
  for (const message of messages) {
    assert.match(message, /^invalid_argument /);
    for (const needle of [key, key.toLowerCase(), "ada@example.com"]) assert.ok(!message.includes(needle), message);
  }
});

test("a refused field's path is what JSON read: no getter is run again, nothing a toJSON hides is walked", async () => {
  let getterReads = 0;
  let hiddenReads = 0;
  const hidden = new Proxy({}, { ownKeys: () => { hiddenReads++; return []; } });
  // Walked before the field refused: a getter, and an object whose toJSON hides what it holds.
  const user = { user_id: 1 };
  Object.defineProperty(user, "lazy", { enumerable: true, get: () => { getterReads++; return {}; } });
  user.record = { toJSON: () => ({ plan: "pro" }), inside: hidden };
  user.custom_properties = { seats: Number.NaN };
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  await assert.rejects(gist.createUser(user), (e) => e.code === "invalid_argument" && /^user\.custom_properties\.seats must be a finite number/.test(e.message));
  assert.equal(getterReads, 2, "JSON and the reading of its value ran the getter; the path's walk never did");
  assert.equal(hiddenReads, 0, "what a toJSON hides is not walked");
  // A field under what a toJSON gave is named by the path JSON took, at no cost from what follows it.
  const behind = { user_id: 1, custom_properties: { first: { toJSON: () => ({ x: Number.NaN }) }, later: new Array(1_000_000).fill(0) } };
  await assert.rejects(gist.createUser(behind), (e) => /^user\.custom_properties\.first\.x must be a finite number/.test(e.message));
});

test("a freed client says it was freed, whatever its arguments", async () => {
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });
  gist.free();
  for (const call of [() => gist.createUser({ user_id: 1, custom_properties: { seats: Number.NaN } }), () => gist.listUsers({ limit: Number.NaN })]) {
    await assert.rejects(call(), (e) => e.code === "invalid_argument" && /was freed/.test(e.message));
  }
  assert.throws(() => gist.iterUsers({ limit: Number.NaN }), /was freed/);
});
