// gist-wasm/queues: Gist writes at scale through Cloudflare Queues, and webhooks processed durably. The
// producer checks each operation with the client's own rules and sends them in messages under Queues'
// limits; the consumer runs them on a GistClient and acks, retries or dead-letters each message by what
// its operations' errors mean. The choices behind it are in docs/queues.md of the repository.
import "gist-wasm"; // the package's entry for this runtime, which loads the wasm that checkArgs needs
import { GistClient, checkArgs, isFreed } from "./client.js";
import { GistError, invalidArgument } from "./errors.js";
// Each function checks first that the wasm loaded (assertLoaded): it scrubs their refusals and dead letters.
import { assertLoaded } from "./load.js";
import { sleep } from "./pace.js";
import { SENDING, checkOptionsObject, refusedAnswer, toJson } from "./runtime.js";
import { parseWebhook, receiveDelivery } from "./webhooks.js";
import { MAX_LIST_LETTERS, callSync, deadLettersOf, isSyncId, redriveWith, scrubbed, stubsOf, syncStub, textOf } from "./queues-syncs.js";

import { optionNamed, sha256 } from "./queues-pacer.js";
export { GistPacer, pacedFetch } from "./queues-pacer.js";
export { GistSyncs, forgetSync, syncStatus } from "./queues-syncs.js";

// Each operation and the client method that runs it.
const METHODS = { upsertUser: "createUser", upsertLead: "createLead", tagContacts: "tagContacts", recordEvent: "recordEvent" };
// Failures that can never pass by sending again.
const FINAL = new Set(["invalid_request", "not_found", "invalid_argument", "invalid_response"]);
// Queues' limits (a KB is 1000 bytes): a message of 128 KB, ~100 bytes of it Queues' own; a sendBatch of
// 100 messages and 256 KB.
const MESSAGE_BYTES = 127_000;
const BATCH_BYTES = 250_000;
const BATCH_MESSAGES = 100;
const MAX_DELAY_SECONDS = 43_200; // Queues delays a message (sent, or retried) at most 12 hours
const MAX_OPS = 1000; // the most operations enqueue puts in a message (perMessage's maximum)
// The most items read of a list a caller gives (enqueue's operations, redrive's resend, a batch's
// messages, tagContacts' failed): a sparse array's length is read index by index, however few it holds.
const MAX_ITEMS = 100_000;
// A message key enqueue makes, and a ledger entry: such a key and an operation's index.
const KEY_TEXT = "[A-Za-z0-9_-]{1,100}";
const MESSAGE_KEY = new RegExp(`^${KEY_TEXT}$`);
const LEDGER_ENTRY = new RegExp(`^${KEY_TEXT}/\\d{1,4}$`);
const ENVELOPE = 200; // a body's bytes besides its operations: `{"ops":[]}`, the sync id and the message key
const LEDGER_TTL = 15 * 86_400; // longer than Queues keeps a message (14 days at most)
// How long after a refused write of a KV key it is tried again: KV takes one write a second per key, and
// refuses more ("429 Too Many Requests"); a tenth more for clocks' rounding.
const KV_KEY_WRITE_MS = 1100;
// A dead-letter entry lists this many targets (and each text is `scrubbed`, so short): it stays far under
// a message's size, so the dead-letter queue can always take it.
const ENTRY_TARGETS = 100;

const utf8 = new TextEncoder();
const sizeOf = (text) => utf8.encode(text).length;
const isGistError = (value) => {
  try {
    return value instanceof GistError;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
};

// `options` with its defaults; options that are not a plain object (a Promise of them, a Map, inherited
// from a prototype), a key it does not know (named `scrubKey`: its caller's API key taken out), a value
// that is not a number in range, or options that cannot be read (a throwing getter or Proxy) are refused.
function readOptions(options, defaults, what, scrubKey = (text) => text) {
  if (options === undefined || options === null) return { ...defaults };
  checkOptionsObject(options, what);
  let entries;
  try {
    entries = Object.entries(options);
  } catch {
    throw invalidArgument(`${what} cannot be read (a getter or Proxy threw)`);
  }
  const read = { ...defaults };
  for (const [key, value] of entries) {
    if (!Object.hasOwn(defaults, key)) throw invalidArgument(`${what} has no option ${optionNamed(key, scrubKey)}`);
    if (value === undefined) continue;
    const [min, max] = Object.hasOwn(RANGES, key) ? RANGES[key] : [];
    if (min !== undefined && !(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) {
      throw invalidArgument(`${what}.${key} must be a whole number from ${min} to ${max}`);
    }
    read[key] = value;
  }
  return read;
}
const RANGES = {
  perMessage: [1, MAX_OPS], delaySeconds: [0, MAX_DELAY_SECONDS], maxAttempts: [1, 100], concurrency: [1, 1000],
  retryDelaySeconds: [0, MAX_DELAY_SECONDS], maxRetryDelaySeconds: [0, MAX_DELAY_SECONDS], windowSeconds: [60, 365 * 86_400],
  limit: [1, MAX_LIST_LETTERS],
};

// The named methods of a binding, read once: refused (invalid_argument) unless each is a function.
function methodsOf(binding, names, what) {
  const methods = {};
  try {
    for (const name of names) methods[name] = binding[name];
  } catch {
    throw invalidArgument(`${what} is missing or cannot be read`);
  }
  if (!names.every((name) => typeof methods[name] === "function")) throw invalidArgument(`${what} needs ${names.join(", ")} functions`);
  return methods;
}

// A Queue binding's send and sendBatch, checked up front and called on the binding.
function producerOf(binding, what) {
  const { send, sendBatch } = methodsOf(binding, ["send", "sendBatch"], `${what} (a Queue binding)`);
  return { send: (body, options) => send.call(binding, body, options), sendBatch: (messages) => sendBatch.call(binding, messages) };
}

const queueError = (call, thrown) => new GistError("queue_error", `the queue refused a ${call}: ${scrubbed(textOf(thrown))}`);

// A KV namespace's get, put and delete, checked up front. Every call rejects only with a GistError
// `store_error`, and `get` resolves a string or null: anything else (undefined, say) is a failure too.
function storeOf(binding, what) {
  const { get, put, delete: remove } = methodsOf(binding, ["get", "put", "delete"], `${what} (a KV namespace)`);
  const call = async (method, args) => {
    try {
      return await method.apply(binding, args);
    } catch (error) {
      throw new GistError("store_error", `${what} failed: ${scrubbed(textOf(error))}`);
    }
  };
  return {
    binding,
    async get(key) {
      const value = await call(get, [key]);
      if (value === null || typeof value === "string") return value;
      throw new GistError("store_error", `${what}.get answered neither a string nor null`);
    },
    put: (key, value, ttl) => call(put, [key, value, { expirationTtl: ttl }]),
    delete: (key) => call(remove, [key]),
  };
}

// The items of `list`, an array (or a Proxy of one) of at most `max` (its length, read once), read by
// index; null when it is none of that, or cannot be read.
function itemsOf(list, max) {
  try {
    if (!Array.isArray(list)) return null;
    const { length } = list;
    return Number.isInteger(length) && length <= max ? Array.from({ length }, (_, index) => list[index]) : null;
  } catch {
    return null;
  }
}

// One message of a Queues batch, read once: id, attempts, body, and ack and retry called on it; null when
// it is not one (no string id, no whole number of attempts, no ack or retry). A body that cannot be read
// is `undefined`, which no consumer accepts.
function readMessage(message) {
  const { id, attempts, ack, retry } = message;
  if (typeof id !== "string" || !Number.isInteger(attempts) || attempts < 1) return null;
  if (typeof ack !== "function" || typeof retry !== "function") return null;
  let body;
  try {
    body = message.body;
  } catch {
    body = undefined;
  }
  return { id, attempts, body, original: message, ack: () => ack.call(message), retry: (options) => retry.call(message, options) };
}

// The messages of a batch; a batch that is not a Queues batch is refused before anything runs.
function messagesOf(batch) {
  let messages = null;
  try {
    messages = itemsOf(batch.messages, MAX_ITEMS)?.map(readMessage) ?? null;
  } catch {
    messages = null; // a getter or Proxy threw
  }
  if (messages === null || messages.includes(null)) {
    throw invalidArgument(`the batch must be a Queues batch: messages (at most ${MAX_ITEMS}), each with a string id, attempts, body, ack() and retry()`);
  }
  return messages;
}

// Keys that a consume or consumeWebhooks of this isolate is working on, per store, each held by a delivery
// (a message and its attempts). Another delivery reaching a held key at the same moment leaves it to the
// holder and is retried; a later delivery of the holder's own message takes it over, since Queues delivers
// a message again only once its earlier delivery is over (a run the runtime abandoned never releases).
// Returns the release, or null when the key is held.
const claims = new WeakMap();
function claim(store, key, { id, attempts }) {
  let held = claims.get(store);
  if (!held) claims.set(store, (held = new Map()));
  const holder = held.get(key);
  if (holder && !(holder.id === id && holder.attempts < attempts)) return null;
  const mine = { id, attempts };
  held.set(key, mine);
  return () => held.get(key) === mine && held.delete(key);
}

// The `[name, input]` of an operation `{ upsertUser: user }` (exactly one known key), or of the same
// written `{ op: "upsertUser", input: user }`.
function operationOf(operation) {
  let name;
  let input;
  try {
    const keys = typeof operation === "object" && operation !== null ? Object.keys(operation) : [];
    if (keys.length === 1) [name, input] = [keys[0], operation[keys[0]]];
    else if (keys.length === 2 && keys.includes("op") && keys.includes("input")) [name, input] = [operation.op, operation.input];
  } catch {
    throw invalidArgument("the operation cannot be read (a getter or Proxy threw)");
  }
  if (typeof name !== "string" || !Object.hasOwn(METHODS, name)) {
    throw invalidArgument("an operation is { upsertUser }, { upsertLead }, { tagContacts } or { recordEvent } (or { op, input }, op one of those names)");
  }
  return [name, input];
}

// Sends `{ body, bytes }` items with sendBatch, in batches under Queues' limits, until one fails:
// resolves how many were sent, and the failed sendBatch's error (queue_error), if one failed.
async function sendAll(queue, items, delaySeconds) {
  let batch = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (batch.length > 0) await queue.sendBatch(batch.map((body) => ({ body, contentType: "json", delaySeconds })));
    sent += batch.length;
    batch = [];
    bytes = 0;
  };
  try {
    for (const item of items) {
      if (batch.length === BATCH_MESSAGES || bytes + item.bytes > BATCH_BYTES) await flush();
      batch.push(item.body);
      bytes += item.bytes;
    }
    await flush();
  } catch (error) {
    return { sent, error: queueError("sendBatch", error) };
  }
  return { sent };
}

// An operation checked by the client's own rules: `{ text }`, its JSON, or `{ error }`, the GistError that refuses it.
function checkedOperation(operation) {
  try {
    const [name, input] = operationOf(operation);
    // The input as the client writes it (its one argument, read once): a Date as Unix seconds.
    // Refused as soon as it is written past a message's bytes: not read by the core first.
    const args = checkArgs(METHODS[name], [input], { maxBytes: MESSAGE_BYTES - ENVELOPE, taker: "a queue message" });
    const text = `{${JSON.stringify(name)}:${args.slice(1, -1)}}`;
    if (sizeOf(text) + ENVELOPE > MESSAGE_BYTES) throw invalidArgument(`the operation is over the ${MESSAGE_BYTES} bytes a queue message holds`);
    return { text };
  } catch (error) {
    return { error: isGistError(error) ? error : invalidArgument("the operation cannot be read") };
  }
}

/**
 * Checks each operation as the client would, groups the valid ones into messages (`perMessage` at most,
 * each under Queues' 128 KB) and sends them with `sendBatch`. Resolves the sync's id (`options.sync`, or
 * a new one), how many operations and messages were enqueued, each invalid operation's index and error
 * (never enqueued), and, when a `sendBatch` failed, each operation it and the batches after it did not
 * enqueue (`unsent`, code `queue_error`). With `options.progress` (a GistSyncs namespace) the sync's
 * counts include them. Rejects only with `invalid_argument`, for bad arguments, before anything is sent.
 */
export async function enqueue(queue, operations, options) {
  assertLoaded();
  const read = readOptions(options, { perMessage: 25, delaySeconds: 0, progress: undefined, sync: undefined, key: undefined }, "enqueue options");
  if (read.sync !== undefined && !isSyncId(read.sync)) throw invalidArgument("enqueue's sync is 1 to 64 letters, digits, _ or -");
  if (read.key !== undefined && !isSyncId(read.key)) throw invalidArgument("enqueue's key is 1 to 64 letters, digits, _ or -");
  return send(queue, operations, read, true);
}

// enqueue's work, for enqueue and redrive: `counted` adds the operations to the sync's `enqueued`.
async function send(queue, operations, { perMessage, delaySeconds, progress, sync = crypto.randomUUID(), key, ledgers }, counted) {
  const producer = producerOf(queue, "enqueue's queue");
  const call = crypto.randomUUID();
  const stub = progress === undefined ? undefined : syncStub(progress, sync, "enqueue's progress");
  const list = itemsOf(operations, MAX_ITEMS);
  if (list === null) throw invalidArgument(`operations must be an array that can be read, of at most ${MAX_ITEMS} (enqueue more in another call)`);
  const invalid = [];
  const groups = []; // each message's operations, as JSON text
  const indexes = []; // each message's operations, by their index in `operations`
  let texts = [];
  let inBody = [];
  let bytes = 0;
  const close = () => {
    if (texts.length > 0) {
      groups.push(`[${texts.join(",")}]`);
      indexes.push(inBody);
    }
    texts = [];
    inBody = [];
    bytes = 0;
  };
  list.forEach((operation, index) => {
    const { text, error } = checkedOperation(operation);
    if (error) {
      invalid.push({ index, code: error.code, message: scrubbed(error.message) });
      return;
    }
    // A redriven operation's ledger entry goes in the same message, `"entry",` in its `ledger`.
    const size = sizeOf(text) + (ledgers?.[index] ? ledgers[index].length + 3 : 0);
    if (texts.length === perMessage || bytes + size + ENVELOPE > MESSAGE_BYTES) close();
    texts.push(text);
    inBody.push(index);
    bytes += size + 1;
  });
  close();
  // A call that a key names is that key and all it enqueues (so that the same call made again, with the
  // same operations grouped the same way, names the same messages, and any other call others).
  const named = key === undefined ? undefined : `${key}-${(await sha256(`${perMessage}\n${invalid.length}\n${groups.join("\n")}`)).slice(0, 16)}`;
  const items = []; // each message's body and size
  for (const [place, ops] of groups.entries()) {
    // Its key, in the sync and in the ledger: the call's, with the message's place.
    const messageKey = `${named ?? call}-${place}`;
    // A redriven recordEvent keeps its first message's ledger entry (`ledgers`, by operation): a delivery of
    // that message that passed meanwhile has marked it done.
    const ledger = ledgers && indexes[place].map((index) => ledgers[index] ?? null);
    const kept = ledger?.some((entry) => entry !== null) ? `,"ledger":${JSON.stringify(ledger)}` : "";
    const text = `{"ops":${ops},"sync":"${sync}","key":"${messageKey}"${kept}}`;
    items.push({ body: JSON.parse(text), bytes: sizeOf(text) });
  }
  const { sent, error } = await sendAll(producer, items, delaySeconds);
  const unsent = error ? indexes.slice(sent).flat().map((index) => ({ index, code: error.code, message: error.message })) : [];
  const enqueued = indexes.slice(0, sent).flat().length;
  const result = { sync, operations: enqueued, messages: sent, invalid, unsent };
  if (stub && counted) {
    try {
      // A keyed call's messages by key, so that a call made again counts only what is new.
      const messages = named === undefined ? undefined : items.slice(0, sent).map(({ body }) => [body.key, body.ops.length]);
      await callSync(stub, "/enqueued", { operations: enqueued, invalid: invalid.length, messages, call: named });
    } catch (failed) {
      result.progressError = failed.message; // enqueued all the same: only the sync's counts miss them
    }
  }
  return result;
}

// listDeadLetters' or redrive's options (`defaults` names the ones it takes), read and checked: `code`
// undefined or a non-empty string, `resend` an array of dead-letter keys, [] by default.
function deadLetterOptions(options, defaults, what) {
  const { code, resend = [], ...rest } = readOptions(options, defaults, `${what} options`);
  if (code !== undefined && (typeof code !== "string" || code === "")) throw invalidArgument(`${what}'s code must be a non-empty string`);
  const keys = itemsOf(resend, MAX_ITEMS);
  if (keys === null || !keys.every((key) => typeof key === "string")) throw invalidArgument(`redrive's resend must be an array of at most ${MAX_ITEMS} dead-letter keys (strings)`);
  return { ...rest, code, resend: keys };
}

/**
 * A sync's dead letters (all, or those of `options.code`), in key order: at most `options.limit`
 * (default and most MAX_LIST_LETTERS), after the one keyed `options.after`; each a `DeadLetter` with its
 * `key`, which `redrive`'s `resend` names. Rejects with `invalid_argument`, `store_error` or `invalid_response`.
 */
export async function listDeadLetters(progress, sync, options) {
  assertLoaded();
  const { code, after, limit = MAX_LIST_LETTERS } = deadLetterOptions(options, { code: undefined, after: undefined, limit: undefined }, "listDeadLetters");
  if (after !== undefined && (typeof after !== "string" || after === "")) throw invalidArgument("listDeadLetters' after must be a dead letter's key (a non-empty string)");
  return deadLettersOf(progress, sync, { code, after, limit });
}

/**
 * Sends a sync's dead letters (all, or those of `options.code`) to `queue` again, in the same sync, and
 * takes them off its list; a recordEvent whose outcome is unknown only when `options.resend` names its
 * key. Resolves `{ redriven, skipped, unsent }`; rejects with `invalid_argument`, `store_error` or `invalid_response`.
 */
export async function redrive(progress, queue, sync, options) {
  assertLoaded();
  const read = deadLetterOptions(options, { code: undefined, resend: undefined }, "redrive");
  producerOf(queue, "redrive's queue"); // refused up front, before any letter is claimed
  return redriveWith((target, operations, ledgers) => send(target, operations, { perMessage: 25, delaySeconds: 0, progress, sync, ledgers }, false), progress, queue, sync, read);
}


// A contact reference with its email replaced by the SHA-256 of its lower case: a DLQ entry holds no address.
async function masked(ref) {
  if (typeof ref !== "object" || ref === null) return null;
  const { id, user_id: userId, email } = ref;
  return {
    ...(typeof id === "number" && { id }),
    ...((typeof userId === "string" || typeof userId === "number") && { user_id: String(userId) }),
    ...(typeof email === "string" && { email_sha256: await sha256(email.trim().toLowerCase()) }),
  };
}

// What a dead-letter entry says of an operation: its name, and whom or what it was about, masked; just
// the name when the operation cannot be read.
async function describeOperation(name, input) {
  try {
    if (name === "upsertUser" || name === "upsertLead") return { operation: name, contact: await masked(input) };
    const text = (value) => (typeof value === "string" ? value : undefined);
    if (name === "recordEvent") return { operation: name, event_name: text(input.event_name), contact: await masked(input.user ?? input.lead) };
    // The first ENTRY_TARGETS indexes, read one by one: a sparse list's length (a v8 body's) may be 2^32 - 1.
    const targets = [];
    let count = 0;
    for (const list of [input.users, input.leads]) {
      const length = Array.isArray(list) ? Number(list.length) : 0;
      for (let index = 0; index < length && targets.length < ENTRY_TARGETS; index++) targets.push(list[index]);
      count += length;
    }
    const omitted = count - targets.length;
    return { operation: name, tag: text(input.tag), targets: await Promise.all(targets.map(masked)), ...(omitted > 0 && { targetsOmitted: omitted }) };
  } catch {
    return { operation: name };
  }
}

// Every text of an entry scrubbed of addresses and cut short, whatever the message held.
function scrubbedEntry(value) {
  if (typeof value === "string") return scrubbed(value);
  if (Array.isArray(value)) return value.map(scrubbedEntry);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbedEntry(v)]));
  return value;
}

// A number a failure says (a status, the seconds of its retryAfter), else undefined.
const numberOf = (value) => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined);

// A failure as a GistError, read once: a GistError's code, status and retryAfter, its message scrubbed;
// anything else thrown is `handler_error` (a webhook handler's own error, or a client stand-in's).
function readError(thrown) {
  try {
    if (isGistError(thrown) && typeof thrown.code === "string") {
      const { status, retryAfter, mayHaveActed } = thrown;
      const known = typeof mayHaveActed === "boolean" ? mayHaveActed : undefined;
      return new GistError(thrown.code, scrubbed(thrown.message), { status: numberOf(status), retryAfter: numberOf(retryAfter), mayHaveActed: known });
    }
  } catch {
    // a GistError whose fields throw: described below
  }
  return new GistError("handler_error", scrubbed(textOf(thrown)));
}

const outcomeUnknown = (why) => new GistError("outcome_unknown", why);

// The backoff before a message's next attempt: the error's retryAfter, else doubling from the base.
function delayFor(error, attempts, options) {
  const backoff = options.retryDelaySeconds * 2 ** Math.max(0, attempts - 1);
  const wait = error?.retryAfter ?? Math.min(options.maxRetryDelaySeconds, backoff);
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(wait));
}

// Whether a failure shows that Gist did not act: what the client says of its call (`mayHaveActed`: no
// write sent, or each refused), else, from a client that does not say, refused before any request, a
// 4xx, a rate limit or a 503.
const didNotAct = ({ code, status, mayHaveActed }) =>
  typeof mayHaveActed === "boolean"
    ? !mayHaveActed
    : code === "invalid_argument" || code === "rate_limited" || refusedAnswer(status);

// What to do after an operation failed: dead-letter what can never pass; retry the rest, but for a
// recordEvent only when Gist did not act (after anything else it may have executed). A client freed
// while the batch ran refuses its calls unsent (`invalid_argument`): they are retried, on another delivery.
function verdict(name, error, attempts, { read: options, freed }) {
  if (error.code === "invalid_argument" && freed()) return { retry: error, delay: delayFor(error, attempts, options) };
  // First: a recordEvent that may have executed is outcome_unknown whatever failed (an answer it cannot
  // read included), so that redrive() does not send it again.
  if (name === "recordEvent" && !didNotAct(error)) {
    return { dead: outcomeUnknown(`recordEvent failed with ${error.code} after it was sent, so it may have executed; it is not sent again (${error.message})`) };
  }
  if (FINAL.has(error.code)) return { dead: error };
  return { retry: error, delay: delayFor(error, attempts, options) };
}

// tagContacts resolves with the targets it could not (un)tag: a retry when any can pass (after the
// longest retryAfter among them, so that a rate limit on a later batch is waited out), else dead.
function tagFailures(result, attempts, options) {
  let failures;
  try {
    const failed = Array.isArray(result?.failed) ? itemsOf(result.failed, MAX_ITEMS) : []; // null throws below
    failures = failed.map(({ error }) => new GistError(String(error.code), scrubbed(error.message), { retryAfter: numberOf(error.retryAfter) }));
  } catch {
    failures = [new GistError("invalid_response", "tagContacts resolved a result that cannot be read")];
  }
  const passing = failures.filter((error) => !FINAL.has(error.code));
  const wait = (error) => error.retryAfter ?? -1;
  const longest = passing.reduce((chosen, error) => (wait(error) > wait(chosen) ? error : chosen), passing[0]);
  if (longest) return { retry: longest, delay: delayFor(longest, attempts, options) };
  return failures.length > 0 ? { dead: failures[0] } : { ok: true };
}

// A recordEvent, sent at most once whatever fails around it: claimed in this isolate, and marked "sent" in
// the ledger (by its message's key, else the message's id) before it goes and "done" after. A failure
// before it goes leaves it unsent (a retry); once it may have gone it is never sent again: a mark the
// ledger fails to update stays "sent", which a later delivery dead-letters as outcome_unknown.
async function recordOnce(run, message, index, input) {
  const { ledger, read } = run;
  if (!ledger) return { dead: invalidArgument("recordEvent through a queue needs consume's `ledger` option (a KV namespace)") };
  const key = `gist-wasm/op/${ledgerOf(message.body, index) ?? `${message.id}/${index}`}`;
  const release = claim(ledger.binding, key, message);
  if (!release) {
    const busy = outcomeUnknown("another consume in this isolate was running this recordEvent (its message delivered twice at once), so it was not sent again here");
    return { retry: busy, delay: delayFor(undefined, message.attempts, read) };
  }
  try {
    let mark;
    try {
      mark = await run.outside(ledger.get(key));
    } catch (error) {
      return { retry: error, delay: delayFor(undefined, message.attempts, read) };
    }
    if (mark === "done") return { ok: true };
    if (mark === "sent") return { dead: outcomeUnknown("recordEvent was sent by an earlier delivery (of this message, or of another with its key) whose outcome is not known here: it may have executed, so it is not sent again") };
    if (mark !== null) return { retry: new GistError("store_error", "the ledger holds a mark consume did not write"), delay: delayFor(undefined, message.attempts, read) };
    // Marked sent as its request goes, once the client's pacing (and pacedFetch's permit) let it: a crash
    // while it waits for its turn leaves it unmarked, so a later delivery sends it. A mark that cannot be written sends nothing.
    // A client whose recordEvent is its own (a subclass's) may not pass the mark on: it is marked first.
    let marking; // the mark's write, awaited before it is taken back (it may land after the call ended)
    let marked = false; // that write resolved: there is a mark to take back
    let takenBack = false; // the call gave up unsent: a fetch that marks it later is refused, and sends nothing
    const markSent = () => {
      if (takenBack) return Promise.reject(new GistError("aborted", "the recordEvent's call ended before its request went: not marked, not sent"));
      return (marking = ledger.put(key, "sent", LEDGER_TTL).then(() => { marked = true; }, (error) => {
        throw Object.assign(error, { mayHaveActed: false }); // a store_error: nothing was sent
      }));
    };
    try {
      if (!run.marksAsItSends) await run.outside(markSent());
      await run.gist.recordEvent(input, run.marksAsItSends ? { [SENDING]: markSent } : undefined);
    } catch (thrown) {
      const error = readError(thrown);
      try {
        if (didNotAct(error)) {
          takenBack = true;
          await run.outside(marking?.catch(() => {}));
          // It did not go: a later delivery may send it. A `sent` write that failed is not taken back (it
          // most likely wrote nothing; one that landed is read back, and the event dead-lettered, unsent).
          if (marked) await run.outside(rewrite(() => ledger.delete(key)));
        }
      } catch (failed) {
        return { dead: new GistError("store_error", `Gist did not record the event (${error.code}), but ${failed.message}: it stays marked sent, so it is dead-lettered, not sent again`) };
      }
      return verdict("recordEvent", error, message.attempts, run);
    }
    await run.outside(rewrite(() => ledger.put(key, "done", LEDGER_TTL)).catch(() => {})); // recorded: a failed mark stays "sent", never a resend
    return { ok: true };
  } finally {
    release();
  }
}

// A ledger entry's second write (its `done`, or the delete that takes its `sent` back), which KV refuses
// within a second of the `sent` mark: one that fails is tried once more, KV_KEY_WRITE_MS later.
async function rewrite(write) {
  try {
    await write();
  } catch {
    await sleep(KV_KEY_WRITE_MS);
    await write();
  }
}

// Runs one operation of a message; resolves `{ ok }`, `{ retry, delay }` or `{ dead }`, never rejects.
// After a dropped connection (`network_error`, which the client does not retry on a write; for a
// tagContacts, thrown or in a batch it lists as failed) an operation that is safe to repeat (all but
// recordEvent) is sent once more at once, if the message has attempts left (so `maxAttempts: 1` still
// sends nothing twice): the message's retry would send it again anyway, only after its retry delay, and
// the pacing, not that delay, keeps the key's rate.
async function runOperation(run, message, index, [name, input]) {
  if (name === "recordEvent") return recordOnce(run, message, index, input);
  let resends = message.attempts < run.read.maxAttempts ? 1 : 0;
  for (;;) {
    let outcome;
    try {
      const result = await run.gist[METHODS[name]](input);
      outcome = name === "tagContacts" ? tagFailures(result, message.attempts, run.read) : { ok: true };
    } catch (thrown) {
      outcome = verdict(name, readError(thrown), message.attempts, run);
    }
    if (outcome.retry?.code === "network_error" && resends-- > 0) continue;
    return outcome;
  }
}

// Places for at most `concurrency` works at once: `each(items, work)` runs `work` on each item, in order, as
// places free up. A work awaits a binding through `outside(promise)`, which gives its place up meanwhile
// and takes one again after: a binding that never answers holds up only the works that wait on it.
function places(concurrency) {
  let free = concurrency;
  const waiting = []; // the resolves of works waiting for a place, first come first served
  let first = 0;
  const take = () => (free > 0 ? void free-- : new Promise((resolve) => waiting.push(resolve)));
  const give = () => {
    if (first === waiting.length) return void free++;
    const next = waiting[first];
    waiting[first++] = undefined;
    if (first === waiting.length) waiting.length = first = 0;
    next();
  };
  return {
    async outside(promise) {
      give();
      try {
        return await promise;
      } finally {
        await take();
      }
    },
    async each(items, work) {
      const works = [];
      for (const item of items) {
        await take();
        works.push(work(item).finally(give));
      }
      await Promise.all(works);
    },
  };
}

// The dead-letter entry of a failure (a GistError): its code and message, where it came from, and `about`;
// a message's size at most: a tagContacts' targets are halved until it fits (each text is short, but
// 100 targets of long user_ids, escaped or not ASCII, are not).
function deadEntry(message, index, error, about) {
  const entry = scrubbedEntry({
    ...about,
    code: error.code,
    message: error.message,
    ...(error.status !== undefined && { status: error.status }),
    attempts: message.attempts,
    messageId: message.id,
    index,
  });
  while (entry.targets?.length > 0 && sizeOf(JSON.stringify(entry)) > MESSAGE_BYTES) {
    const kept = entry.targets.length >> 1;
    entry.targetsOmitted = (entry.targetsOmitted ?? 0) + entry.targets.length - kept;
    entry.targets = entry.targets.slice(0, kept);
  }
  return entry;
}

// Acks or retries a message (awaiting what that returns, should it be a promise); a runtime that refuses
// is remembered, and the run rejects once all are settled.
async function settleAs(message, run, how, delaySeconds) {
  try {
    await (how === "ack" ? message.ack() : message.retry({ delaySeconds }));
  } catch (error) {
    run.unsettled.push(scrubbed(textOf(error)));
  }
}

// An operation as the client writes it (a Date as Unix seconds, as it was sent), in at most `room`
// bytes of JSON, for its dead letter in the sync's object; undefined where it cannot be (a BigInt, a
// cycle or a getter that throws, which a body of Queues' "v8" content type can hold, or a sparse array
// whose JSON would be millions of times its size): redrive skips such a letter, whose entry says why.
function asJson(operation, room) {
  try {
    return operation === undefined ? undefined : toJson(operation, "operation", { maxBytes: room });
  } catch {
    return undefined;
  }
}

// Tells the sync's object what became of a message's operations (`done`, `retrying`, and the dead
// letters with their operations); resolves false when it failed. Messages outside a sync need nothing.
async function report(progress, failures, dead) {
  if (!progress) return true;
  const { namespace, sync, key, ops } = progress;
  // Each with the ledger entry its recordEvent used, which a redrive of it keeps.
  // The operations kept take at most a message's bytes in all, as enqueue's JSON bodies do.
  let room = MESSAGE_BYTES;
  const letters = dead.map((body) => {
    const text = asJson(ops?.[body.index], room);
    room -= text?.length ?? 0;
    return { index: body.index, entry: body, operation: text === undefined ? undefined : JSON.parse(text), ledger: ledgerOf(progress.body, body.index) };
  });
  const retrying = dead.length > 0 ? 0 : failures.length;
  try {
    // A message that held no operations (not one enqueue sent) fails as a whole: it did none.
    await callSync(syncStub(namespace, sync, "consume's progress"), "/settled", { message: key, done: Math.max(0, (ops?.length ?? 0) - failures.length), retrying, dead: letters });
    return true;
  } catch {
    return false;
  }
}

// Settles a message: acked when nothing failed; retried when an operation can still pass (and attempts
// are left), or when there is no dead-letter queue (Queues' own max_retries and dead_letter_queue then
// decide); else its failures go to the dead-letter queue (and the sync's object) and it is acked
// (retried when either refuses them: nothing is dropped). Each failure's `entry()` makes its dead-letter
// entry, only then. A message of a sync reports its outcome first (best effort, but for dead letters).
async function settle({ message, failures, progress }, run) {
  const { counts, read } = run;
  const retries = failures.filter((f) => f.retry);
  if (failures.length === 0) {
    await report(progress, failures, []);
    return settleAs(message, run, "ack");
  }
  const retrying = retries.length > 0 && message.attempts < read.maxAttempts;
  if (retrying || !run.deadLetters) {
    await report(progress, failures, []);
    await settleAs(message, run, "retry", retries.length > 0 ? Math.max(...retries.map((f) => f.delay)) : delayFor(undefined, message.attempts, read));
    counts.retried += retrying ? retries.length : failures.length;
    return;
  }
  const bodies = await Promise.all(failures.map(({ entry }) => entry()));
  const { error } = await sendAll(run.deadLetters, bodies.map((body) => ({ body, bytes: sizeOf(JSON.stringify(body)) })), 0);
  if (error || !(await report(progress, failures, bodies))) {
    await settleAs(message, run, "retry", delayFor(undefined, message.attempts, read));
    counts.retried += failures.length;
    return;
  }
  await settleAs(message, run, "ack");
  counts.deadLettered += failures.length;
}

// Rejects (queue_error) when the runtime refused to ack or retry a message: it then delivers it again.
function finish(run) {
  if (run.unsettled.length > 0) {
    throw new GistError("queue_error", `the runtime refused to ack or retry ${run.unsettled.length} message(s): ${run.unsettled[0]}`);
  }
  return run.counts;
}

// A message body's operations, when it is one enqueue sent (`{ ops: [...] }`, 1 to 1000 of them), else null.
function opsOf(body) {
  try {
    const list = itemsOf(body?.ops, MAX_OPS);
    return list?.length > 0 ? list : null;
  } catch {
    return null;
  }
}

// The key enqueue gave a message (one per message of its call), if it is one: at most 100 letters,
// digits, `_` or `-` (a `:` would reach into another message's dead letters).
function messageKey(body) {
  try {
    const { key } = body;
    return typeof key === "string" && MESSAGE_KEY.test(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

// The ledger entry of a message's operation `index`: the one a redriven message names (of the message
// it was first sent in), else `<message key>/<index>`; undefined for a body without a key.
function ledgerOf(body, index) {
  const key = messageKey(body);
  return firstLedger(body, index) ?? (key === undefined ? undefined : `${key}/${index}`);
}

// The ledger entry a redriven message names for its operation `index`: that of the message it was first
// sent in, of a message key and an index.
function firstLedger(body, index) {
  try {
    const entry = body.ledger[index];
    return typeof entry === "string" && LEDGER_ENTRY.test(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

// Where a message of a sync reports to (with `consume`'s `progress`): the namespace and the sync (its
// object is got when the message reports, where a namespace that throws is a failed report), the
// message's key and operations; undefined for a message outside a sync.
function progressOf(namespace, body, ops) {
  if (namespace === undefined) return undefined;
  let sync;
  try {
    ({ sync } = body);
  } catch {
    return undefined;
  }
  const key = messageKey(body);
  if (!isSyncId(sync) || key === undefined) return undefined;
  return { namespace, sync, key, ops, body };
}

// `text` without `client`'s key, by its own scrubber where it is a GistClient (of any copy of the
// package; nothing of the text once it is freed); as it is where the client has none.
function withoutKeyOfClient(client, text) {
  try {
    const scrub = client?.[Symbol.for("gist-wasm.scrub")];
    return typeof scrub === "function" ? String(scrub.call(client, text)) : text;
  } catch {
    return "[not shown]"; // a client that cannot be read (a Proxy, a getter that threw)
  }
}

const CONSUME_DEFAULTS = { deadLetterQueue: undefined, ledger: undefined, progress: undefined, maxAttempts: 5, concurrency: 24, retryDelaySeconds: 2, maxRetryDelaySeconds: 600 };
const CLIENT_METHODS = Object.values(METHODS);

/**
 * For a Worker's `queue()` handler: runs each message's operations on `client` (within its pacing,
 * `concurrency` at once), acks what succeeded, retries (`retry({ delaySeconds })`) what failed for a
 * reason that can pass, and sends what never can to `deadLetterQueue`, then acks it (without one, retries
 * it: Queues' own retries then decide); a message that is not one `enqueue` sent is dead-lettered.
 * Resolves counts of operations: succeeded, retried, deadLettered. Rejects only with `invalid_argument`
 * (before anything runs) or `queue_error` (the runtime refused to ack or retry a message, once the
 * others are settled).
 */
export async function consume(batch, client, options) {
  assertLoaded();
  const read = readOptions(options, CONSUME_DEFAULTS, "consume options", (text) => withoutKeyOfClient(client, text));
  const deadLetters = read.deadLetterQueue === undefined ? undefined : producerOf(read.deadLetterQueue, "consume's deadLetterQueue");
  const ledger = read.ledger === undefined ? undefined : storeOf(read.ledger, "consume's ledger");
  const methods = methodsOf(client, CLIENT_METHODS, "consume's client (a GistClient)");
  if (isFreed(client)) throw invalidArgument("consume's client was freed (free() or `using`): free it once consume has settled");
  const gist = Object.fromEntries(CLIENT_METHODS.map((name) => [name, (input, options) => methods[name].call(client, input, options)]));
  if (read.progress !== undefined) stubsOf(read.progress, "consume's progress", "GistSyncs"); // refused up front, not per message
  const messages = messagesOf(batch);
  const freed = () => isFreed(client);
  const marksAsItSends = methods.recordEvent === GistClient.prototype.recordEvent;
  const { each, outside } = places(read.concurrency);
  const run = { read, deadLetters, ledger, gist, freed, marksAsItSends, outside, counts: { succeeded: 0, retried: 0, deadLettered: 0 }, unsettled: [] };
  const tasks = [];
  const states = messages.map((message) => {
    const ops = opsOf(message.body);
    const state = { message, left: ops?.length ?? 0, failures: [], progress: progressOf(read.progress, message.body, ops) };
    if (ops === null) state.failures.push({ entry: () => deadEntry(message, null, invalidArgument("the message is not one enqueue() sent"), {}) });
    ops?.forEach((operation, index) => tasks.push({ state, index, operation }));
    return state;
  });
  // A malformed message is dead-lettered beside the others' work: each is settled as its own work ends.
  const malformed = states.filter((state) => state.left === 0).map((state) => settle(state, run));
  const operations = each(tasks, async ({ state, index, operation }) => {
    const { message } = state;
    let named;
    let outcome;
    try {
      named = operationOf(operation);
      outcome = await runOperation(run, message, index, named);
    } catch (error) {
      outcome = { dead: error }; // operationOf's invalid_argument: runOperation never rejects
    }
    if (outcome.ok) run.counts.succeeded += 1;
    else state.failures.push({ ...outcome, entry: async () => deadEntry(message, index, outcome.dead ?? outcome.retry, named ? await describeOperation(...named) : {}) });
    state.left -= 1;
    if (state.left === 0) await outside(settle(state, run));
  });
  await Promise.all([...malformed, operations]);
  return finish(run);
}

/**
 * A durable webhook receiver: verifies and parses the delivery as `handleWebhook(request, options)`
 * does, enqueues the event on `queue`, and answers 200 once it is enqueued; 401 or 400 for a delivery
 * that does not verify or parse, 413 for one over a queue message's size. Rejects only with
 * `invalid_argument`, `aborted` (the sender went away before the body ended: nothing enqueued) or
 * `queue_error` (the queue refused the event), scrubbed of emails.
 */
export async function receiveWebhook(request, queue, options) {
  assertLoaded();
  const producer = producerOf(queue, "receiveWebhook's queue");
  let delivery;
  try {
    delivery = await receiveDelivery(request, options);
  } catch (error) {
    // handleWebhook rejects only with GistErrors, scrubbed of emails where they quote the request.
    if (error.code === "invalid_webhook") return new Response(error.message, { status: error.status });
    throw error;
  }
  const body = { webhook: { topic: delivery.event.topic ?? null, body: delivery.body } };
  if (sizeOf(JSON.stringify(body)) > MESSAGE_BYTES) return new Response("the delivery is over a queue message's size", { status: 413 });
  try {
    await producer.send(body, { contentType: "json" });
  } catch (error) {
    throw queueError("send", error);
  }
  return new Response("ok");
}

// A message body's delivery, when it is one receiveWebhook sent (`{ webhook: { topic, body } }`), else null.
function deliveryOf(body) {
  try {
    const { topic = null, body: text } = body.webhook;
    return (topic === null || typeof topic === "string") && typeof text === "string" ? { topic, text } : null;
  } catch {
    return null;
  }
}

// The WebhookEvent of a delivery receiveWebhook queued: its body's, with the topic it was received with
// where the body names none (that topic came from a header; one from the body, a line break included,
// is read from the body again).
function deliveredEvent(text, topic) {
  const event = parseWebhook(text);
  return topic === null || event.topic !== undefined ? event : parseWebhook(text, { "x-gist-topic": topic });
}

// Hands one delivery to the handler unless the dedupe store says it was handled; marks it handled after.
// Resolves whether the delivery is handled now (by this call or before it), so not to be handled again.
async function handleDelivery(run, message, { topic, text }, key) {
  const { counts, read, dedupe, handler, outside } = run;
  let mark;
  try {
    mark = await outside(dedupe.get(key));
  } catch (error) {
    await outside(settle({ message, failures: [{ retry: error, delay: delayFor(error, message.attempts, read), entry: () => deadEntry(message, null, error, { webhook: topic, key }) }] }, run));
    return false;
  }
  if (mark !== null) {
    counts.duplicates += 1;
    await outside(settleAs(message, run, "ack"));
    return true;
  }
  let event;
  try {
    event = deliveredEvent(text, topic);
    await handler(event, message.original);
  } catch (thrown) {
    const error = readError(thrown);
    const entry = () => deadEntry(message, null, error, { webhook: topic, key });
    // A body that does not parse never will; a handler that throws, whatever it throws, is retried.
    await outside(settle({ message, failures: [event === undefined ? { entry } : { retry: error, delay: delayFor(error, message.attempts, read), entry }] }, run));
    return false;
  }
  await outside(dedupe.put(key, "handled", read.windowSeconds).catch(() => {})); // handled: a lost mark only lets a later duplicate through
  counts.handled += 1;
  await outside(settleAs(message, run, "ack"));
  return true;
}

const WEBHOOK_DEFAULTS = { dedupe: undefined, deadLetterQueue: undefined, windowSeconds: 86_400, maxAttempts: 5, concurrency: 6, retryDelaySeconds: 2, maxRetryDelaySeconds: 600 };

/**
 * For the `queue()` handler of `receiveWebhook`'s queue: hands each event to `handler` once. A delivery
 * with the same topic and body as one handled within `windowSeconds` (kept in the `dedupe` KV namespace),
 * or earlier in the batch, is acked as a duplicate; an event is marked handled only once `handler`
 * resolves, and a copy whose earlier copy in the batch was not handled is retried, not acked. A handler
 * that throws is retried with backoff, and after `maxAttempts` dead-lettered.
 * Resolves counts of messages: handled, duplicates, retried, deadLettered; rejects as `consume` does.
 */
export async function consumeWebhooks(batch, handler, options) {
  assertLoaded();
  const read = readOptions(options, WEBHOOK_DEFAULTS, "consumeWebhooks options");
  const deadLetters = producerOf(read.deadLetterQueue, "consumeWebhooks' deadLetterQueue");
  const dedupe = storeOf(read.dedupe, "consumeWebhooks' dedupe");
  if (typeof handler !== "function") throw invalidArgument("consumeWebhooks needs a handler function");
  const messages = messagesOf(batch);
  const { each, outside } = places(read.concurrency);
  const run = { read, deadLetters, dedupe, handler, outside, counts: { handled: 0, duplicates: 0, retried: 0, deadLettered: 0 }, unsettled: [] };
  // Each delivery's first copy in the batch: whether it was handled (a later copy waits to know).
  const firsts = new Map();
  await each(messages, async (message) => {
    const delivery = deliveryOf(message.body);
    if (!delivery) {
      return outside(settle({ message, failures: [{ entry: () => deadEntry(message, null, invalidArgument("the message is not one receiveWebhook sent"), { webhook: null }) }] }, run));
    }
    const key = `gist-wasm/webhook/${await sha256(`${delivery.topic ?? ""}\n${delivery.text}`)}`;
    const retryAs = (why) => {
      const busy = outcomeUnknown(why);
      return outside(settle({ message, failures: [{ retry: busy, delay: delayFor(undefined, message.attempts, read), entry: () => deadEntry(message, null, busy, { webhook: delivery.topic, key }) }] }, run));
    };
    const first = firsts.get(key);
    if (first) {
      if (!(await outside(first))) return retryAs("an earlier copy of this delivery in the batch was not handled");
      run.counts.duplicates += 1;
      return outside(settleAs(message, run, "ack"));
    }
    let handled = false;
    let settled;
    firsts.set(key, new Promise((resolve) => { settled = resolve; })); // before any await: a later copy must see it
    try {
      const release = claim(dedupe.binding, key, message);
      if (!release) return await retryAs("another consumeWebhooks in this isolate was handling this delivery at the same moment");
      try {
        handled = await handleDelivery(run, message, delivery, key);
      } finally {
        release();
      }
    } finally {
      settled(handled);
    }
  });
  return finish(run);
}
