// Findings of the thirty-third round's outside review of the Queues side, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { GistSyncs, consume, listDeadLetters, redrive } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";
import { namespace } from "./queued.mjs";

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
