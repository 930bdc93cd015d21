// Queue helpers for the tests of gist-wasm/queues: one recordEvent as a consumer's batch holds it, a ledger
// whose mark that a message was sent takes its time, and Durable Object namespaces and storage in memory.
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

/** The most entries one storage list() of any `memoryStorage` has answered (a test may set it back to 0). */
export const storageLists = { largest: 0 };

/**
 * Durable Object storage in memory: get (a key, or an array of at most 128: a Map of those found), put (a
 * key and value, or an object of at most 128), delete (a key, or an array of at most 128), list({ prefix,
 * startAfter, limit }).
 */
export function memoryStorage() {
  const map = new Map();
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  return {
    get: async (key) => {
      if (!Array.isArray(key)) return copy(map.get(key));
      if (key.length > 128) throw new RangeError("a Durable Object gets at most 128 keys at once");
      return new Map(key.filter((k) => map.has(k)).map((k) => [k, copy(map.get(k))]));
    },
    put: async (key, value) => {
      const entries = typeof key === "string" ? [[key, value]] : Object.entries(key);
      if (entries.length > 128) throw new RangeError("a Durable Object puts at most 128 keys at once");
      for (const [k, v] of entries) map.set(k, copy(v));
    },
    delete: async (key) => {
      const keys = Array.isArray(key) ? key : [key];
      if (keys.length > 128) throw new RangeError("a Durable Object deletes at most 128 keys at once");
      return keys.filter((k) => map.delete(k)).length;
    },
    list: async ({ prefix, startAfter, limit = Infinity }) => {
      const found = [...map].filter(([k]) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter)).sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, limit);
      storageLists.largest = Math.max(storageLists.largest, found.length);
      return new Map(found.map(([k, v]) => [k, copy(v)]));
    },
  };
}

/**
 * A Durable Object namespace of `Class`: one object per name, which handles one call at a time (as a
 * Durable Object's input gate has it, its storage calls let no other event in); `names` records each name
 * asked for; `down` makes every call fail.
 */
export function namespace(Class) {
  const objects = new Map();
  const turns = new Map();
  const names = [];
  const ns = {
    names,
    down: false,
    idFromName: (name) => {
      names.push(name);
      return name;
    },
    get: (id) => ({
      fetch: async (url, init) => {
        if (ns.down) throw new Error("Durable Object unreachable");
        if (!objects.has(id)) objects.set(id, new Class({ storage: memoryStorage() }, {}));
        const turn = (turns.get(id) ?? Promise.resolve()).then(() => objects.get(id).fetch(new Request(url, init)));
        turns.set(id, turn.catch(() => {}));
        return turn;
      },
    }),
  };
  return ns;
}
