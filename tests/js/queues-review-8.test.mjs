// Findings of an outside review of gist-wasm/queues (review 8), through the built package in Node: options
// that are not a plain object (a Promise of them, a Map, inherited from a prototype) are invalid_argument,
// not read as {}; listDeadLetters' and redrive's options are checked (a typo never redrives every dead
// letter); a Durable Object namespace whose idFromName or get throws is invalid_argument (whatever it
// throws, a revoked Proxy included), and consume still settles each message; an object that answers JSON
// of another shape than GistSyncs' (a namespace bound to another class) is invalid_response.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, listDeadLetters, pacedFetch, redrive, syncStatus } from "gist-wasm/queues";

const queue = () => {
  const sent = [];
  return { sent, send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) };
};
const store = () => {
  const kept = new Map();
  return { get: async (k) => kept.get(k) ?? null, put: async (k, v) => kept.set(k, v), delete: async (k) => kept.delete(k) };
};
// A namespace whose object answers `answer(path)` as JSON, recording each path it is asked.
const answering = (answer) => {
  const asked = [];
  return {
    asked,
    idFromName: (name) => name,
    get: () => ({ fetch: async (url) => (asked.push(new URL(url).pathname), Response.json(answer(new URL(url).pathname))) }),
  };
};
// What GistSyncs answers an empty sync.
const emptySync = answering((path) =>
  path === "/claim" ? { chosen: [], skipped: [], token: "t", next: null } : path === "/redriven" ? { redriven: 0 } : path === "/dead" ? [] : { ok: true });
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
const isInvalid = (e) => e instanceof GistError && e.code === "invalid_argument";
const operation = { upsertUser: { user_id: 42 } };
const notPlain = () => [
  ["a Promise of the options (a forgotten await)", Promise.resolve({ key: "delivery-123" })],
  ["a Map", new Map([["key", "delivery-123"]])],
  ["options inherited from a prototype", Object.create({ key: "delivery-123" })],
  ["a Date", new Date()],
  ["a class instance", new (class Options { key = "delivery-123"; })()],
];

test("enqueue, consume, consumeWebhooks, pacedFetch, listDeadLetters and redrive refuse options that are not a plain object", async () => {
  const q = queue();
  const client = new GistClient({ apiKey: "k-123456789", baseUrl: "http://127.0.0.1:9", logLevel: "off", fetch: async () => Response.json({}) });
  const batch = { messages: [] };
  for (const [label, options] of notPlain()) {
    await assert.rejects(enqueue(q, [operation], options), isInvalid, `enqueue: ${label}`);
    await assert.rejects(consume(batch, client, options), isInvalid, `consume: ${label}`);
    await assert.rejects(consumeWebhooks(batch, () => {}, options), isInvalid, `consumeWebhooks: ${label}`);
    await assert.rejects(listDeadLetters(emptySync, "s1", options), isInvalid, `listDeadLetters: ${label}`);
    await assert.rejects(redrive(emptySync, q, "s1", options), isInvalid, `redrive: ${label}`);
  }
  assert.deepEqual(q.sent, [], "nothing enqueued");
  assert.deepEqual(emptySync.asked, [], "the sync's object was asked nothing");
  assert.throws(() => pacedFetch(emptySync, "k-123456789", Object.create({ requestsPerSecond: 10 })), isInvalid, "pacedFetch: inherited options");
  assert.equal(typeof pacedFetch(emptySync, "k-123456789", Object.assign(Object.create(null), { requestsPerSecond: 10 })), "function", "Object.create(null) is plain");
  assert.equal((await enqueue(q, [operation], Object.assign(Object.create(null), { key: "delivery-123" }))).messages, 1);
  assert.match(q.sent[0].key, /^delivery-123-/, "plain options keep their key");
});

test("listDeadLetters and redrive refuse an unknown option, a code or resend of the wrong type, before asking the object", async () => {
  const q = queue();
  const refused = [
    [{ cod: "rate_limited" }, "a typo of code"],
    [{ code: 5 }, "a code that is not a string"],
    [{ code: "" }, "an empty code"],
  ];
  for (const [options, label] of refused) {
    await assert.rejects(listDeadLetters(emptySync, "s1", options), isInvalid, `listDeadLetters: ${label}`);
    await assert.rejects(redrive(emptySync, q, "s1", options), isInvalid, `redrive: ${label}`);
  }
  for (const resend of ["k1", [1], [{ toString: () => "k1" }]]) {
    await assert.rejects(redrive(emptySync, q, "s1", { resend }), isInvalid, `redrive: resend ${JSON.stringify(resend)}`);
  }
  assert.deepEqual(emptySync.asked, [], "the sync's object was asked nothing");
  assert.deepEqual(await listDeadLetters(emptySync, "s1", { code: "rate_limited" }), []);
  assert.deepEqual(await redrive(emptySync, q, "s1", { code: "rate_limited", resend: ["k1"] }), { redriven: 0, skipped: [], unsent: [] });
});

test("a namespace whose idFromName or get throws is invalid_argument, whatever it throws; nothing is enqueued", async () => {
  const throwers = [
    ["idFromName throws a TypeError", { idFromName() { throw new TypeError("idFromName: boom"); }, get() {} }],
    ["get throws a revoked Proxy", { idFromName: (name) => name, get() { throw revoked(); } }],
    ["idFromName throws undefined", { idFromName() { throw undefined; }, get() {} }],
  ];
  for (const [label, progress] of throwers) {
    const q = queue();
    await assert.rejects(enqueue(q, [operation], { progress }), isInvalid, `enqueue: ${label}`);
    await assert.rejects(syncStatus(progress, "s1"), isInvalid, `syncStatus: ${label}`);
    await assert.rejects(listDeadLetters(progress, "s1"), isInvalid, `listDeadLetters: ${label}`);
    await assert.rejects(redrive(progress, q, "s1"), isInvalid, `redrive: ${label}`);
    assert.deepEqual(q.sent, [], `nothing enqueued: ${label}`);
  }
});

test("consume with a progress namespace that throws settles every message: acked when it passed, retried when its dead letter cannot reach the sync", async () => {
  const answers = { "1": () => Response.json({ contact: { id: 1, user_id: "1", type: "user" } }), "2": () => Response.json({ errors: [{ code: "invalid", message: "no" }] }, { status: 422 }) };
  const fetch = async (url, init) => answers[JSON.parse(init.body).user_id]();
  const client = new GistClient({ apiKey: "k-123456789", baseUrl: "http://127.0.0.1:9", logLevel: "off", maxRetries: 0, fetch });
  for (const progress of [{ idFromName() { throw new TypeError("boom"); }, get() {} }, { idFromName: (name) => name, get() { throw revoked(); } }]) {
    const settled = [];
    const message = (id, userId) => ({ id, attempts: 5, body: { ops: [{ upsertUser: { user_id: userId } }], sync: "s1", key: `k${id}-0` }, ack: () => settled.push([id, "ack"]), retry: () => settled.push([id, "retry"]) });
    const dlq = queue();
    const result = await consume({ messages: [message("m1", "1"), message("m2", "2")] }, client, { deadLetterQueue: dlq, progress });
    assert.deepEqual(settled.sort(), [["m1", "ack"], ["m2", "retry"]]);
    assert.deepEqual(result, { succeeded: 1, retried: 1, deadLettered: 0 });
  }
});

test("an object that answers JSON of another shape than GistSyncs' is invalid_response: syncStatus, listDeadLetters, redrive", async () => {
  const isInvalidResponse = (e) => e instanceof GistError && e.code === "invalid_response";
  for (const answer of [{ ok: true }, [], null, { chosen: [{}], skipped: [], token: "t", enqueued: "1" }]) {
    const other = answering(() => answer);
    const q = queue();
    await assert.rejects(syncStatus(other, "s1"), isInvalidResponse, `syncStatus: ${JSON.stringify(answer)}`);
    // An empty array is an empty list of dead letters.
    if (!Array.isArray(answer)) await assert.rejects(listDeadLetters(other, "s1"), isInvalidResponse, `listDeadLetters: ${JSON.stringify(answer)}`);
    await assert.rejects(redrive(other, q, "s1"), isInvalidResponse, `redrive: ${JSON.stringify(answer)}`);
    assert.deepEqual(q.sent, [], "redrive enqueued nothing");
  }
  // A dead letter without its key (listed by an object of another class).
  await assert.rejects(listDeadLetters(answering(() => [{ code: "rate_limited" }]), "s1"), isInvalidResponse);
  // The claim passes, its confirmation is of another shape.
  const confirmed = answering((path) => (path === "/claim" ? { chosen: [], skipped: [], token: "t" } : { ok: true }));
  await assert.rejects(redrive(confirmed, queue(), "s1"), isInvalidResponse, "redrive: /redriven of another shape");
});
