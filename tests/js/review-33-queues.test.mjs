// Findings of the thirty-third round's outside review of the Queues side, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { GistSyncs, consume, enqueue, listDeadLetters, redrive } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";
import { namespace, recordEventBatch } from "./queued.mjs";

const queue = () => {
  const sent = [];
  return { sent, send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) };
};
const client = (mock = createMockGist()) => new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, logLevel: "off", maxRetries: 0 });

test("an operation JSON cannot write (a BigInt, a cycle: Queues' v8 content type carries them) in a sync is dead-lettered once and acked (before: its report to the sync threw, and the message was retried past maxAttempts)", async () => {
  const syncs = namespace(GistSyncs);
  const dead = queue();
  const cyclic = { user_id: "1" };
  cyclic.self = cyclic;
  const gist = client();
  for (const [key, input] of [["bigint-0", { user_id: 7n, email: "x@example.com" }], ["cycle-0", cyclic]]) {
    const verdicts = [];
    const message = { id: key, attempts: 1, body: { ops: [{ upsertUser: input }], sync: "s1", key }, ack: () => verdicts.push("ack"), retry: () => verdicts.push("retry") };
    const counts = await consume({ messages: [message] }, gist, { deadLetterQueue: dead, progress: syncs, maxAttempts: 3 });
    assert.deepEqual([verdicts, counts.deadLettered], [["ack"], 1], key);
  }
  assert.deepEqual(dead.sent.map((entry) => entry.code), ["invalid_argument", "invalid_argument"]);
  assert.deepEqual((await listDeadLetters(syncs, "s1")).map((letter) => [letter.key, letter.code]), [["bigint-0:0", "invalid_argument"], ["cycle-0:0", "invalid_argument"]]);
  // Its operation cannot be sent again: redrive leaves it on the list.
  const again = queue();
  const { redriven, skipped } = await redrive(syncs, again, "s1");
  assert.deepEqual([redriven, again.sent.length, skipped.map((letter) => letter.reason)], [0, 0, Array(2).fill("the message held no operation that can be sent again")]);
  gist.free();
});

test("a ledger whose writes fail (its reads work) leaves a recordEvent unsent: its message is retried, and dead-lettered as store_error only after maxAttempts (before: at once, on attempt 1, as if it stayed marked sent)", async () => {
  const writes = [];
  const down = async (key) => {
    writes.push(key);
    throw new Error("KV unavailable");
  };
  const ledger = { get: async () => null, put: down, delete: down };
  const mock = createMockGist();
  const gist = client(mock);
  const events = mock.state.events.length;
  for (const attempts of [1, 5]) {
    const verdicts = [];
    const batch = await recordEventBatch(verdicts);
    batch.messages[0].attempts = attempts;
    const dead = queue();
    const counts = await consume(batch, gist, { deadLetterQueue: dead, ledger });
    if (attempts === 1) assert.deepEqual([verdicts, counts.retried, dead.sent], [["retry"], 1, []]);
    else assert.deepEqual([verdicts, dead.sent.map((entry) => entry.code)], [["ack"], ["store_error"]]);
    assert.doesNotMatch(dead.sent[0]?.message ?? "", /marked sent/);
  }
  assert.equal(writes.length, 2, "its `sent` mark was tried once a delivery, and nothing deleted");
  assert.equal(mock.state.events.length, events, "nothing recorded");
  gist.free();
});

test("a ledger that takes one write a second per key, as Cloudflare KV does, still gives each recordEvent its documented outcome (before: its `done` or delete, refused, left `sent`)", async () => {
  // KV's limit: a second write of a key within a second of the first is refused.
  const marks = new Map();
  const lastWrite = new Map();
  const write = (key) => {
    if (Date.now() - (lastWrite.get(key) ?? -Infinity) < 1000) throw new Error("KV PUT failed: 429 Too Many Requests");
    lastWrite.set(key, Date.now());
  };
  const ledger = { get: async (key) => marks.get(key) ?? null, put: async (key, value) => (write(key), marks.set(key, value)), delete: async (key) => (write(key), marks.delete(key)) };
  const mock = createMockGist();
  const gist = client(mock);
  const user = mock.state.contacts.find((c) => c.type === "user");
  const deliver = async (bodies, attempts) => {
    const verdicts = [];
    const dead = queue();
    const messages = bodies.map((body, i) => ({ id: `m${i}`, attempts, body, ack: () => verdicts.push("ack"), retry: () => verdicts.push("retry") }));
    await consume({ messages }, gist, { deadLetterQueue: dead, ledger });
    return [verdicts, dead.sent.map((entry) => entry.code)];
  };
  const events = mock.state.events.length;
  // Gist refuses the event (429): the mark is taken back, and the message retried.
  const refused = queue();
  await enqueue(refused, [{ recordEvent: { event_name: "refused", user: { user_id: user.user_id } } }]);
  mock.fail({ method: "POST", path: "/events", status: 429, headers: { "retry-after": "1" }, times: 1 });
  assert.deepEqual(await deliver(refused.sent, 1), [["retry"], []]);
  assert.deepEqual([...marks.values()], [], "the `sent` mark deleted");
  // The event is recorded and an upsert beside it fails: marked done, so the message's next delivery
  // counts the event as done rather than dead-lettering it as outcome_unknown.
  const beside = queue();
  await enqueue(beside, [{ recordEvent: { event_name: "beside", user: { user_id: user.user_id } } }, { upsertUser: { user_id: user.user_id, name: "N" } }]);
  mock.fail({ method: "POST", path: "/contacts", status: 500, times: 1 });
  assert.deepEqual(await deliver(beside.sent, 1), [["retry"], []]);
  assert.deepEqual([...marks.values()], ["done"]);
  assert.deepEqual(await deliver(beside.sent, 2), [["ack"], []]);
  assert.deepEqual(mock.state.events.slice(events).map((e) => e.name), ["beside"]);
  gist.free();
});

test("redrive checks its queue before it claims any dead letter (before: it claimed them, then rejected invalid_argument)", async () => {
  const syncs = namespace(GistSyncs);
  const dead = queue();
  const gist = client();
  const body = { ops: [{ upsertUser: { user_id: "abc" } }], sync: "s2", key: "refused-0" };
  await consume({ messages: [{ id: "m0", attempts: 1, body, ack() {}, retry() {} }] }, gist, { deadLetterQueue: dead, progress: syncs });
  const asked = [];
  const watched = { idFromName: syncs.idFromName, get: (id) => ({ fetch: (url, init) => (asked.push(new URL(url).pathname), syncs.get(id).fetch(url, init)) }) };
  await assert.rejects(redrive(watched, { notAQueue: true }, "s2"), (e) => e.code === "invalid_argument");
  assert.deepEqual(asked, [], "the sync's object was asked nothing");
  gist.free();
});

test("redrive gives a dead letter whose operation the client's rules refuse back in `skipped`, with the refusal, not in `unsent` (before: in `unsent`, \"redrive them again\", on every redrive)", async () => {
  const syncs = namespace(GistSyncs);
  const bodies = [{ ops: [{ upsertUser: { user_id: "abc" } }], sync: "s3", key: "old-producer-0" }, { ops: [{ upsertUser: { user_id: 42 } }], sync: "s3", key: "old-producer-1" }];
  const messages = bodies.map((body, i) => ({ id: `m${i}`, attempts: 5, body, ack() {}, retry() {} }));
  // The first refused by the client, the second by Gist (404 on its last attempt): both dead letters.
  const failing = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: async () => Response.json({ message: "nope" }, { status: 404 }), logLevel: "off", maxRetries: 0 });
  await consume({ messages }, failing, { deadLetterQueue: queue(), progress: syncs });
  failing.free();
  assert.deepEqual((await listDeadLetters(syncs, "s3")).map((letter) => [letter.key, letter.code]), [["old-producer-0:0", "invalid_argument"], ["old-producer-1:0", "not_found"]]);
  const again = queue();
  const result = await redrive(syncs, again, "s3");
  assert.deepEqual([result.redriven, result.unsent, again.sent.map((body) => body.ops)], [1, [], [[{ upsertUser: { user_id: 42 } }]]]);
  assert.deepEqual(result.skipped.map(({ key, code }) => [key, code]), [["old-producer-0:0", "invalid_argument"]]);
  assert.match(result.skipped[0].reason, /^the client's rules refuse its operation: .*user_id/);
  assert.deepEqual((await listDeadLetters(syncs, "s3")).map((letter) => letter.key), ["old-producer-0:0"], "it stays listed");
});

test("a second review: a dead letter keeps its operation as the client sent it (a Date as Unix seconds), within a message's bytes; a sparse array of a v8 body is not written out millions of times its size (before: a 50 MB report the sync could not store, and the message retried past maxAttempts; a Date stored as text that every redrive refused)", async () => {
  const syncs = namespace(GistSyncs);
  const reports = [];
  const stubOf = syncs.get;
  syncs.get = (id) => {
    const stub = stubOf(id);
    return { fetch: (url, init) => (reports.push(String(init?.body ?? "").length), stub.fetch(url, init)) };
  };
  const marks = new Map();
  const ledger = { get: async (k) => marks.get(k) ?? null, put: async (k, v) => void marks.set(k, v), delete: async (k) => void marks.delete(k) };
  let status = 404;
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://gist.invalid", logLevel: "off", maxRetries: 0,
    fetch: async () => (status === 404 ? Response.json({ errors: [] }, { status: 404 }) : Response.json({ event: { id: 1, name: "paid" } })) });
  const ops = [
    { recordEvent: { event_name: "paid", user: { user_id: 7 }, occurred_at: new Date("2024-01-02T03:04:05Z") } },
    { upsertUser: { user_id: "not a number", custom_properties: { sparse: new Array(300_000) } } },
  ];
  const verdicts = [];
  const message = { id: "m", attempts: 1, body: { ops, sync: "s1", key: "k-0" }, ack: () => verdicts.push("ack"), retry: () => verdicts.push("retry") };
  await consume({ messages: [message] }, gist, { deadLetterQueue: queue(), ledger, progress: syncs, maxAttempts: 3 });
  assert.deepEqual(verdicts, ["ack"]);
  assert.ok(Math.max(...reports) < 200_000, `reports to the sync of ${Math.max(...reports)} bytes`);
  status = 200;
  const again = queue();
  const { redriven, skipped } = await redrive(syncs, again, "s1");
  assert.equal(redriven, 1);
  assert.deepEqual(again.sent.flatMap((body) => body.ops), [{ recordEvent: { event_name: "paid", user: { user_id: 7 }, occurred_at: 1704164645 } }]);
  assert.deepEqual(skipped.map((letter) => [letter.key, letter.reason]), [["k-0:1", "the message held no operation that can be sent again"]]);
  gist.free();
});
