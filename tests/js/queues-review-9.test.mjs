// Findings of outside reviews of the Queues side (r124, r128), each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { GistClient } from "gist-wasm";
import { consume, consumeWebhooks } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";

const installed = fileURLToPath(new URL("../../node_modules/gist-wasm/", import.meta.url));
const work = fileURLToPath(new URL("../../target/queues-review-9/", import.meta.url));

test("where the .wasm could not load, every gist-wasm/queues function refuses with the GistError that says so (before: enqueue, consume and the others threw the glue's TypeError)", async () => {
  const dir = `${work}no-wasm/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}node_modules`, { recursive: true });
  cpSync(installed, `${dir}node_modules/gist-wasm/`, { recursive: true });
  rmSync(`${dir}node_modules/gist-wasm/gist_wasm_node.wasm`);
  // Each call reaches the scrubber (a refusal or a dead letter's text) that the wasm runs.
  writeFileSync(`${dir}main.mjs`, `
    import { GistError } from "gist-wasm";
    import * as q from "gist-wasm/queues";
    const queue = { send: async () => {}, sendBatch: async () => {} };
    const kv = { get: async () => null, put: async () => {}, delete: async () => {} };
    const broken = { idFromName() { throw new Error("unbound"); }, get() {} };
    const client = { createUser() {}, createLead() {}, tagContacts() {}, recordEvent() {} };
    const batch = () => ({ messages: [{ id: "m", attempts: 1, body: "not a message", ack() {}, retry() {} }] });
    const calls = {
      enqueue: () => q.enqueue(queue, [{ upsertUser: { user_id: "x" } }]),
      consume: () => q.consume(batch(), client, { deadLetterQueue: queue }),
      consumeWebhooks: () => q.consumeWebhooks(batch(), async () => {}, { dedupe: kv, deadLetterQueue: queue }),
      receiveWebhook: () => q.receiveWebhook(new Request("http://x/", { method: "POST", body: "{}" }), queue),
      listDeadLetters: () => q.listDeadLetters(broken, "s"),
      redrive: () => q.redrive(broken, queue, "s"),
      syncStatus: () => q.syncStatus(broken, "s"),
      forgetSync: () => q.forgetSync(broken, "s"),
      pacedFetch: () => q.pacedFetch(broken, "key", { requestsPerSecond: 1, "a@b.co": 1 }),
    };
    const seen = {};
    for (const [name, call] of Object.entries(calls)) {
      try {
        await call();
        seen[name] = "resolved";
      } catch (error) {
        seen[name] = error instanceof GistError && /^gist-wasm could not load its WebAssembly: /.test(error.message) ? error.code : String(error);
      }
    }
    console.log(JSON.stringify(seen));
  `);
  const { stdout } = await promisify(execFile)(process.execPath, ["main.mjs"], { cwd: dir, timeout: 30_000 });
  const seen = JSON.parse(stdout);
  assert.deepEqual(seen, Object.fromEntries(Object.keys(seen).map((name) => [name, "invalid_argument"])));
  assert.equal(Object.keys(seen).length, 9);
});

test("a sparse array of length 2^32 - 1 (a v8 message's 73 bytes, or a caller's list) costs bounded work: consume dead-letters its tagContacts with the first 100 indexes, and enqueue, redrive's resend, a batch and a tagContacts' failed are refused (before: over a minute of CPU)", async () => {
  mkdirSync(work, { recursive: true });
  writeFileSync(`${work}sparse.mjs`, `
    import { GistClient } from "gist-wasm";
    import { consume, enqueue, redrive } from "gist-wasm/queues";
    const sparse = (item) => { const list = []; list[2 ** 32 - 2] = item; return list; };
    const dead = [];
    const queue = { send: async () => {}, sendBatch: async (messages) => dead.push(...messages.map((m) => m.body)) };
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", fetch: async () => { throw new Error("nothing is sent"); } });
    const standIn = { createUser() {}, createLead() {}, recordEvent() {}, tagContacts: async () => ({ failed: sparse({ error: { code: "server_error" } }) }) };
    const verdicts = [];
    const message = (ops) => ({ id: "m", attempts: 1, body: { ops }, ack: () => verdicts.push("ack"), retry: () => verdicts.push("retry") });
    const calls = {
      consume: async () => {
        const counts = await consume({ messages: [message([{ tagContacts: { tag: "vip", users: sparse({ user_id: "1" }) } }])] }, gist, { deadLetterQueue: queue });
        const { code, targets, targetsOmitted } = dead.pop();
        return [counts.deadLettered, code, targets.length, targetsOmitted];
      },
      failed: async () => {
        await consume({ messages: [message([{ tagContacts: { tag: "vip", users: [{ id: 1 }] } }])] }, standIn, { deadLetterQueue: queue });
        return dead.pop().code;
      },
      enqueue: () => enqueue(queue, sparse({ upsertUser: { user_id: 1 } })),
      resend: () => redrive({}, queue, "s", { resend: sparse("k") }),
      batch: () => consume({ messages: sparse(message([])) }, gist, { deadLetterQueue: queue }),
    };
    const seen = {};
    for (const [name, call] of Object.entries(calls)) {
      const started = performance.now();
      try {
        seen[name] = await call();
      } catch (error) {
        seen[name] = error.code;
      }
      seen[name + "Fast"] = performance.now() - started < 2000;
    }
    console.log(JSON.stringify({ seen, verdicts }));
  `);
  const { stdout } = await promisify(execFile)(process.execPath, ["sparse.mjs"], { cwd: work, timeout: 60_000 });
  assert.deepEqual(JSON.parse(stdout), {
    seen: {
      consume: [1, "invalid_argument", 100, 2 ** 32 - 1 - 100], consumeFast: true,
      failed: "invalid_response", failedFast: true,
      enqueue: "invalid_argument", enqueueFast: true,
      resend: "invalid_argument", resendFast: true,
      batch: "invalid_argument", batchFast: true,
    },
    verdicts: ["ack", "ack"],
  });
});

const never = () => new Promise(() => {});
// Messages of a batch whose verdicts ("<id>:ack", "<id>:retry") go into `verdicts`.
const batchOf = (verdicts, bodies) => ({
  messages: Object.entries(bodies).map(([id, body]) => ({ id, attempts: 1, body, ack: () => verdicts.push(`${id}:ack`), retry: () => verdicts.push(`${id}:retry`) })),
});
// Resolves once `verdicts` holds `verdict`, or `false` after `ms`.
async function settledWithin(verdicts, verdict, ms) {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (verdicts.includes(verdict)) return true;
  }
  return false;
}

test("a binding that never answers holds up only the messages waiting on it, however many of their operations wait: a ledger read, a `sent` mark, the dead-letter queue, a dedupe read (before: `concurrency` of them held every place, and the other messages never ran)", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, logLevel: "off", maxConcurrent: 24, timeoutMs: 2000 });
  const memory = new Map();
  // Reads of "stuck-" keys and `sent` marks of "mark-" keys never answer.
  const ledger = {
    get: async (key) => (key.includes("/stuck-") ? never() : memory.get(key) ?? null),
    put: async (key, value) => (key.includes("/mark-") && value === "sent" ? never() : void memory.set(key, value)),
    delete: async (key) => void memory.delete(key),
  };
  const queue = { send: async () => {}, sendBatch: async () => {} };
  const events = (n) => Array.from({ length: n }, (_, i) => ({ recordEvent: { event_name: `e${i}`, user: { user_id: "1" } } }));
  const upsert = { upsertUser: { user_id: 77 } };
  const recorded = mock.state.events.length;
  for (const stuck of ["stuck-0", "mark-0"]) {
    const verdicts = [];
    consume(batchOf(verdicts, { [stuck]: { ops: events(24), key: stuck }, other: { ops: [upsert], key: "other-0" } }), gist, { deadLetterQueue: queue, ledger });
    assert.ok(await settledWithin(verdicts, "other:ack", 5000), `${stuck}: ${verdicts}`);
    assert.deepEqual(verdicts, ["other:ack"]);
  }
  assert.equal(mock.state.events.length, recorded, "no event went without its mark");

  // 24 messages dead-lettered into a queue whose sendBatch never answers, and one that passes.
  const verdicts = [];
  const hung = { send: never, sendBatch: never };
  const bodies = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`bad${i}`, { ops: [{ upsertUser: { user_id: "x" } }] }]));
  consume(batchOf(verdicts, { ...bodies, good: { ops: [upsert] } }), gist, { deadLetterQueue: hung });
  assert.ok(await settledWithin(verdicts, "good:ack", 5000), String(verdicts));

  // consumeWebhooks: 6 deliveries (its concurrency) whose dedupe read never answers, and another.
  let reads = 0;
  const dedupe = { get: async () => (++reads <= 6 ? never() : null), put: async () => {}, delete: async () => {} };
  const delivery = (i) => ({ webhook: { topic: "user.created", body: JSON.stringify({ topic: "user.created", contact: { id: i } }) } });
  const webhookVerdicts = [];
  consumeWebhooks(batchOf(webhookVerdicts, Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`d${i}`, delivery(i)]))), async () => {}, { dedupe, deadLetterQueue: queue });
  assert.ok(await settledWithin(webhookVerdicts, "d6:ack", 5000), String(webhookVerdicts));
});

test("consume(batch, client) without options, as the API contract has it, runs the batch and retries what it would dead-letter, for Queues' own max_retries and dead_letter_queue (before: refused, a dead-letter queue missing)", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, logLevel: "off" });
  for (const options of [undefined, {}, { maxAttempts: 1 }]) {
    const verdicts = [];
    const batch = batchOf(verdicts, { good: { ops: [{ upsertUser: { user_id: 78 } }] }, bad: { ops: [{ upsertUser: { user_id: "x" } }] }, stray: "not a message" });
    batch.messages.forEach((message) => (message.retry = (o) => verdicts.push(`${message.id}:retry ${o.delaySeconds}`)));
    const counts = await consume(batch, gist, options);
    assert.deepEqual([verdicts.sort(), counts], [["bad:retry 2", "good:ack", "stray:retry 2"], { succeeded: 1, retried: 2, deadLettered: 0 }], JSON.stringify(options));
  }
  gist.free();
});

test("an operation's Gist requests are as docs/queues.md counts them: an upsert one, a recordEvent one (two by id), a tagContacts one per 50 targets and a lookup per target by email (r124: the docs said max_batch_size × perMessage)", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, logLevel: "off" });
  const memory = new Map();
  const ledger = { get: async (key) => memory.get(key) ?? null, put: async (key, value) => void memory.set(key, value), delete: async (key) => void memory.delete(key) };
  const [user] = mock.state.contacts.filter((contact) => contact.type === "user");
  const byEmail = mock.state.contacts.filter((contact) => contact.type === "user" && contact.email).slice(0, 3).map(({ email }) => ({ email }));
  assert.equal(byEmail.length, 3);
  const cases = {
    upsert: [{ upsertUser: { user_id: 79 } }, 1],
    eventByUserId: [{ recordEvent: { event_name: "e", user: { user_id: user.user_id } } }, 1],
    eventById: [{ recordEvent: { event_name: "e", user: { id: user.id } } }, 2],
    tag9000ById: [{ tagContacts: { tag: "vip", users: Array.from({ length: 9000 }, (_, i) => ({ id: 100_000 + i })) } }, 180],
    tagByEmail: [{ tagContacts: { tag: "vip", users: byEmail } }, byEmail.length + 1],
  };
  const seen = {};
  for (const [name, [operation]] of Object.entries(cases)) {
    const before = mock.requests.length;
    const verdicts = [];
    await consume(batchOf(verdicts, { [name]: { ops: [operation], key: `${name}-0` } }), gist, { ledger });
    seen[name] = [verdicts[0], mock.requests.length - before];
  }
  assert.deepEqual(seen, Object.fromEntries(Object.entries(cases).map(([name, [, requests]]) => [name, [`${name}:ack`, requests]])));
  gist.free();
});
