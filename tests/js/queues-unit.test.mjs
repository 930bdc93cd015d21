// gist-wasm/queues in Node, with in-memory stand-ins for a Queue, a batch and KV, and the in-memory mock:
// what enqueue groups and refuses, and what consume does with each kind of failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { consume, consumeWebhooks, enqueue } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";

const queue = () => {
  const sent = [];
  return { sent, batches: [], send: async (body) => sent.push(body), async sendBatch(messages) { this.batches.push(messages.length); sent.push(...messages.map((m) => m.body)); } };
};
const kv = () => {
  const store = new Map();
  return { store, get: async (k) => store.get(k) ?? null, put: async (k, v) => store.set(k, v), delete: async (k) => store.delete(k) };
};
// A batch of `bodies`, each delivered `attempts` times so far; `outcome` records what consume did.
const batchOf = (bodies, attempts = 1) => {
  const outcome = [];
  const messages = bodies.map((body, i) => ({ id: `m${i}`, body, attempts, ack: () => outcome.push(["ack", i]), retry: (o) => outcome.push(["retry", i, o?.delaySeconds]) }));
  return { messages, outcome };
};
const client = (mock) => new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0 });

test("enqueue refuses invalid operations by the client's rules, and keeps messages and batches under Queues' limits", async () => {
  const q = queue();
  const big = "x".repeat(50_000);
  const operations = [
    ...Array.from({ length: 6 }, (_, i) => ({ upsertUser: { user_id: i + 1, custom_properties: { note: big } } })),
    { upsertUser: { user_id: "abc" } }, { upsertLead: { name: "no email" } }, { deleteUser: { id: 1 } },
    { upsertUser: { user_id: 9, custom_properties: { note: "y".repeat(130_000) } } },
    ...Array.from({ length: 120 }, (_, i) => ({ tagContacts: { tag: "VIP", users: [{ user_id: 100 + i }] } })),
  ];
  const result = await enqueue(q, operations, { perMessage: 1 });
  assert.deepEqual(result.invalid.map((x) => [x.index, x.code]), [[6, "invalid_argument"], [7, "invalid_argument"], [8, "invalid_argument"], [9, "invalid_argument"]]);
  assert.equal(result.operations, 126);
  assert.equal(result.messages, 126);
  assert.ok(q.sent.every((body) => JSON.stringify(body).length < 128_000));
  assert.ok(q.batches.every((n) => n <= 100), q.batches.join());
  const grouped = queue();
  assert.equal((await enqueue(grouped, operations.slice(0, 6))).messages, 3, "two 50 KB operations a message");
  await assert.rejects(enqueue(q, operations, { perMesage: 2 }), (e) => e instanceof GistError && e.code === "invalid_argument");
  await assert.rejects(enqueue({}, operations), (e) => e.code === "invalid_argument");
});

test("enqueue stops at a sendBatch the queue refuses and resolves what it left unsent: enqueuing those again sends each operation once", async () => {
  const events = Array.from({ length: 250 }, (_, i) => ({ recordEvent: { event_name: "signed_up", user: { email: `u${i}@example.com` } } }));
  const operations = [...events.slice(0, 120), { upsertUser: { user_id: "abc" } }, ...events.slice(120)];
  const refusing = queue();
  let calls = 0;
  const { sendBatch } = refusing;
  refusing.sendBatch = async function (messages) {
    if (++calls === 2) throw new Error("Queue send failed for u130@example.com");
    return sendBatch.call(this, messages);
  };
  const result = await enqueue(refusing, operations, { perMessage: 1 });
  assert.equal(result.operations, 100, "the first batch of 100 messages went");
  assert.equal(result.messages, 100);
  assert.deepEqual(result.invalid.map((x) => x.index), [120]);
  assert.equal(result.unsent.length, 150);
  assert.ok(result.unsent.every((x) => x.code === "queue_error" && /sendBatch/.test(x.message) && !x.message.includes("@")));
  const again = await enqueue(refusing, result.unsent.map((x) => operations[x.index]), { perMessage: 1 });
  assert.deepEqual([again.operations, again.unsent.length], [150, 0]);
  const sentEmails = refusing.sent.map((body) => body.ops[0].recordEvent.user.email);
  assert.equal(sentEmails.length, 250);
  assert.equal(new Set(sentEmails).size, 250, "every event enqueued exactly once");
});

test("consume: acks successes, retries what can pass after its Retry-After, dead-letters the rest with no email", async () => {
  const mock = createMockGist();
  const dead = queue();
  const q = queue();
  await enqueue(q, [{ upsertUser: { user_id: 77, email: "new@example.com" } }], { perMessage: 1 });
  await enqueue(q, [{ recordEvent: { event_name: "x", user: { email: "nobody@example.com" } } }]);
  await enqueue(q, [{ upsertUser: { user_id: 78, email: "later@example.com" } }]);
  mock.fail({ method: "POST", path: "/contacts", bodyIncludes: "later@", status: 429, headers: { "retry-after": "7" } });
  const { messages, outcome } = batchOf(q.sent);
  const counts = await consume({ messages }, client(mock), { deadLetterQueue: dead, ledger: kv() });
  assert.deepEqual(counts, { succeeded: 1, retried: 1, deadLettered: 1 });
  assert.deepEqual(outcome.sort(), [["ack", 0], ["ack", 1], ["retry", 2, 7]]);
  assert.equal(dead.sent.length, 1);
  const [entry] = dead.sent;
  assert.equal(entry.code, "not_found");
  assert.equal(entry.operation, "recordEvent");
  assert.ok(!JSON.stringify(entry).includes("@") && !JSON.stringify(entry).includes("mock-key"));
  assert.ok(mock.state.contacts.some((c) => c.user_id === "77"));
});

test("consume never sends a recordEvent twice: a network failure is outcome_unknown, a 503 is retried, a redelivery skips what was done", async () => {
  const mock = createMockGist();
  const user = mock.state.contacts.find((c) => c.type === "user");
  const q = queue();
  await enqueue(q, [{ recordEvent: { event_name: "a", user: { user_id: user.user_id } } }, { recordEvent: { event_name: "b", user: { user_id: user.user_id } } }]);
  await enqueue(q, [{ recordEvent: { event_name: "c", user: { user_id: user.user_id } } }]);
  mock.fail({ method: "POST", path: "/events", bodyIncludes: '"b"', drop: true });
  mock.fail({ method: "POST", path: "/events", bodyIncludes: '"c"', status: 503 });
  const ledger = kv();
  const dead = queue();
  const first = batchOf(q.sent);
  await consume({ messages: first.messages }, client(mock), { deadLetterQueue: dead, ledger });
  assert.deepEqual(first.outcome.sort(), [["ack", 0], ["retry", 1, 2]]);
  assert.deepEqual(dead.sent.map((d) => [d.code, d.event_name]), [["outcome_unknown", "b"]]);
  const again = batchOf(q.sent, 2);
  await consume({ messages: again.messages }, client(mock), { deadLetterQueue: dead, ledger });
  assert.deepEqual(mock.state.events.filter((e) => ["a", "b", "c"].includes(e.name)).map((e) => e.name).sort(), ["a", "c"]);
  assert.equal(dead.sent.filter((d) => d.event_name === "b").length, 2, "b dead-lettered again (at least once), never sent again");
  const noLedger = batchOf(q.sent.slice(1));
  await consume({ messages: noLedger.messages }, client(mock), { deadLetterQueue: dead });
  assert.equal(dead.sent.at(-1).code, "invalid_argument");
});

test("consumeWebhooks hands each distinct event over once, drops duplicates in and across batches, retries a failing handler", async () => {
  const dedupe = kv();
  const dead = queue();
  const body = (n) => ({ webhook: { topic: "user.updated", body: JSON.stringify({ n }) } });
  const handled = [];
  let failOnce = true;
  const handler = async (event) => {
    if (event.payload.n === 2 && failOnce) {
      failOnce = false;
      throw new Error("failed for ada@example.com");
    }
    handled.push(event.payload.n);
  };
  const first = batchOf([body(1), body(1), body(2), body(3)]);
  assert.deepEqual(await consumeWebhooks({ messages: first.messages }, handler, { dedupe, deadLetterQueue: dead }),
    { handled: 2, duplicates: 1, retried: 1, deadLettered: 0 });
  const second = batchOf([body(2), body(3)], 2);
  assert.deepEqual(await consumeWebhooks({ messages: second.messages }, handler, { dedupe, deadLetterQueue: dead }),
    { handled: 1, duplicates: 1, retried: 0, deadLettered: 0 });
  assert.deepEqual(handled.sort(), [1, 2, 3]);
  const last = batchOf([body(4)], 5);
  await consumeWebhooks({ messages: last.messages }, () => { throw new Error("ada@example.com failed"); }, { dedupe, deadLetterQueue: dead });
  assert.deepEqual(dead.sent.map((d) => [d.code, d.webhook, d.message]), [["handler_error", "user.updated", "[email] failed"]]);
});
