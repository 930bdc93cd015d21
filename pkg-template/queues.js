// gist-wasm/queues: Gist writes at scale through Cloudflare Queues, and webhooks processed durably. The
// producer checks each operation with the client's own rules and sends them in messages under Queues'
// limits; the consumer runs them on a GistClient and acks, retries or dead-letters each message by what
// its operations' errors mean. The choices behind it are in docs/queues.md of the repository.
import "gist-wasm"; // the package's entry for this runtime, which loads the wasm that checkArgs needs
import { checkArgs } from "./client.js";
import { redactEmails } from "./gist_wasm.js";
import { GistError, invalidArgument } from "./errors.js";
import { describe } from "./runtime.js";
import { handleWebhook, parseWebhook, toHex } from "./webhooks.js";

// Each operation and the client method that runs it.
const METHODS = { upsertUser: "createUser", upsertLead: "createLead", tagContacts: "tagContacts", recordEvent: "recordEvent" };
// What may be sent again after it may have executed: upserts (keyed by user_id or email) and (un)tagging,
// which sets or clears a tag; never recordEvent, which would record the event twice.
const REPEATABLE = new Set(["upsertUser", "upsertLead", "tagContacts"]);
// Failures that can never pass by sending again.
const FINAL = new Set(["invalid_request", "not_found", "invalid_argument", "invalid_response"]);
// Failures after which a write may have executed (but a 429 or 503 answer: the server did not act).
const UNSURE = new Set(["server_error", "network_error", "timeout", "aborted"]);
// Queues' limits (a KB is 1000 bytes): a message of 128 KB, ~100 bytes of it Queues' own; a sendBatch of
// 100 messages and 256 KB.
const MESSAGE_BYTES = 127_000;
const BATCH_BYTES = 250_000;
const BATCH_MESSAGES = 100;
const MAX_DELAY_SECONDS = 86_400;
const LEDGER_TTL = 15 * 86_400; // longer than Queues keeps a message (14 days at most)

const utf8 = new TextEncoder();
const sizeOf = (text) => utf8.encode(text).length;

// `options` with its defaults; a key it does not know, or a value that is not a number in range, is refused.
function readOptions(options, defaults, what) {
  if (options === undefined || options === null) return { ...defaults };
  if (typeof options !== "object") throw invalidArgument(`${what} must be an object`);
  const read = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    if (!(key in defaults)) throw invalidArgument(`${what} has no option ${JSON.stringify(key)}`);
    if (value === undefined) continue;
    const [min, max] = typeof defaults[key] === "number" ? RANGES[key] : [];
    if (min !== undefined && !(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) {
      throw invalidArgument(`${what}.${key} must be a whole number from ${min} to ${max}`);
    }
    read[key] = value;
  }
  return read;
}
const RANGES = {
  perMessage: [1, 1000], delaySeconds: [0, MAX_DELAY_SECONDS], maxAttempts: [1, 100], concurrency: [1, 1000],
  retryDelaySeconds: [0, MAX_DELAY_SECONDS], maxRetryDelaySeconds: [0, MAX_DELAY_SECONDS], windowSeconds: [60, 365 * 86_400],
};

// The `[name, input]` of an operation `{ upsertUser: user }` (exactly one known key).
function operationOf(operation) {
  const keys = typeof operation === "object" && operation !== null ? Object.keys(operation) : [];
  if (keys.length !== 1 || !Object.hasOwn(METHODS, keys[0])) {
    throw invalidArgument("an operation is { upsertUser }, { upsertLead }, { tagContacts } or { recordEvent }");
  }
  return [keys[0], operation[keys[0]]];
}

// Sends message bodies with sendBatch, in batches under Queues' limits, until one fails: resolves how
// many bodies were sent, and the error of the sendBatch that failed (none when all went).
async function sendAll(queue, bodies, delaySeconds) {
  let batch = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (batch.length > 0) await queue.sendBatch(batch.map(({ body }) => ({ body, contentType: "json", delaySeconds })));
    sent += batch.length;
    batch = [];
    bytes = 0;
  };
  try {
    for (const body of bodies) {
      const size = sizeOf(JSON.stringify(body));
      if (batch.length === BATCH_MESSAGES || bytes + size > BATCH_BYTES) await flush();
      batch.push({ body });
      bytes += size;
    }
    await flush();
  } catch (error) {
    return { sent, error };
  }
  return { sent };
}

/**
 * Checks each operation as the client would, groups the valid ones into messages (`perMessage` at most,
 * each under Queues' 128 KB) and sends them with `sendBatch`. Resolves how many operations and messages
 * were enqueued, each invalid operation's index and error (never enqueued), and, when a `sendBatch`
 * failed, each operation it and the batches after it did not enqueue (`unsent`, code `queue_error`).
 */
export async function enqueue(queue, operations, options) {
  const { perMessage, delaySeconds } = readOptions(options, { perMessage: 25, delaySeconds: 0 }, "enqueue options");
  if (typeof queue?.sendBatch !== "function") throw invalidArgument("enqueue needs a Queue binding (one with sendBatch)");
  if (!Array.isArray(operations)) throw invalidArgument("operations must be an array");
  const invalid = [];
  const bodies = [];
  const indexes = []; // each body's operations, by their index in `operations`
  let texts = [];
  let inBody = [];
  let bytes = 0;
  const close = () => {
    if (texts.length > 0) {
      bodies.push(JSON.parse(`{"ops":[${texts.join(",")}]}`));
      indexes.push(inBody);
    }
    texts = [];
    inBody = [];
    bytes = 0;
  };
  operations.forEach((operation, index) => {
    let text;
    try {
      const [name, input] = operationOf(operation);
      checkArgs(METHODS[name], [input]);
      text = JSON.stringify({ [name]: input });
      if (sizeOf(text) + 20 > MESSAGE_BYTES) throw invalidArgument(`the operation is over the ${MESSAGE_BYTES} bytes a queue message holds`);
    } catch (error) {
      const known = error instanceof GistError ? error : invalidArgument("the operation cannot be read");
      invalid.push({ index, code: known.code, message: known.message });
      return;
    }
    if (texts.length === perMessage || bytes + sizeOf(text) + 20 > MESSAGE_BYTES) close();
    texts.push(text);
    inBody.push(index);
    bytes += sizeOf(text) + 1;
  });
  close();
  const { sent, error } = await sendAll(queue, bodies, delaySeconds);
  const why = error && new GistError("queue_error", `the queue refused a sendBatch: ${redactEmails(describe(error))}`);
  const unsent = indexes.slice(sent).flat().map((index) => ({ index, code: why.code, message: why.message }));
  return { operations: indexes.slice(0, sent).flat().length, messages: sent, invalid, unsent };
}

const sha256 = async (text) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text))));

// A contact reference with its email replaced by the SHA-256 of its lower case: a DLQ entry holds no address.
async function masked(ref) {
  if (typeof ref !== "object" || ref === null) return null;
  const { id, user_id: userId, email } = ref;
  return {
    ...(id !== undefined && { id }),
    ...(userId !== undefined && { user_id: String(userId) }),
    ...(typeof email === "string" && { email_sha256: await sha256(email.trim().toLowerCase()) }),
  };
}

// What a dead-letter entry says of an operation: its name, and whom or what it was about, masked.
async function describeOperation(name, input) {
  if (name === "upsertUser" || name === "upsertLead") return { operation: name, contact: await masked(input) };
  if (name === "recordEvent") return { operation: name, event_name: input?.event_name, contact: await masked(input?.user ?? input?.lead) };
  const targets = [...(input?.users ?? []), ...(input?.leads ?? [])];
  return { operation: name, tag: input?.tag, targets: await Promise.all(targets.map(masked)) };
}

const outcomeUnknown = (why) => new GistError("outcome_unknown", why);

// The backoff before a message's next attempt: the error's retryAfter, else doubling from the base.
function delayFor(error, attempts, options) {
  const backoff = options.retryDelaySeconds * 2 ** Math.max(0, attempts - 1);
  const wait = error?.retryAfter ?? Math.min(options.maxRetryDelaySeconds, backoff);
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(wait));
}

// What to do after an operation failed: retry it (a failure that can pass), or dead-letter it.
function verdict(name, error, attempts, options) {
  const code = error instanceof GistError ? error.code : undefined;
  if (FINAL.has(code)) return { dead: error };
  const notActed = code === "rate_limited" || (code === "server_error" && error.status === 503);
  if (!REPEATABLE.has(name) && UNSURE.has(code) && !notActed) {
    return { dead: outcomeUnknown(`${name} failed with ${code} after it was sent, so it may have executed; it is not sent again (${error.message})`) };
  }
  return { retry: error, delay: delayFor(error, attempts, options) };
}

// tagContacts resolves with the targets it could not (un)tag: a retry when any can pass, else dead.
function tagFailures(result, attempts, options) {
  const failures = (result?.failed ?? []).map(({ error }) => new GistError(error.code, error.message));
  const passing = failures.find((error) => !FINAL.has(error.code));
  if (passing) return { retry: passing, delay: delayFor(passing, attempts, options) };
  return failures.length > 0 ? { dead: failures[0] } : { ok: true };
}

// Runs one operation of a message; resolves `{ ok }`, `{ retry, delay }` or `{ dead }`. A recordEvent
// goes through the ledger: marked "sent" before it is sent and "done" after, so that a message delivered
// again (after a retry, or a crash) never sends it twice.
async function runOperation(client, message, index, [name, input], options) {
  const key = REPEATABLE.has(name) ? null : `gist-wasm/op/${message.id}/${index}`;
  if (key) {
    if (!options.ledger) return { dead: invalidArgument("recordEvent through a queue needs consume's `ledger` option (a KV namespace)") };
    const mark = await options.ledger.get(key);
    if (mark === "done") return { ok: true };
    if (mark === "sent") return { dead: outcomeUnknown("recordEvent was sent before the consumer stopped, so it may have executed; it is not sent again") };
    await options.ledger.put(key, "sent", { expirationTtl: LEDGER_TTL });
  }
  try {
    const result = await client[METHODS[name]](input);
    if (key) await options.ledger.put(key, "done", { expirationTtl: LEDGER_TTL });
    return name === "tagContacts" ? tagFailures(result, message.attempts, options) : { ok: true };
  } catch (error) {
    const next = verdict(name, error, message.attempts, options);
    const refused = error instanceof GistError && error.status >= 400 && error.status < 500;
    if (key && (next.retry || refused)) await options.ledger.delete(key); // not executed: it may go again
    return next;
  }
}

// Runs `work` on each item, at most `concurrency` at once.
async function pool(items, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// The dead-letter entry of a failure: its code and scrubbed message, where it came from, and `about`.
function deadEntry(message, index, error, about) {
  const known = error instanceof GistError;
  return {
    ...about,
    code: known ? error.code : "handler_error",
    message: redactEmails(String(known || error instanceof Error ? error.message : error)),
    ...(known && error.status !== undefined && { status: error.status }),
    attempts: message.attempts,
    messageId: message.id,
    index,
  };
}

// Settles a message: retried when an operation can still pass (and attempts are left), else its failures
// go to the dead-letter queue and it is acked. A message whose entries cannot be sent is retried.
async function settle(message, failures, counts, options) {
  const retries = failures.filter((f) => f.retry);
  if (retries.length > 0 && message.attempts < options.maxAttempts) {
    message.retry({ delaySeconds: Math.max(...retries.map((f) => f.delay)) });
    counts.retried += retries.length;
    return;
  }
  const { error } = await sendAll(options.deadLetterQueue, failures.map((f) => f.entry), 0);
  if (error) {
    message.retry({ delaySeconds: delayFor(undefined, message.attempts, options) });
    counts.retried += failures.length;
    return;
  }
  message.ack();
  counts.deadLettered += failures.length;
}

const CONSUME_DEFAULTS = { deadLetterQueue: undefined, ledger: undefined, maxAttempts: 5, concurrency: 24, retryDelaySeconds: 2, maxRetryDelaySeconds: 600 };

function needsQueue(queue, what) {
  if (typeof queue?.sendBatch !== "function") throw invalidArgument(`${what} needs a deadLetterQueue: a Queue binding`);
}

/**
 * For a Worker's `queue()` handler: runs each message's operations on `client` (within its pacing,
 * `concurrency` at once), acks what succeeded, retries (`retry({ delaySeconds })`) what failed for a
 * reason that can pass, and sends what never can to `deadLetterQueue`, then acks it. Resolves counts
 * of operations: succeeded, retried, deadLettered.
 */
export async function consume(batch, client, options) {
  const read = readOptions(options, CONSUME_DEFAULTS, "consume options");
  needsQueue(read.deadLetterQueue, "consume");
  if (typeof client?.createUser !== "function") throw invalidArgument("consume needs a GistClient");
  const counts = { succeeded: 0, retried: 0, deadLettered: 0 };
  const tasks = [];
  const pending = new Map();
  for (const message of batch.messages) {
    const ops = Array.isArray(message.body?.ops) ? message.body.ops : null;
    const state = { left: ops?.length ?? 0, failures: [] };
    pending.set(message, state);
    if (ops === null || ops.length === 0) {
      state.failures.push({ entry: deadEntry(message, null, invalidArgument("the message is not one enqueue() sent"), {}) });
    }
    ops?.forEach((operation, index) => tasks.push({ message, index, operation }));
  }
  const done = async (message) => {
    const state = pending.get(message);
    if (state.failures.length === 0) {
      message.ack();
      return;
    }
    await settle(message, state.failures, counts, read);
  };
  await Promise.all([...pending].filter(([, state]) => state.left === 0).map(([message]) => done(message)));
  await pool(tasks, read.concurrency, async ({ message, index, operation }) => {
    const state = pending.get(message);
    let named;
    let outcome;
    try {
      named = operationOf(operation);
      outcome = await runOperation(client, message, index, named, read);
    } catch (error) {
      outcome = error instanceof GistError && error.code === "invalid_argument" ? { dead: error } : { retry: error, delay: delayFor(error, message.attempts, read) };
    }
    if (outcome.ok) counts.succeeded += 1;
    else if (outcome.dead) state.failures.push({ entry: deadEntry(message, index, outcome.dead, named ? await describeOperation(...named) : {}) });
    else state.failures.push({ ...outcome, entry: deadEntry(message, index, outcome.retry, await describeOperation(...named)) });
    state.left -= 1;
    if (state.left === 0) await done(message);
  });
  return counts;
}

/**
 * A durable webhook receiver: verifies and parses the delivery as `handleWebhook(request, options)`
 * does, enqueues the event on `queue`, and answers 200 once it is enqueued; 401 or 400 for a delivery
 * that does not verify or parse, 413 for one over a queue message's size.
 */
export async function receiveWebhook(request, queue, options) {
  if (typeof queue?.send !== "function") throw invalidArgument("receiveWebhook needs a Queue binding");
  let event;
  try {
    event = await handleWebhook(request, options);
  } catch (error) {
    if (error instanceof GistError && error.code === "invalid_webhook") return new Response(error.message, { status: error.status });
    throw error;
  }
  const body = { webhook: { topic: event.topic ?? null, body: JSON.stringify(event.payload) } };
  if (sizeOf(JSON.stringify(body)) > MESSAGE_BYTES) return new Response("the delivery is over a queue message's size", { status: 413 });
  await queue.send(body, { contentType: "json" });
  return new Response("ok");
}

const WEBHOOK_DEFAULTS = { dedupe: undefined, deadLetterQueue: undefined, windowSeconds: 86_400, maxAttempts: 5, concurrency: 6, retryDelaySeconds: 2, maxRetryDelaySeconds: 600 };

/**
 * For the `queue()` handler of `receiveWebhook`'s queue: hands each event to `handler` once. A delivery
 * with the same topic and body as one handled within `windowSeconds` (kept in the `dedupe` KV namespace),
 * or earlier in the batch, is acked as a duplicate; an event is marked handled only once `handler`
 * resolves. A handler that throws is retried with backoff, and after `maxAttempts` dead-lettered.
 * Resolves counts of messages: handled, duplicates, retried, deadLettered.
 */
export async function consumeWebhooks(batch, handler, options) {
  const read = readOptions(options, WEBHOOK_DEFAULTS, "consumeWebhooks options");
  needsQueue(read.deadLetterQueue, "consumeWebhooks");
  if (typeof read.dedupe?.get !== "function") throw invalidArgument("consumeWebhooks needs dedupe: a KV namespace");
  if (typeof handler !== "function") throw invalidArgument("consumeWebhooks needs a handler function");
  const counts = { handled: 0, duplicates: 0, retried: 0, deadLettered: 0 };
  const seen = new Set();
  await pool(batch.messages, read.concurrency, async (message) => {
    const { topic = null, body } = message.body?.webhook ?? {};
    const key = `gist-wasm/webhook/${await sha256(`${topic ?? ""}\n${body}`)}`;
    const duplicate = seen.has(key);
    seen.add(key); // before any await: a duplicate later in the batch must see it
    if (duplicate || (await read.dedupe.get(key)) !== null) {
      counts.duplicates += 1;
      message.ack();
      return;
    }
    try {
      if (typeof body !== "string") throw invalidArgument("the message is not one receiveWebhook sent");
      await handler(parseWebhook(body, topic === null ? undefined : { "x-gist-topic": topic }), message);
      await read.dedupe.put(key, "handled", { expirationTtl: read.windowSeconds });
      counts.handled += 1;
      message.ack();
    } catch (error) {
      const final = error instanceof GistError && error.code === "invalid_argument";
      const failure = { retry: true, delay: delayFor(error, message.attempts, read), entry: deadEntry(message, null, error, { webhook: topic, key }) };
      await settle(message, [final ? { entry: failure.entry } : failure], counts, read);
    }
  });
  return counts;
}
