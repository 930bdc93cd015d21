// Findings of the thirty-second round's outside reviews of the core (r106, r110), each checked through the
// built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { closedPort, json, startServer } from "./loopback.mjs";
import { GistClient, GistError } from "gist-wasm";
import { consume, enqueue } from "gist-wasm/queues";
import { serveMock } from "gist-wasm/mock/server";

const KEY = "sk_test_ABCDEFGH12345678";

test("a baseUrl whose host URL() refuses, or reads as another address, is invalid_argument at construction (an outside review: taken, then every call failed network_error, a write with mayHaveActed: true)", async () => {
  for (const baseUrl of ["http://256.0.0.1:4010", "http://127.0.0.1.1:4010", "http://[1:2:3]/", "http://a<b", "http://127.1:4010"]) {
    if (baseUrl !== "http://127.1:4010") assert.throws(() => new URL(baseUrl), TypeError, baseUrl);
    let fetched = 0;
    const error = (() => {
      try {
        new GistClient({ apiKey: KEY, baseUrl, fetch: async () => (fetched++, Response.json({})), logLevel: "off" });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof GistError, baseUrl);
    assert.equal(error.code, "invalid_argument", baseUrl);
    assert.match(error.message, /an IP address as 127\.0\.0\.1 or \[::1\]/);
    assert.equal(fetched, 0);
  }
  // An address written as URL() keeps it still goes where it says.
  const server = await startServer((req, res) => res.end(JSON.stringify({ contact: { id: 7, user_id: "42", type: "user" } })));
  try {
    const gist = new GistClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${server.port}`, logLevel: "off" });
    assert.equal((await gist.createUser({ user_id: 42 })).id, 7);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test("a write whose URL the runtime's own fetch cannot parse did not act: mayHaveActed false, and gist-wasm/queues retries it (an outside review: true, and the event dead-lettered as outcome_unknown)", async () => {
  // `xn--a` is no international name: URL() refuses it, which the core's rule cannot tell.
  const baseUrl = "http://xn--a:4010";
  assert.throws(() => new URL(`${baseUrl}/contacts`), TypeError);
  const gist = new GistClient({ apiKey: KEY, baseUrl, maxRetries: 0, logLevel: "off" });
  const error = await gist.createUser({ user_id: 42 }).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.mayHaveActed], ["network_error", false], String(error));
  const sent = [];
  const queue = { send: async (body) => void sent.push(body), sendBatch: async (messages) => void messages.forEach((m) => sent.push(m.body)) };
  await enqueue(queue, [{ op: "recordEvent", input: { event_name: "signup", user: { user_id: 42 } } }]);
  const dead = [];
  const deadLetterQueue = { send: async (body) => void dead.push(body), sendBatch: async (messages) => void messages.forEach((m) => dead.push(m.body)) };
  const kv = new Map();
  const ledger = { get: async (k) => kv.get(k) ?? null, put: async (k, v) => void kv.set(k, v), delete: async (k) => void kv.delete(k) };
  const told = [];
  const messages = sent.map((body, i) => ({ id: `m${i}`, body, attempts: 1, ack: () => told.push("ack"), retry: () => told.push("retry") }));
  const result = await consume({ messages }, gist, { deadLetterQueue, ledger });
  assert.deepEqual([result.deadLettered, result.retried, dead.length, told], [0, 1, 0, ["retry"]]);
});

test("a contact's naming key or a tag target's untag given as null counts as not given, as README's Guarantees say (an outside review: refused)", async () => {
  const server = await serveMock({ port: 0 });
  try {
    const gist = new GistClient({ apiKey: "mock-key", baseUrl: server.url, logLevel: "off" });
    assert.equal((await gist.fetchUser({ id: 1001, email: null })).id, 1001);
    const result = await gist.tagContacts({ tag: "T", users: [{ id: 1001, untag: null }, { id: null, user_id: null, email: null }] });
    assert.deepEqual([result.tagged, result.untagged, result.failed.length], [1, 0, 1]);
    assert.match(result.failed[0].error.message, /exactly one of/);
    const [lead] = (await gist.listLeads({ limit: 10 })).filter((contact) => contact.email);
    await gist.deleteLead({ email: lead.email, id: null });
    await assert.rejects(gist.fetchLead({ id: lead.id }), { code: "not_found" });
  } finally {
    await server.close();
  }
});

test("withResponse() of a list resumed from an ended list's cursor resolves response: null, as index.d.ts now types a list call's (an outside review: typed ResponseInfo, never null)", async () => {
  const server = await serveMock({ port: 0 });
  try {
    const gist = new GistClient({ apiKey: "mock-key", baseUrl: server.url, logLevel: "off" });
    const walk = gist.iterTags();
    for await (const _ of walk);
    let fetched = 0;
    const counting = new GistClient({ apiKey: "mock-key", baseUrl: server.url, fetch: (...args) => (fetched++, fetch(...args)), logLevel: "off" });
    assert.deepEqual(await counting.listTags({ cursor: walk.cursor }).withResponse(), { data: [], response: null });
    assert.equal(fetched, 0);
    const { response } = await counting.listTags().withResponse();
    assert.deepEqual([response?.status, response?.requests, fetched], [200, 1, 1]);
  } finally {
    await server.close();
  }
});

test("withResponse().requests counts the requests sent, not those whose connection was never made (an outside review: two refused connections and a success were requests: 3, the server saw 1)", async () => {
  const port = await closedPort();
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    json(res, 200, { contact: { id: 1001, user_id: "5", type: "user" } });
  });
  const told = [];
  const gist = new GistClient({
    apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 10, logLevel: "off",
    // Refused until the first retry starts the server (a refused write is retried: it was not sent).
    hooks: { request: ({ attempt }) => told.push(attempt), retry: () => server.listening || server.listen(port, "127.0.0.1") },
  });
  try {
    const { data, response } = await gist.createUser({ user_id: 5 }).withResponse();
    assert.equal(data.id, 1001);
    assert.ok(told.length > hits, `${told.length} tries, ${hits} reached the server`);
    assert.deepEqual([response.requests, response.attempts], [hits, told.length]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
