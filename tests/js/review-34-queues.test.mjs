// A finding of the thirty-fourth round's outside reviews on gist-wasm/queues, checked through the built package
// in a process of its own: it reads how much memory the wasm holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import init from "gist-wasm";
import { enqueue } from "gist-wasm/queues";

test("enqueue refuses an operation past a message's bytes as its JSON is written, before the core reads it: the wasm's memory does not grow for it (an outside review: an 8 MB operation grew it 836 MB before the refusal)", async () => {
  const { memory } = await init();
  const sent = [];
  const queue = { send: async (body) => sent.push(body), sendBatch: async (batch) => sent.push(...batch) };
  const before = memory.buffer.byteLength;
  const result = await enqueue(queue, [{ upsertUser: { user_id: 1, custom_properties: { notes: "x".repeat(7 * 2 ** 20) } } }, { upsertUser: { user_id: 2 } }]);
  const grownMb = (memory.buffer.byteLength - before) / 2 ** 20;
  assert.equal(result.invalid?.[0]?.index, 0);
  assert.equal(result.invalid[0].code, "invalid_argument");
  assert.equal(result.operations, 1, "the other operation is enqueued");
  assert.ok(grownMb < 2, `the wasm's memory grew ${grownMb} MB`);
});
