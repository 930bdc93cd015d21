// Queue helpers for the tests of gist-wasm/queues' consume: one recordEvent as a consumer's batch holds it,
// and a ledger whose mark that a message was sent takes its time.
import { enqueue } from "gist-wasm/queues";

/** A batch of one queued recordEvent, as `consume` gets it; each verdict ("ack", "retry") goes into `verdicts`. */
export async function recordEventBatch(verdicts) {
  const messages = [];
  const queue = { send: async () => {}, sendBatch: async (batch) => messages.push(...batch.map((m) => structuredClone(m.body))) };
  await enqueue(queue, [{ recordEvent: { event_name: "signup", user: { user_id: 1 } } }]);
  return { messages: messages.map((body, i) => ({ id: `m${i}`, attempts: 1, body, ack: () => verdicts.push("ack"), retry: () => verdicts.push("retry") })) };
}

/** A ledger (a KV namespace's get, put and delete) whose `sent` mark takes `ms`. */
export function slowLedger(ms) {
  const marks = new Map();
  return {
    get: async (key) => marks.get(key) ?? null,
    put: async (key, value) => {
      if (value === "sent") await new Promise((resolve) => setTimeout(resolve, ms));
      marks.set(key, value);
    },
    delete: async (key) => marks.delete(key),
  };
}
