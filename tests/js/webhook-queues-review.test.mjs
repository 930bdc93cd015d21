// Findings of an outside review of webhooks and queues (2026-12-05), through the built package in Node:
// a delivery nested past the core's 128 levels keeps its own topic; consumeWebhooks retries a handler
// whatever it throws; a dead-letter entry stays within a queue message's size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError, handleWebhook, parseWebhook, signWebhook } from "gist-wasm";
import { consume, consumeWebhooks, receiveWebhook } from "gist-wasm/queues";

const deep = (depth) => "[".repeat(depth) + "]".repeat(depth);
const store = () => {
  const kept = new Map();
  return { get: async (k) => kept.get(k) ?? null, put: async (k, v) => kept.set(k, v), delete: async (k) => kept.delete(k) };
};
const queue = () => {
  const sent = [];
  return { sent, send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) };
};
const batchOf = (bodies, attempts) => {
  const outcome = [];
  const messages = bodies.map((body, i) => ({ id: `m${i}`, body, attempts, ack: () => outcome.push("ack"), retry: () => outcome.push("retry") }));
  return { batch: { queue: "q", messages }, outcome };
};

test("a delivery nested past 128 levels takes its topic from its own top level first, then a header", async () => {
  for (const body of [`{"topic":"user.created","x":${deep(200)}}`, `{"x":${deep(200)},"event":"user.created"}`]) {
    assert.equal(parseWebhook(body).topic, "user.created", body.slice(0, 30));
    assert.equal(parseWebhook(body, { "x-gist-topic": "user.deleted" }).topic, "user.created", "the body's topic before a header's");
    const verify = { secret: "s3cret", scheme: "hmac-sha256" };
    const request = new Request("http://127.0.0.1/hook", { method: "POST", body, headers: await signWebhook(body, verify) });
    assert.equal((await handleWebhook(request, { verify })).topic, "user.created", "a signed deep delivery keeps its topic");
  }
  assert.equal(parseWebhook(`{"topic":${deep(200)}}`, { "x-gist-topic": "user.deleted" }).topic, "user.deleted", "a topic that is no string is none");
});

test("consumeWebhooks retries a handler that throws invalid_argument, and dead-letters it only after maxAttempts", async () => {
  const verify = { secret: "s3cret", scheme: "hmac-sha256" };
  const body = '{"topic":"user.created","contact":{"id":1}}';
  const q = queue();
  await receiveWebhook(new Request("http://127.0.0.1/hook", { method: "POST", body, headers: await signWebhook(body, verify) }), q, { verify });
  const handler = () => {
    throw new GistError("invalid_argument", "this client was freed");
  };
  for (const [attempts, outcome, counts] of [[1, "retry", { retried: 1, deadLettered: 0 }], [5, "ack", { retried: 0, deadLettered: 1 }]]) {
    const deadLetterQueue = queue();
    const { batch, outcome: done } = batchOf(q.sent, attempts);
    const result = await consumeWebhooks(batch, handler, { dedupe: store(), deadLetterQueue, maxAttempts: 5 });
    assert.deepEqual([done, result.retried, result.deadLettered], [[outcome], counts.retried, counts.deadLettered], `attempt ${attempts}`);
    assert.equal(deadLetterQueue.sent.length, counts.deadLettered);
  }
  const { batch, outcome } = batchOf([{ webhook: { topic: null, body: "[1]" } }], 1);
  const result = await consumeWebhooks(batch, () => {}, { dedupe: store(), deadLetterQueue: queue() });
  assert.deepEqual([outcome, result.deadLettered], [["ack"], 1], "a body that never parses is dead-lettered at once");
});

test("a dead-letter entry of 100 long, non-ASCII targets stays within a queue message: fewer targets, the rest counted", async () => {
  const refused = async () => new Response('{"errors":[{"code":"invalid","message":"no"}]}', { status: 422, headers: { "content-type": "application/json" } });
  const client = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", fetch: refused, maxRetries: 0 });
  const users = Array.from({ length: 100 }, (_, i) => ({ user_id: `${i}${"€".repeat(999)}` }));
  const deadLetterQueue = queue();
  const { batch, outcome } = batchOf([{ ops: [{ tagContacts: { tag: "vip", users } }] }], 1);
  const result = await consume(batch, client, { deadLetterQueue, maxAttempts: 1 });
  assert.deepEqual([outcome, result.deadLettered], [["ack"], 1], JSON.stringify(result));
  const [entry] = deadLetterQueue.sent;
  assert.ok(new TextEncoder().encode(JSON.stringify(entry)).length <= 127_000);
  assert.ok(entry.targets.length > 0 && entry.targetsOmitted > 0, `${entry.targets.length} kept`);
  assert.equal(entry.targets.length + entry.targetsOmitted, 100);
  assert.equal(entry.targets[0].user_id, users[0].user_id);
  client.free();
});
