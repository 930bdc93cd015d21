// Seeded fuzz of gist-wasm/queues through the built package: every slot of enqueue, consume,
// receiveWebhook and consumeWebhooks (each argument, option, binding method, message and message field,
// operation and operation field) gets each value of a catalogue of bad JS values, a throwing getter in
// its place, and, for a function slot, each misbehaviour of a catalogue of bindings (throws or rejects
// with an Error, undefined, null, a Symbol, a Proxy; resolves the wrong type; never settles); the other
// slots stay valid (in-memory Queue, KV and batch stand-ins, a GistClient on the in-memory mock). Then a
// seeded random phase puts bad values in two slots at once.
// Checked, per call: it returns a Promise (no synchronous throw) that settles within SETTLE_MS (unless a
// binding it waits on never settles: queues sets no timer of its own, docs/queues.md) and only ever
// rejects with a GistError of a code that function documents, the exact one where the slot's contract is
// explicit (a slot that is not a binding, a batch or an option in range is invalid_argument); a rejection
// leaves nothing done; a resolved consume or consumeWebhooks has settled every message exactly once;
// enqueue accounts for every operation exactly once (enqueued, invalid or unsent); every dead-letter
// entry has a documented code; no error, result or dead letter holds the API key or an email address.
// Over the whole run: no uncaught exception or unhandled rejection. Reproduce the random phase with
// GIST_FUZZ_SEED=<seed> (printed); GIST_FUZZ_ITERATIONS changes its length.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, receiveWebhook } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";
import { mulberry32 as random } from "./seeded.mjs";

const SEED = process.env.GIST_FUZZ_SEED !== undefined ? Number(process.env.GIST_FUZZ_SEED) >>> 0 : 0x51ed270b;
const ITERATIONS = Number(process.env.GIST_FUZZ_ITERATIONS ?? 1500);
const SETTLE_MS = 3000; // a call that has not settled by then hangs
const FAST_MS = 100; // a call slower than this is left to settle while the next ones run
const API_KEY = "mock-key-queues-fuzz-7d41e0"; // distinctive, so that a leak of it can be seen
const SECRET = "s3cret-queues-fuzz";
const EMAIL = /@|%40/i;

const CLIENT_CODES = ["unauthorized", "forbidden", "not_found", "invalid_request", "rate_limited", "server_error",
  "network_error", "timeout", "aborted", "invalid_argument", "invalid_response", "invalid_webhook"];
// What each function may reject with, and the codes a dead-letter entry may carry.
const REJECTS = {
  enqueue: ["invalid_argument"],
  consume: ["invalid_argument", "queue_error"],
  receiveWebhook: ["invalid_argument", "queue_error"],
  consumeWebhooks: ["invalid_argument", "queue_error"],
};
const DEAD_CODES = new Set([...CLIENT_CODES, "outcome_unknown", "handler_error", "store_error", "queue_error"]);

// Any value as text, whatever it is (a Proxy whose traps throw, a Symbol, an Error).
function texts(value) {
  try {
    if (value instanceof Error) return `${value.stack}`;
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return "a value that cannot be described";
    }
  }
}

// Process-wide watchers: anything uncaught during the run is a failure.
const uncaught = [];
const onUncaught = (error) => uncaught.push(`uncaught exception: ${texts(error)}`);
const onUnhandled = (reason) => uncaught.push(`unhandled rejection: ${texts(reason)}`);
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUnhandled);
after(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
});

// ---------------------------------------------------------------------------------------------------------
// Bad values. `c(kind, make)`: `make()` gives a fresh value.
const BOOM = () => new Error("fuzz: threw for ada@example.com");
const c = (kind, make, flags = {}) => ({ kind, make, ...flags });
const throwingGetter = (key) => Object.defineProperty({ a: 1 }, key, { enumerable: true, get() { throw BOOM(); } });
const throwingProxy = (trap) => new Proxy({ id: "m", ops: [] }, { [trap]() { throw BOOM(); } });
const revoked = () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; };
const deep = (n) => { let d = { leaf: 1 }; for (let i = 0; i < n; i++) d = { a: d }; return d; };
const cyclic = () => { const o = { id: 1 }; o.self = o; return o; };
const MEGA = "a".repeat(1 << 20);
const CATALOGUE = [
  c("undefined", () => undefined), c("null", () => null), c("true", () => true), c("false", () => false),
  c("0", () => 0), c("-0", () => -0), c("-1", () => -1), c("1.5", () => 1.5), c("7", () => 7), c("NaN", () => NaN),
  c("Infinity", () => Infinity), c("2**53", () => 2 ** 53), c("1n", () => 1n), c("2n**64n", () => 2n ** 64n),
  c("Symbol()", () => Symbol("fuzz")), c('""', () => ""), c('"7"', () => "7"), c("email", () => "ada@example.com"),
  c("percent-encoded email", () => "ada%40example.com"), c("lone surrogate", () => "\ud800"), c('"__proto__"', () => "__proto__"),
  c("1 MiB string", () => MEGA, { heavy: true }), c("[]", () => []), c("[1]", () => [1]), c("sparse array", () => [, 1]), // eslint-disable-line no-sparse-arrays
  c("{}", () => ({})), c("Object.create(null)", () => Object.create(null)), c("object with an email key", () => ({ "ada@example.com": 1 })),
  c("__proto__ own key", () => JSON.parse('{"__proto__":{"id":1}}')), c("object 10,000 deep", () => deep(10_000), { heavy: true }),
  c("cyclic object", cyclic), c("throwing getter on id", () => throwingGetter("id")), c("throwing getter on then", () => throwingGetter("then")),
  c("array with a throwing index", () => Object.defineProperty([1, 2], 1, { get() { throw BOOM(); }, enumerable: true })),
  c("Proxy whose get throws", () => throwingProxy("get")), c("Proxy whose ownKeys throws", () => throwingProxy("ownKeys")),
  c("Proxy whose getPrototypeOf throws", () => throwingProxy("getPrototypeOf")), c("revoked Proxy", revoked),
  c("toJSON throws", () => ({ toJSON() { throw BOOM(); } })), c("function", () => function fuzz() { return 1; }),
  c("async function", () => async () => 1), c("class", () => class Widget {}), c("Date", () => new Date(5)),
  c("Map", () => new Map([["id", 1]])), c("Uint8Array", () => new Uint8Array([1])), c("Promise", () => Promise.resolve(1)),
  c("Error with an email", () => BOOM()), c('new String("x")', () => new String("x")), // eslint-disable-line no-new-wrappers
  c("thenable that throws", () => ({ then() { throw BOOM(); } })), c("valueOf throws", () => ({ valueOf() { throw BOOM(); } })),
];

// How a binding's method (or a handler) can misbehave. `hang`: it never settles.
const trapping = () => new Proxy({}, { get() { throw BOOM(); }, getPrototypeOf() { throw BOOM(); } });
const b = (kind, fn, flags = {}) => c(`method that ${kind}`, () => fn, flags);
const BEHAVIOURS = [
  b("throws an Error", () => { throw BOOM(); }),
  b("throws undefined", () => { throw undefined; }), // eslint-disable-line no-throw-literal
  b("throws null", () => { throw null; }), // eslint-disable-line no-throw-literal
  b("throws a Symbol", () => { throw Symbol("thrown"); }),
  b("throws a Proxy whose traps throw", () => { throw trapping(); }),
  b("throws a GistError naming an email", () => { throw new GistError("rate_limited", "slow down, ada@example.com", { retryAfter: 1 }); }),
  b("rejects with an Error", async () => { throw BOOM(); }),
  b("rejects with undefined", () => Promise.reject(undefined)),
  b("rejects with null", () => Promise.reject(null)),
  b("rejects with a Symbol", () => Promise.reject(Symbol("thrown"))),
  b("rejects with a Proxy whose traps throw", () => Promise.reject(trapping())),
  b("rejects with a revoked Proxy", () => Promise.reject(revoked())),
  b("rejects with a server_error GistError", async () => { throw new GistError("server_error", "boom ada%40example.com", { status: 500 }); }),
  b("resolves undefined", async () => undefined),
  b("resolves 5", async () => 5),
  b("resolves a Symbol", async () => Symbol("thrown")),
  b("resolves a Proxy whose traps throw", async () => trapping()),
  b("resolves 'sent'", async () => "sent"),
  b("resolves 'done'", async () => "done"),
  b("returns a thenable that throws", () => ({ then() { throw BOOM(); } })),
  b("returns a non-promise", () => 7),
  b("never settles", () => new Promise(() => {}), { hang: true }),
];

// ---------------------------------------------------------------------------------------------------------
// The world each call runs in: a Queue, a dead-letter queue and KV stand-ins that record what they get,
// messages that record how they were settled, and a GistClient on the in-memory mock.
const mock = createMockGist({ apiKey: API_KEY });
const USER = mock.state.contacts.find((c) => c.type === "user");
const client = () => new GistClient({ apiKey: API_KEY, baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0, timeoutMs: 2000, logLevel: "off" });
const queue = (into) => ({ send: async (body) => { into.push(body); }, sendBatch: async (messages) => { into.push(...messages.map((m) => m.body)); } });
const kv = () => {
  const store = new Map();
  return { store, get: async (k) => store.get(k) ?? null, put: async (k, v) => { store.set(k, v); }, delete: async (k) => { store.delete(k); } };
};
let serial = 0;
function world() {
  const log = { sent: [], dead: [], ledger: kv(), dedupe: kv() };
  const settled = new Map(); // each message of the world, and how it was settled
  const message = (body) => {
    const m = { id: `msg-${++serial}`, body, attempts: 1, ack: () => settled.get(m).push("ack"), retry: () => settled.get(m).push("retry") };
    settled.set(m, []);
    return m;
  };
  return { log, settled, broken: new Set(), message, queue: queue(log.sent), dlq: queue(log.dead) };
}
const operations = () => [
  { upsertUser: { user_id: 900_001, email: "ada@example.com", name: "Ada" } },
  { recordEvent: { event_name: "fuzzed", user: { user_id: USER.user_id }, properties: { n: 1 } } },
  { tagContacts: { tag: "vip", users: [{ user_id: USER.user_id }] } },
  { upsertLead: { email: "lead@example.com" } },
];
const webhookBody = (n) => ({ webhook: { topic: "user.updated", body: JSON.stringify({ topic: "user.updated", n, contact: { id: 7, type: "user", user_id: "42", email: "ada@example.com" } }) } });
const webhookRequest = () => new Request("http://hook.invalid/webhooks", {
  method: "POST", headers: { "x-gist-webhook-token": SECRET }, body: JSON.stringify({ topic: "user.created", contact: { id: 7, type: "user", email: "ada@example.com" } }),
});

// Each function's valid call: `args` to mutate, the world it runs in.
const BASELINES = {
  enqueue: () => { const w = world(); return { w, args: [w.queue, operations(), { perMessage: 2 }] }; },
  consume: () => {
    const w = world();
    const [upsert, event, tag, lead] = operations();
    const messages = [w.message({ ops: [upsert, tag] }), w.message({ ops: [event] }), w.message({ ops: [lead] })];
    return { w, args: [{ messages }, client(), { deadLetterQueue: w.dlq, ledger: w.log.ledger }] };
  },
  receiveWebhook: () => { const w = world(); return { w, args: [webhookRequest(), w.queue, { verify: { secret: SECRET } }] }; },
  consumeWebhooks: () => {
    const w = world();
    return { w, args: [{ messages: [w.message(webhookBody(++serial)), w.message(webhookBody(++serial))] }, async () => {}, { dedupe: w.log.dedupe, deadLetterQueue: w.dlq }] };
  },
};

// ---------------------------------------------------------------------------------------------------------
// Slots: where a value goes (`at(args)` gives the parent and key), and what the contract says of a value
// there. Rules give "ia" (must reject invalid_argument), "any" (resolve, or reject with a documented code).
const IA = "ia";
const ANY = "any";
const isFunction = (v) => typeof v === "function";
const isGistError = (v) => { try { return v instanceof GistError; } catch { return false; } };
const safeKeys = (v) => { try { return Object.keys(v); } catch { return null; } };
const isArrayLike = (v) => { try { return Array.isArray(v); } catch { return false; } };
const rules = {
  binding: () => IA, // no catalogue value is a Queue, a KV namespace, a batch, a client or consume's options
  optionalBinding: (e, v) => (v === undefined ? ANY : IA),
  method: (e, v) => (isFunction(v) ? ANY : IA),
  data: () => ANY,
  id: (e, v) => (typeof v === "string" ? ANY : IA),
  attempts: (e, v) => (Number.isInteger(v) && v >= 1 ? ANY : IA),
  range: (min, max) => (e, v) => (v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) ? ANY : IA),
  unknownKey: (e, v) => (v === undefined ? ANY : IA),
  // optional options: nothing, or an object with no key it does not know (the catalogue's have none it knows)
  options: (e, v) => (v === undefined || v === null || (typeof v === "object" && safeKeys(v)?.length === 0) ? ANY : IA),
  emptyArray: (e, v) => (isArrayLike(v) && safeKeys(v)?.length === 0 ? ANY : IA),
};
// `getter`: what a throwing getter in the slot's place must give (data is read safely; the rest refused).
const slot = (fn, name, at, rule, { getter = rule === rules.data ? ANY : IA, behaviours = rule === rules.method } = {}) =>
  ({ fn, name, at, rule, getter, behaviours, top: at.top === true });
const arg = (i) => Object.assign((args) => [args, i], { top: true });
const inArg = (i, ...path) => (args) => {
  let parent = args[i];
  for (const key of path.slice(0, -1)) parent = parent[key];
  return [parent, path.at(-1)];
};

const SLOTS = [
  slot("enqueue", "queue", arg(0), rules.binding),
  slot("enqueue", "queue.send", inArg(0, "send"), rules.method),
  slot("enqueue", "queue.sendBatch", inArg(0, "sendBatch"), rules.method),
  slot("enqueue", "operations", arg(1), (e, v) => (isArrayLike(v) ? ANY : IA)),
  slot("enqueue", "operations[0]", inArg(1, 0), rules.data),
  slot("enqueue", "operations[0].upsertUser", inArg(1, 0, "upsertUser"), rules.data),
  slot("enqueue", "operations[0].upsertUser.user_id", inArg(1, 0, "upsertUser", "user_id"), rules.data),
  slot("enqueue", "operations[0].upsertUser.email", inArg(1, 0, "upsertUser", "email"), rules.data),
  slot("enqueue", "operations[1].recordEvent", inArg(1, 1, "recordEvent"), rules.data),
  slot("enqueue", "operations[1].recordEvent.event_name", inArg(1, 1, "recordEvent", "event_name"), rules.data),
  slot("enqueue", "operations[1].recordEvent.user", inArg(1, 1, "recordEvent", "user"), rules.data),
  slot("enqueue", "operations[1].recordEvent.properties", inArg(1, 1, "recordEvent", "properties"), rules.data),
  slot("enqueue", "operations[2].tagContacts.tag", inArg(1, 2, "tagContacts", "tag"), rules.data),
  slot("enqueue", "operations[2].tagContacts.users", inArg(1, 2, "tagContacts", "users"), rules.data),
  slot("enqueue", "operations[3].upsertLead", inArg(1, 3, "upsertLead"), rules.data),
  slot("enqueue", "options", arg(2), rules.options),
  slot("enqueue", "options.perMessage", inArg(2, "perMessage"), rules.range(1, 1000)),
  slot("enqueue", "options.delaySeconds", inArg(2, "delaySeconds"), rules.range(0, 43_200)),
  slot("enqueue", "options.unknown", inArg(2, "perMesage"), rules.unknownKey),

  slot("consume", "batch", arg(0), rules.binding),
  slot("consume", "batch.messages", inArg(0, "messages"), rules.emptyArray),
  slot("consume", "batch.messages[0]", inArg(0, "messages", 0), rules.binding),
  slot("consume", "message.id", inArg(0, "messages", 0, "id"), rules.id),
  slot("consume", "message.attempts", inArg(0, "messages", 1, "attempts"), rules.attempts),
  slot("consume", "message.body", inArg(0, "messages", 0, "body"), rules.data),
  slot("consume", "message.ack", inArg(0, "messages", 0, "ack"), rules.method),
  slot("consume", "message.retry", inArg(0, "messages", 2, "retry"), rules.method),
  slot("consume", "body.ops", inArg(0, "messages", 0, "body", "ops"), rules.data),
  slot("consume", "body.ops[0]", inArg(0, "messages", 0, "body", "ops", 0), rules.data),
  slot("consume", "upsertUser input", inArg(0, "messages", 0, "body", "ops", 0, "upsertUser"), rules.data),
  slot("consume", "upsertUser.user_id", inArg(0, "messages", 0, "body", "ops", 0, "upsertUser", "user_id"), rules.data),
  slot("consume", "tagContacts.tag", inArg(0, "messages", 0, "body", "ops", 1, "tagContacts", "tag"), rules.data),
  slot("consume", "tagContacts.users", inArg(0, "messages", 0, "body", "ops", 1, "tagContacts", "users"), rules.data),
  slot("consume", "tagContacts.users[0]", inArg(0, "messages", 0, "body", "ops", 1, "tagContacts", "users", 0), rules.data),
  slot("consume", "recordEvent input", inArg(0, "messages", 1, "body", "ops", 0, "recordEvent"), rules.data),
  slot("consume", "recordEvent.event_name", inArg(0, "messages", 1, "body", "ops", 0, "recordEvent", "event_name"), rules.data),
  slot("consume", "recordEvent.user", inArg(0, "messages", 1, "body", "ops", 0, "recordEvent", "user"), rules.data),
  slot("consume", "upsertLead.email", inArg(0, "messages", 2, "body", "ops", 0, "upsertLead", "email"), rules.data),
  slot("consume", "client", arg(1), rules.binding),
  ...["createUser", "createLead", "tagContacts", "recordEvent"].map((m) => slot("consume", `client.${m}`, inArg(1, m), rules.method)),
  slot("consume", "options", arg(2), rules.options),
  slot("consume", "options.deadLetterQueue", inArg(2, "deadLetterQueue"), rules.optionalBinding),
  slot("consume", "deadLetterQueue.sendBatch", inArg(2, "deadLetterQueue", "sendBatch"), rules.method),
  slot("consume", "options.ledger", inArg(2, "ledger"), rules.optionalBinding),
  ...["get", "put", "delete"].map((m) => slot("consume", `ledger.${m}`, inArg(2, "ledger", m), rules.method)),
  slot("consume", "options.maxAttempts", inArg(2, "maxAttempts"), rules.range(1, 100)),
  slot("consume", "options.concurrency", inArg(2, "concurrency"), rules.range(1, 1000)),
  slot("consume", "options.retryDelaySeconds", inArg(2, "retryDelaySeconds"), rules.range(0, 43_200)),
  slot("consume", "options.maxRetryDelaySeconds", inArg(2, "maxRetryDelaySeconds"), rules.range(0, 43_200)),
  slot("consume", "options.unknown", inArg(2, "dedupe"), rules.unknownKey),

  slot("receiveWebhook", "request", arg(0), rules.data, { getter: ANY }),
  slot("receiveWebhook", "queue", arg(1), rules.binding),
  slot("receiveWebhook", "queue.send", inArg(1, "send"), rules.method),
  slot("receiveWebhook", "options", arg(2), rules.data),
  slot("receiveWebhook", "options.verify", inArg(2, "verify"), rules.data, { getter: ANY }),

  slot("consumeWebhooks", "batch", arg(0), rules.binding),
  slot("consumeWebhooks", "message.id", inArg(0, "messages", 0, "id"), rules.id),
  slot("consumeWebhooks", "message.body", inArg(0, "messages", 0, "body"), rules.data),
  slot("consumeWebhooks", "message.ack", inArg(0, "messages", 1, "ack"), rules.method),
  slot("consumeWebhooks", "body.webhook", inArg(0, "messages", 0, "body", "webhook"), rules.data),
  slot("consumeWebhooks", "webhook.topic", inArg(0, "messages", 0, "body", "webhook", "topic"), rules.data),
  slot("consumeWebhooks", "webhook.body", inArg(0, "messages", 0, "body", "webhook", "body"), rules.data),
  slot("consumeWebhooks", "handler", arg(1), rules.method),
  slot("consumeWebhooks", "options", arg(2), rules.binding),
  slot("consumeWebhooks", "options.dedupe", inArg(2, "dedupe"), rules.binding),
  ...["get", "put", "delete"].map((m) => slot("consumeWebhooks", `dedupe.${m}`, inArg(2, "dedupe", m), rules.method)),
  slot("consumeWebhooks", "deadLetterQueue.sendBatch", inArg(2, "deadLetterQueue", "sendBatch"), rules.method),
  slot("consumeWebhooks", "options.windowSeconds", inArg(2, "windowSeconds"), rules.range(60, 365 * 86_400)),
  slot("consumeWebhooks", "options.unknown", inArg(2, "ledger"), rules.unknownKey),
];
// The values one slot gets: the catalogue (its heavy values only where data is read), a throwing getter in
// its place (but for an argument), and, for a function slot, each misbehaviour.
const valuesFor = (s) => [
  ...CATALOGUE.filter((e) => !e.heavy || s.rule === rules.data),
  ...(s.behaviours ? BEHAVIOURS : []),
  ...(s.top ? [] : [{ kind: "throwing getter in its place", getter: true }]),
];

// ---------------------------------------------------------------------------------------------------------
// Running and checking one case.
const FUNCTIONS = { enqueue, consume, receiveWebhook, consumeWebhooks };

// Puts `entry`'s value in the slot; returns the value put (undefined for a getter). A message whose ack or
// retry it replaces cannot tell how it was settled.
function place(s, args, entry, w) {
  const [parent, key] = s.at(args);
  if (key === "ack" || key === "retry") w.broken.add(parent);
  if (entry.getter) {
    Object.defineProperty(parent, key, { configurable: true, enumerable: true, get() { throw BOOM(); } });
    return undefined;
  }
  const value = entry.make();
  parent[key] = value;
  return value;
}

function leaks(text) {
  const found = [];
  if (text.includes(API_KEY)) found.push("the API key");
  if (EMAIL.test(text)) found.push("an email");
  return found;
}

/** Starts one call; resolves its record once it settled or SETTLE_MS passed. */
function start(fn, args) {
  let result;
  try {
    result = FUNCTIONS[fn](...args);
  } catch (error) {
    return Promise.resolve({ sync: error });
  }
  if (!(result instanceof Promise)) return Promise.resolve({ notPromise: result });
  const record = { pending: true };
  const settled = result.then((value) => Object.assign(record, { pending: false, value }), (error) => Object.assign(record, { pending: false, error }));
  return { record, settled };
}

// The world's messages in the batch as called (a message of the world whose settling can be seen).
function inBatch(kase) {
  try {
    return [...kase.args[0].messages].filter((m) => kase.w.settled.has(m) && !kase.w.broken.has(m));
  } catch {
    return [];
  }
}

// The failures of one finished (or hanging) case, as lines.
function check({ names, fn, want, hang: hangAllowed, w, placed, ...kase }, outcome) {
  const problems = [];
  if (outcome.sync !== undefined) return [`threw synchronously: ${texts(outcome.sync)}`];
  if (outcome.notPromise !== undefined) return ["did not return a Promise"];
  const { record } = outcome;
  if (record.pending) {
    if (!hangAllowed) problems.push(`did not settle within ${SETTLE_MS} ms`);
  } else if ("error" in record) {
    const { error } = record;
    if (!isGistError(error)) problems.push(`rejected with a foreign error: ${texts(error)}`);
    else {
      if (!REJECTS[fn].includes(error.code)) problems.push(`rejected with undocumented code ${error.code}: ${error.message}`);
      if (want === IA && error.code !== "invalid_argument") problems.push(`rejected ${error.code}, want invalid_argument: ${error.message}`);
      if (error.code === "queue_error" && fn !== "receiveWebhook" && !names.some((n) => /\.(ack|retry)$/.test(n))) problems.push(`queue_error, but no ack or retry was broken: ${error.message}`);
      for (const leak of leaks(`${error.message} ${texts({ ...error })}`)) problems.push(`its error holds ${leak}: ${error.message}`);
      if (error.code === "invalid_argument") {
        if ([...w.settled.values()].some((s) => s.length > 0)) problems.push("rejected invalid_argument after settling messages");
        if (w.log.dead.length > 0 || (fn === "enqueue" && w.log.sent.length > 0)) problems.push("rejected invalid_argument after sending");
      }
    }
  } else {
    if (want === IA) problems.push(`resolved, want invalid_argument: ${texts(record.value).slice(0, 200)}`);
    for (const leak of leaks(fn === "receiveWebhook" ? "" : texts(record.value))) problems.push(`its result holds ${leak}`);
    if (fn === "consume" || fn === "consumeWebhooks") {
      const how = inBatch({ w, ...kase }).map((m) => w.settled.get(m));
      if (how.some((s) => s.length !== 1)) problems.push(`resolved with its messages settled ${texts(how)} (each must be once)`);
      if (!Object.values(record.value ?? {}).every(Number.isInteger)) problems.push(`resolved counts that are not numbers: ${texts(record.value)}`);
    }
    if (fn === "enqueue" && Array.isArray(placed.operations)) {
      const { operations: sent, invalid, unsent } = record.value;
      if (sent + invalid.length + unsent.length !== placed.operations.length) problems.push(`enqueue accounted for ${sent} + ${invalid.length} + ${unsent.length} of ${placed.operations.length} operations`);
      if (![...invalid, ...unsent].every((x) => Number.isInteger(x.index) && typeof x.code === "string")) problems.push(`invalid or unsent entries malformed: ${texts([invalid, unsent])}`);
    }
  }
  if ([...w.settled.values()].some((s) => s.length > 1)) problems.push(`a message was settled twice: ${texts([...w.settled.values()])}`);
  for (const entry of w.log.dead) {
    if (!DEAD_CODES.has(entry?.code)) problems.push(`a dead letter with undocumented code ${entry?.code}`);
    for (const leak of leaks(texts(entry))) problems.push(`a dead letter holds ${leak}: ${texts(entry).slice(0, 300)}`);
  }
  return problems;
}

// Runs cases, FAST_MS each at most before the next starts; resolves the problems of those that settled,
// and puts the others in `slow`, to be checked later.
async function runCases(cases, slow) {
  const failures = [];
  for (const kase of cases) {
    const outcome = start(kase.fn, kase.args);
    if (outcome.settled) {
      await Promise.race([outcome.settled, new Promise((resolve) => setTimeout(resolve, FAST_MS))]);
      if (outcome.record.pending) {
        slow.push([kase, outcome]);
        continue;
      }
    }
    await new Promise((resolve) => setImmediate(resolve)); // what it left running (a settled ack) runs first
    failures.push(...check(kase, outcome).map((p) => `${kase.label}: ${p}`));
  }
  return failures;
}

// The problems of the slow cases, SETTLE_MS after the last was started.
async function checkSlow(slow) {
  if (slow.length > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return slow.flatMap(([kase, outcome]) => check(kase, outcome).map((p) => `${kase.label}: ${p}`));
}

// One case: `entries` put in their slots of one function's valid call.
function makeCase(fn, picks) {
  const { w, args } = BASELINES[fn]();
  const placed = { operations: fn === "enqueue" ? args[1] : undefined };
  let want = ANY;
  let hang = false;
  for (const [s, entry] of picks) {
    const value = place(s, args, entry, w);
    const rule = entry.getter ? s.getter : s.rule(entry, value);
    if (rule === IA) want = IA;
    hang ||= Boolean(entry.hang);
    if (s.name === "operations") placed.operations = value;
  }
  // Two picks: one may be refused up front, so only "any" is certain when they disagree.
  if (picks.length > 1) want = ANY;
  return { fn, args, w, want, hang, placed, names: picks.map(([s]) => s.name), label: `${fn} ${picks.map(([s, e]) => `${s.name} = ${e.kind}`).join(", ")}` };
}

function report(failures, what) {
  if (failures.length === 0) return;
  const shown = failures.slice(0, 40).join("\n");
  assert.fail(`${failures.length} failures in ${what}:\n${shown}${failures.length > 40 ? `\n... and ${failures.length - 40} more` : ""}`);
}

test("every slot of enqueue, consume, receiveWebhook and consumeWebhooks, with every bad value", async () => {
  const cases = SLOTS.flatMap((s) => valuesFor(s).map((entry) => [s, entry]));
  const started = Date.now();
  const failures = [];
  const slow = [];
  for (let i = 0; i < cases.length; i += 300) {
    mock.reset();
    failures.push(...(await runCases(cases.slice(i, i + 300).map(([s, entry]) => makeCase(s.fn, [[s, entry]])), slow)));
  }
  failures.push(...(await checkSlow(slow)));
  const hung = slow.filter(([, outcome]) => outcome.record.pending).map(([kase]) => kase.label);
  console.log(`queues fuzz: ${cases.length} cases over ${SLOTS.length} slots in ${Date.now() - started} ms; ${hung.length} left pending by a binding that never settles`);
  report(failures, "the systematic pass");
});


test("random pairs of bad values in two slots of one call", async () => {
  console.log(`queues fuzz: seed ${SEED} (GIST_FUZZ_SEED=${SEED} replays it), ${ITERATIONS} calls`);
  const next = random(SEED);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const byFunction = {};
  for (const s of SLOTS) (byFunction[s.fn] ??= []).push(s);
  const cases = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const fn = pick(Object.keys(byFunction));
    const [first, second] = [pick(byFunction[fn]), pick(byFunction[fn])];
    if (first === second) continue;
    // Outer slots first, so that the inner one is put in the object the outer one left (when it is one).
    const picks = [first, second].sort((x, y) => x.name.length - y.name.length).map((s) => [s, pick(valuesFor(s))]);
    try {
      cases.push(makeCase(fn, picks));
    } catch {
      // the outer value has no place for the inner one (a number, a Proxy): not a case
    }
  }
  mock.reset();
  const slow = [];
  const failures = await runCases(cases, slow);
  failures.push(...(await checkSlow(slow)));
  report(failures, `the random phase (seed ${SEED})`);
});

test("a binding that never settles holds only the messages waiting on it: the others are settled, nothing is sent twice", async () => {
  const { w, args } = BASELINES.consume();
  const [batch, gist] = args;
  gist.createUser = () => new Promise(() => {}); // message 0's upsert waits forever
  const call = consume(...args);
  const settledBy = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  assert.equal(await Promise.race([call.then(() => "settled", () => "settled"), settledBy(1000)]), undefined, "consume stays pending");
  assert.deepEqual(batch.messages.map((m) => w.settled.get(m)), [[], ["ack"], ["ack"]]);
  assert.deepEqual(w.log.dead, []);
});

test("nothing escaped: no uncaught exception or unhandled rejection during the run", async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(uncaught, []);
});
