// A sync you can watch and dead letters you can act on: GistSyncs, a Durable Object per sync (what enqueue
// sent, what consume did with each message, the dead letters), and syncStatus, listDeadLetters and
// redrive over it. The choices are in docs/queues.md of the repository.
import { GistError, invalidArgument } from "./errors.js";
import { redactEmails } from "./gist_wasm.js";
import { assertLoaded } from "./load.js";
import { describe } from "./runtime.js";

const RATE_WINDOW_MS = 10_000; // "rate now" is the operations done over the last 10 seconds
// Whether a sample that old is in the rate's window: not one from the future, where a clock that stepped
// back left it (kept, it would stop new samples until the clock caught up).
const inWindow = (age) => age >= 0 && age <= RATE_WINDOW_MS;
// A recordEvent dead-lettered with one of these codes may have executed: redrive sends it only when told.
const OUTCOME_UNKNOWN = new Set(["outcome_unknown", "store_error"]);
const SYNC_ID = /^[A-Za-z0-9_-]{1,64}$/;
// How long a redrive holds the dead letters it claimed: until it says they were sent, or gives them back.
const CLAIM_MS = 5 * 60_000;
// The most dead letters one claim of a redrive takes or skips (a redrive makes as many claims as its list
// needs), and the most letters read from storage at once.
const CLAIM_LETTERS = 500;
const STORAGE_PAGE = 500;
// The most dead letters listDeadLetters hands out at once, and its default.
export const MAX_LIST_LETTERS = 1000;
// The most keys one storage call of a Durable Object takes.
const KEYS_PER_CALL = 128;
const TEXT_CHARS = 1000; // the most characters of a text an error or a dead-letter entry quotes
const ZERO = { enqueued: 0, invalid: 0, done: 0, retrying: 0, deadLettered: 0, redriven: 0 };

/** A text for an error or a dead-letter entry: no email address (raw or percent-encoded), and not too long. */
export const scrubbed = (text) => redactEmails(String(text)).slice(0, TEXT_CHARS);

/** What was thrown, as text: an Error's message, else its description; never throws (a revoked Proxy included). */
export function textOf(thrown) {
  try {
    if (thrown instanceof Error) return String(thrown.message);
  } catch {
    // a Proxy or a throwing getter: described below
  }
  return describe(thrown);
}

/** Whether `id` can name a sync: 1 to 64 letters, digits, `_` or `-`. */
export const isSyncId = (id) => typeof id === "string" && SYNC_ID.test(id);

/**
 * A Durable Object class for a Worker's `durable_objects` bindings: one instance keeps one sync's
 * progress and dead letters. gist-wasm/queues is its only client (POST and GET of JSON).
 */
export class GistSyncs {
  #storage;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    const { pathname, searchParams } = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : undefined;
    if (pathname === "/enqueued") return this.#enqueued(body);
    if (pathname === "/settled") return this.#settled(body);
    if (pathname === "/status") return Response.json(await this.#status());
    if (pathname === "/dead") return Response.json(await this.#dead(searchParams.get("code"), searchParams.get("after"), Number(searchParams.get("limit"))));
    if (pathname === "/claim") return Response.json(await this.#claim(body));
    if (pathname === "/released") return this.#released(body);
    if (pathname === "/redriven") return this.#redriven(body);
    if (pathname === "/forget") {
      await this.#storage.deleteAll();
      return Response.json({ ok: true });
    }
    return new Response("not found", { status: 404 });
  }

  async #totals() {
    return (await this.#storage.get("totals")) ?? { ...ZERO, samples: [] };
  }

  // Keeps a sample of `done` at most every second, over the rate's window.
  #sample(totals) {
    const now = Date.now();
    const samples = totals.samples.filter(([at]) => inWindow(now - at));
    if (samples.length === 0 || now - samples.at(-1)[0] >= 1000) samples.push([now, totals.done]);
    totals.samples = samples;
  }

  // Operations enqueued; a keyed call (`call`, its name) counts its `messages` ([key, operations] each)
  // only where not counted before, and its invalid operations once: a call made again counts nothing.
  async #enqueued({ operations, invalid, messages, call }) {
    const totals = await this.#totals();
    if (call === undefined) {
      totals.enqueued += operations;
      totals.invalid += invalid;
    } else {
      const counted = new Set();
      for (const found of await Promise.all(chunks(messages.map(([key]) => `e:${key}`)).map((keys) => this.#storage.get(keys)))) {
        for (const key of found.keys()) counted.add(key);
      }
      const fresh = messages.filter(([key]) => !counted.has(`e:${key}`));
      totals.enqueued += fresh.reduce((sum, [, count]) => sum + count, 0);
      if ((await this.#storage.get(`c:${call}`)) === undefined) totals.invalid += invalid;
      const marks = [[`c:${call}`, true], ...fresh.map(([key]) => [`e:${key}`, true])];
      await Promise.all(chunks(marks).map((entries) => this.#storage.put(Object.fromEntries(entries))));
    }
    totals.startedAt ??= Date.now();
    this.#sample(totals);
    await this.#storage.put("totals", totals);
    return Response.json({ ok: true });
  }

  // A message's latest outcome replaces its earlier one: a message delivered again counts once. An
  // operation of it that was redriven belongs to its copy: dead again here, it is not listed or counted
  // twice (its consumer died after the report, and the message came again after the redrive).
  async #settled({ message, done, retrying, dead: reported }) {
    const totals = await this.#totals();
    const before = (await this.#storage.get(`m:${message}`)) ?? { done: 0, retrying: 0, dead: 0 };
    const redriven = before.redriven ?? [];
    const dead = reported.filter((letter) => !redriven.includes(letter.index));
    const after = { done, retrying, dead: dead.length, ...(redriven.length > 0 && { redriven }) };
    totals.done += after.done - before.done;
    totals.retrying += after.retrying - before.retrying;
    totals.deadLettered += after.dead - before.dead;
    this.#sample(totals);
    // The earlier outcome's dead letters go: listed, a redrive would send again what has since passed.
    const stale = before.dead > 0 ? [...(await this.#storage.list({ prefix: `d:${message}:` })).keys()] : [];
    const writes = [["totals", totals], [`m:${message}`, after], ...dead.map((letter) => [`d:${message}:${letter.index}`, letter])];
    // Not awaited one by one: a Durable Object writes the calls of one event together, or none of them.
    await Promise.all([
      ...chunks(stale).map((keys) => this.#storage.delete(keys)),
      ...chunks(writes).map((entries) => this.#storage.put(Object.fromEntries(entries))),
    ]);
    return Response.json({ ok: true });
  }

  async #status() {
    const { samples, startedAt, ...totals } = await this.#totals();
    const now = Date.now();
    const recent = samples.filter(([at]) => inWindow(now - at));
    const [at, done] = recent[0] ?? [now, totals.done];
    const ratePerSecond = now - at >= 1000 ? ((totals.done - done) * 1000) / (now - at) : 0;
    const pending = Math.max(0, totals.enqueued - totals.done - totals.deadLettered);
    const etaSeconds = pending === 0 ? 0 : ratePerSecond > 0 ? Math.ceil(pending / ratePerSecond) : null;
    return { ...totals, pending, ratePerSecond: Math.round(ratePerSecond * 10) / 10, etaSeconds, startedAt: startedAt ?? null };
  }

  // The dead letters after the one keyed `after` (from the first when null), in key order, read a page
  // of storage at a time: no call holds more than a page of a sync's list, however long.
  async *#letters(after) {
    let startAfter = after === null ? undefined : `d:${after}`;
    for (;;) {
      const page = await this.#storage.list({ prefix: "d:", limit: STORAGE_PAGE, ...(startAfter !== undefined && { startAfter }) });
      for (const pair of page) yield pair;
      if (page.size < STORAGE_PAGE) return;
      startAfter = [...page.keys()].at(-1);
    }
  }

  // At most `limit` dead letters of `code` (all codes when null) after the one keyed `after`.
  async #dead(code, after, limit) {
    const found = [];
    for await (const [key, { entry }] of this.#letters(after)) {
      if (found.length === limit) break;
      if (code === null || entry.code === code) found.push({ key: key.slice(2), ...entry });
    }
    return found;
  }

  // Claims for a redrive, in one step (the object runs one at a time), the dead letters of `code` that it
  // may send: each is held for CLAIM_MS under the claim's `token`, so that a second redrive meanwhile skips
  // it, and only this redrive may give it back or confirm it. A recordEvent whose outcome is unknown, or
  // whose last claim ran out unconfirmed (it may have been enqueued), goes only when `resend` names it.
  // A claim takes at most CLAIM_LETTERS letters, those after `after`; its `next` is where the next claim
  // of the same redrive starts (null once the list is done), so that a long list goes in parts.
  async #claim({ code, resend, after }) {
    const now = Date.now();
    const token = crypto.randomUUID();
    const chosen = [];
    const skipped = [];
    const again = new Set(resend);
    const skip = (key, entry, reason) => skipped.push({ key, code: entry.code, reason });
    let next = null;
    let last = null; // the key of the last letter this claim took or skipped
    for await (const [stored, letter] of this.#letters(after)) {
      const { entry, operation, claim } = letter;
      const key = stored.slice(2);
      if (code !== null && entry.code !== code) continue;
      if (chosen.length + skipped.length === CLAIM_LETTERS) {
        next = last;
        break;
      }
      last = key;
      const unknown = OUTCOME_UNKNOWN.has(entry.code) || claim !== undefined;
      if (claim?.until > now) skip(key, entry, "another redrive is sending it");
      else if (entry.operation === "recordEvent" && unknown && !again.has(key)) skip(key, entry, claim === undefined ? "a recordEvent that may have executed: name its key in `resend` to send it again" : "a redrive that may have enqueued it never confirmed: name its key in `resend` to send it again");
      else if (!operation) skip(key, entry, "the message held no operation that can be sent again");
      else {
        await this.#storage.put(stored, { ...letter, claim: { until: now + CLAIM_MS, token } });
        // Its ledger entry (the one its recordEvent used), unless it is sent again whatever that says.
        const ledger = entry.operation !== "recordEvent" || unknown ? null : (letter.ledger ?? key.replace(/:(\d+)$/, "/$1"));
        chosen.push({ key, code: entry.code, queueOperation: operation, ledger });
      }
    }
    return { chosen, skipped, token, next };
  }

  // The letters of `keys` that the claim of `token` still holds (another may have taken one over since
  // its own ran out, or a delivery of its message replaced it).
  async #claimed(keys, token) {
    const held = [];
    for (const key of keys) {
      const letter = await this.#storage.get(`d:${key}`);
      if (letter?.claim?.token === token) held.push([key, letter]);
    }
    return held;
  }

  // Claimed dead letters the queue did not take: listed again, as before their claim.
  async #released({ keys, token }) {
    for (const [key, { claim, ...unclaimed }] of await this.#claimed(keys, token)) await this.#storage.put(`d:${key}`, unclaimed);
    return Response.json({ ok: true });
  }

  // Dead letters sent again, that the claim of `token` still held: out of the list and the count, into
  // `redriven`. Answers how many.
  async #redriven({ keys, token }) {
    const totals = await this.#totals();
    const held = await this.#claimed(keys, token);
    for (const [key] of held) {
      const at = key.lastIndexOf(":");
      const message = key.slice(0, at);
      const record = await this.#storage.get(`m:${message}`);
      const redriven = [...(record?.redriven ?? []), Number(key.slice(at + 1))];
      if (record) await this.#storage.put(`m:${message}`, { ...record, dead: record.dead - 1, redriven });
      await this.#storage.delete(`d:${key}`);
      totals.deadLettered -= 1;
      totals.redriven += 1;
    }
    await this.#storage.put("totals", totals);
    return Response.json({ redriven: held.length });
  }
}

// `items` in runs of at most KEYS_PER_CALL.
function chunks(items) {
  const runs = [];
  for (let at = 0; at < items.length; at += KEYS_PER_CALL) runs.push(items.slice(at, at + KEYS_PER_CALL));
  return runs;
}

/**
 * `(name) => stub`: the object of that name in `namespace`, a Durable Object namespace bound to
 * `className`; invalid_argument (naming `what`) when it is not one, and when its idFromName or get throws.
 */
export function stubsOf(namespace, what, className) {
  let idFromName;
  let get;
  try {
    ({ idFromName, get } = namespace);
  } catch {
    idFromName = undefined;
  }
  if (typeof idFromName !== "function" || typeof get !== "function") throw invalidArgument(`${what} needs a Durable Object namespace bound to ${className}`);
  return (name) => {
    try {
      return get.call(namespace, idFromName.call(namespace, name));
    } catch (error) {
      throw invalidArgument(`${what}: the Durable Object namespace's idFromName or get threw (${scrubbed(textOf(error))}): is it bound to ${className}?`);
    }
  };
}

/** The stub of sync `id` in a namespace bound to GistSyncs; invalid_argument when either is not one. */
export function syncStub(namespace, id, what) {
  if (!isSyncId(id)) throw invalidArgument(`${what}: a sync id is 1 to 64 letters, digits, _ or -`);
  return stubsOf(namespace, what, "GistSyncs")(`gist-wasm/sync/${id}`);
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const hasStrings = (value, keys) => isObject(value) && keys.every((key) => typeof value[key] === "string");
const isNumberOrNull = (value) => value === null || Number.isFinite(value);
const STATUS_NUMBERS = ["enqueued", "invalid", "done", "retrying", "deadLettered", "redriven", "pending", "ratePerSecond"];
const isOk = (answer) => answer?.ok === true;
// What GistSyncs answers on each path: JSON of another shape comes from an object of another class.
const ANSWERS = {
  "/enqueued": isOk,
  "/settled": isOk,
  "/released": isOk,
  "/forget": isOk,
  "/status": (status) => isObject(status) && STATUS_NUMBERS.every((key) => Number.isFinite(status[key])) && isNumberOrNull(status.etaSeconds) && isNumberOrNull(status.startedAt),
  "/dead": (letters) => Array.isArray(letters) && letters.every((letter) => hasStrings(letter, ["key", "code", "message"])),
  "/claim": (claim) => hasStrings(claim, ["token"]) && (claim.next === null || typeof claim.next === "string") && Array.isArray(claim.skipped) && claim.skipped.every((letter) => hasStrings(letter, ["key", "code", "reason"])) &&
    Array.isArray(claim.chosen) && claim.chosen.every((letter) => hasStrings(letter, ["key", "code"]) && (letter.ledger === null || typeof letter.ledger === "string")),
  "/redriven": (answer) => Number.isInteger(answer?.redriven) && answer.redriven >= 0,
};

/**
 * Calls the sync's object; resolves its JSON answer. Rejects only with GistError: `store_error` when the
 * call fails or answers an error status, `invalid_response` when the JSON is not what GistSyncs answers.
 */
export async function callSync(stub, path, body) {
  let refused; // the error status it answered
  let answer;
  try {
    const response = await stub.fetch(`https://gist-syncs${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    if (response.ok) answer = await response.json();
    else refused = Number(response.status);
  } catch (error) {
    throw new GistError("store_error", `the sync's Durable Object failed: ${scrubbed(textOf(error))}`);
  }
  if (refused !== undefined) throw new GistError("store_error", `the sync's Durable Object answered ${refused}`);
  const route = path.split("?")[0];
  if (!ANSWERS[route](answer)) throw new GistError("invalid_response", `the sync's Durable Object answered ${route} with JSON that GistSyncs does not send: is the namespace bound to GistSyncs?`);
  return answer;
}

/**
 * A sync's progress, read in one call: operations enqueued, invalid (never enqueued), done, retrying,
 * deadLettered, redriven and pending; `ratePerSecond` (operations done per second over the last 10 s)
 * and `etaSeconds` (null while nothing is being done). Rejects with `invalid_argument`, `store_error` or
 * `invalid_response`.
 */
export async function syncStatus(namespace, id) {
  assertLoaded();
  return { id, ...(await callSync(syncStub(namespace, id, "syncStatus"), "/status")) };
}

/**
 * Deletes all a sync's object keeps: its totals, its messages' outcomes and its dead letters. Rejects with
 * `invalid_argument`, `store_error` or `invalid_response`.
 */
export async function forgetSync(namespace, id) {
  assertLoaded();
  await callSync(syncStub(namespace, id, "forgetSync"), "/forget", {});
}

/**
 * At most `limit` of a sync's dead letters (all, or those of `code`), after the one keyed `after`.
 * Rejects with `invalid_argument`, `store_error` or `invalid_response`.
 */
export async function deadLettersOf(namespace, id, { code, after, limit }) {
  const query = { limit: String(limit), ...(code !== undefined && { code }), ...(after !== undefined && { after }) };
  return callSync(syncStub(namespace, id, "listDeadLetters"), `/dead?${new URLSearchParams(query)}`);
}

/**
 * Sends a sync's dead letters (all, or those of `code`) to `queue` again, in the same sync, and takes
 * them off its list. A recordEvent whose outcome is unknown (`outcome_unknown`, `store_error`) is sent
 * only when `resend` (an array of keys) names its key; the others come back in `skipped`, as do letters
 * whose operation `enqueue` finds invalid (the client's rules refuse it: it stays listed). Resolves
 * `{ redriven, skipped, unsent }`; `enqueue(queue, operations, ledgers)` is given as the function that sends,
 * with each operation's ledger entry (null where it is sent again whatever the ledger says). A long list
 * goes in parts (claims of at most CLAIM_LETTERS): a failure partway rejects, and the parts before it
 * are sent and off the list (a redrive again sends the rest).
 */
export async function redriveWith(enqueue, namespace, queue, id, { code, resend }) {
  const stub = syncStub(namespace, id, "redrive");
  const done = { redriven: 0, skipped: [], unsent: [] };
  let after = null;
  do {
    const { chosen, skipped, token, next } = await callSync(stub, "/claim", { code: code ?? null, resend, after });
    const keys = (indexes) => chosen.filter((_, index) => indexes(index)).map((letter) => letter.key);
    let result;
    try {
      result = await enqueue(queue, chosen.map((letter) => letter.queueOperation), chosen.map((letter) => letter.ledger));
    } catch (error) {
      await callSync(stub, "/released", { keys: keys(() => true), token }).catch(() => {});
      throw error;
    }
    // What was not sent stays listed: what the queue refused (`unsent`), and what the client's rules
    // refuse (`invalid`: skipped, as a redrive again would send it no more).
    const failed = new Set([...result.invalid, ...result.unsent].map(({ index }) => index));
    const kept = keys((index) => failed.has(index));
    const sent = keys((index) => !failed.has(index));
    if (kept.length > 0) await callSync(stub, "/released", { keys: kept, token });
    const { redriven } = await callSync(stub, "/redriven", { keys: sent, token });
    done.redriven += redriven;
    for (const letter of skipped) done.skipped.push(letter);
    for (const { index, message } of result.invalid) done.skipped.push({ key: chosen[index].key, code: chosen[index].code, reason: `the client's rules refuse its operation: ${message}` });
    for (const { index } of result.unsent) done.unsent.push(chosen[index].key);
    after = next;
  } while (after !== null);
  return done;
}
