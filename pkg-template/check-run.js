// One conformance run of `gist-wasm check` (check.js is the command): the context its steps call through,
// the clean-up of what a run created, and the report, scrubbed of the key and of every email address.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GistClient, GistError } from "gist-wasm";
import { FACTS, READS, WRITES, deleteTag, listTags, ownId, rememberListed, runContactId, unlisted, wholeId } from "./check-facts.js";

/** What every name the run gives starts with; `--cleanup` finds earlier runs' tags by it. */
const PREFIX = "gist-wasm-check";
/** How many contact emails a run may send (ctx.email(1..EMAILS)); `--cleanup` deletes each by email. */
const EMAILS = 5;
// How deep a recorded shape goes, and how many keys of an object it keeps: Gist's answers nest a few
// levels, with a few dozen fields, a hostile one thousands of levels or millions of keys.
const MAX_SHAPE_DEPTH = 32;
const MAX_SHAPE_KEYS = 1000;
// The most characters a fact's seen keeps: a server's echo may be megabytes.
const MAX_SEEN = 1000;
// A run's tag: the prefix, the run's id (its clock, Date.now() in base 36: 8 characters until 2059, then
// 1 to 4 random ones), and "-renamed" once renamed.
const TAG_OF_RUN = new RegExp(`^${PREFIX}-(([0-9a-z]{8})[0-9a-z]{1,4})(-renamed)?$`);
/** When the first run could have been made: no earlier clock is a run's. */
const FIRST_RUN = Date.UTC(2026, 11, 1);

const sum = (steps) => steps.reduce((n, step) => n + step.requests, 0);
/**
 * The most requests a run sends with at most 60 tags on the account (each 60 more add a page to each of
 * the two lists of tags): its reads, its writes, and its clean-up (each contact: by id or by email; one
 * more should Gist create a contact with neither; the tag: deleted, then the tags listed, in two pages at
 * most). A tag found by name in the clean-up means the writes stopped at their first request.
 */
export const MAX_REQUESTS = { reads: sum(READS), writes: sum(WRITES) + EMAILS + 1 + 3 };

/** The clients whose scrubber `scrub` uses, by key. */
const scrubbers = new Map();
/** The key of the client that scrubs where a run has none the client takes: one that no text holds. */
const NO_KEY = crypto.randomUUID();

/**
 * `text` with the key and every email address replaced: the key as given (`[key]`), then in every form
 * the client scrubs from what a server echoes (any letter case, percent-encoded, JSON-escaped, hex,
 * base64), and emails raw, percent-encoded or escaped, by the client's own scrubber (in time linear in
 * the text). A key the client refuses is replaced as given only.
 */
export function scrub(text, apiKey) {
  if (!scrubbers.has(apiKey)) {
    let gist;
    try {
      gist = new GistClient({ apiKey });
    } catch {
      gist = new GistClient({ apiKey: NO_KEY });
    }
    scrubbers.set(apiKey, gist);
  }
  const out = apiKey ? text.split(apiKey).join("[key]") : text;
  return scrubbers.get(apiKey)[Symbol.for("gist-wasm.scrub")](out);
}

/** `value` with every string in it scrubbed (scrub), its keys kept: a report's keys are the tool's own. */
export function scrubValues(value, apiKey) {
  if (typeof value === "string") return scrub(value, apiKey);
  if (Array.isArray(value)) return value.map((item) => scrubValues(item, apiKey));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValues(item, apiKey)]));
  return value;
}

/** `text` cut to MAX_SEEN characters, saying how many more it had. */
const clip = (text) => (text.length > MAX_SEEN ? `${text.slice(0, MAX_SEEN)}… (${(text.length - MAX_SEEN).toLocaleString("en-US")} more characters)` : text);

/**
 * The shape of a JSON value: each leaf replaced by its type's name, an array by its first item's shape, an
 * object by its first MAX_SHAPE_KEYS keys' shapes (and, under "…", how many more it has).
 */
export function shapeOf(value, depth = 0) {
  if (depth === MAX_SHAPE_DEPTH) return "nested deeper";
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0], depth + 1)] : [];
  if (value !== null && typeof value === "object") {
    const names = Object.keys(value);
    const shape = Object.fromEntries(names.slice(0, MAX_SHAPE_KEYS).map((key) => [key, shapeOf(value[key], depth + 1)]));
    if (names.length > MAX_SHAPE_KEYS) shape["…"] = `${(names.length - MAX_SHAPE_KEYS).toLocaleString("en-US")} more keys`;
    return shape;
  }
  return value === null ? null : typeof value;
}

/**
 * The client the run calls through: no retries, paced. `onSent` is told of each request as it goes (its
 * `request` hook): one the pacing holds back until the call gives up is never sent, nor counted.
 */
export function client(options, apiKey, onSent) {
  return new GistClient({ apiKey, baseUrl: options.baseUrl, maxRetries: 0, requestsPerSecond: options.rate, timeoutMs: 30000, hooks: { request: onSent } });
}

/** A run's context: `call` sends one request and remembers what the clean-up and the report need. */
export function createContext(options) {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  const sent = () => (ctx.requests += 1);
  const gist = client(options, options.apiKey, sent);
  const ctx = {
    prefix: `${PREFIX}-${run}`,
    tagName: `${PREFIX}-${run}`,
    userId: `${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`,
    signal: options.signal,
    outcomes: new Map(),
    headerNames: [], // of every answer but a 429 or a 5xx, which shows nothing of a fact
    headerAnswers: 0,
    sentEmails: new Map(),
    created: new Set(),
    unfindable: [], // what the run may have made and cannot find: said to be left
    tagId: undefined,
    tagSent: false,
    wrote: false, // whether a request other than a GET was sent
    listed: { tags: new Set(), contacts: new Set() }, // ids read before the run wrote: never its own (ownId)
    requests: 0, // sent: the clients' request hook counts them
    /** How many contacts the unfiltered list of the reads held: contacts that any filter must drop. */
    listedContacts: undefined,
    step: "",
    email: (n) => `${ctx.prefix}-${n}@example.com`,
    /**
     * Reports a fact; a 429 or a 5xx among `answers`, those it rests on, shows nothing of it. A fact
     * confirmed or contradicted names them (an empty list where it rests on no one answer).
     */
    report(id, outcome, seen, answers) {
      if (!(id in FACTS)) throw new Error(`unknown fact ${id}`);
      if (answers === undefined && outcome !== "not shown") throw new Error(`fact ${id} is ${outcome} on no answer`);
      const failed = [answers ?? []].flat().find((answer) => answer.status === 429 || answer.status >= 500);
      // `seen` scrubbed as it is (the report's JSON would escape a key's `"` or `\` once more), then clipped.
      ctx.outcomes.set(id, failed ? { outcome: "not shown", seen: `status ${failed.status}` } : { outcome, seen: seen === undefined ? seen : clip(scrub(String(seen), options.apiKey)) });
    },
    /**
     * Sends one request, unless the run was interrupted (`cleanup: true` sends it all the same). A request
     * already sent is let finish, so that the run learns what it created.
     */
    async call(method, url, { query, body, wrongKey, cleanup } = {}) {
      if (!cleanup) ctx.signal?.throwIfAborted();
      // Only ids in digits go in a path: one the server named otherwise (its echo of the key, say) never does.
      if (!/^\/[a-z]+(\/[0-9]+)?$/.test(url)) throw new Error("an id the server gave is not a whole number: not sent");
      if (method === "POST" && url === "/tags") ctx.tagSent = true;
      const read = method === "GET" && !ctx.wrote;
      ctx.wrote ||= method !== "GET";
      // The made-up key's request goes through a client of its own, whose pacing knows nothing of the
      // run's requests: a pause of one request's share of a second before it and after it keeps the rate.
      const pause = () => new Promise((resolve) => setTimeout(resolve, 1000 / options.rate));
      if (wrongKey) await pause();
      const via = wrongKey ? client(options, `${PREFIX}-made-up-key`, sent) : gist;
      try {
        const answer = await via.apiCall({ method, url, query, body });
        if (read) rememberListed(ctx.listed, answer.body);
        if (answer.status !== 429 && answer.status < 500) {
          ctx.headerAnswers += 1;
          ctx.headerNames.push(...Object.keys(answer.headers));
        }
        if (options.record) record(options, ctx, { method, url, query, status: answer.status, body: answer.body });
        return answer;
      } finally {
        if (wrongKey) {
          via.free();
          await pause();
        }
      }
    },
    /**
     * Creates or upserts the run's contact number `n`, tagged with the run's tag unless `tagged` is false.
     * Resolves `{ answer, id }`: `id` where the answer shows the run's contact (runContactId), else
     * undefined, and the clean-up deletes the contact by its email.
     */
    async create(n, fields, { tagged = true } = {}) {
      const email = ctx.email(n);
      ctx.sentEmails.set(email, undefined);
      const body = { email, ...(tagged ? { tags: [ctx.tagName] } : {}), ...fields };
      const answer = await ctx.call("POST", "/contacts", { body });
      const id = runContactId(ctx, answer, { email });
      if (id !== undefined) {
        ctx.sentEmails.set(email, id);
        ctx.created.add(id);
      }
      return { answer, id };
    },
    free: () => gist.free(),
  };
  return ctx;
}

/**
 * Keeps an answer's shape, scrubbed as the report is, as `DIR/<step>.<method>.<path>.<query keys>.<status>.json`
 * (of the same request twice, the last).
 */
function record({ record: dir, apiKey }, ctx, { method, url, query, status, body }) {
  mkdirSync(dir, { recursive: true });
  const path = url.replace(/\/\d+/g, "/{id}");
  const keys = Object.keys(query ?? {}).sort();
  const name = scrub([ctx.step, method, path, ...keys, status].join("."), apiKey).replace(/[^\w.-]+/g, "_");
  const fixture = { method, path, query: keys, status, body: shapeOf(body) };
  writeFileSync(join(dir, `${name}.json`), `${scrub(JSON.stringify(fixture, null, 2), apiKey)}\n`);
}

/** Runs `steps` in order; a step that throws ends the walk (its error is rethrown). */
export async function runSteps(ctx, steps) {
  for (const step of steps) {
    ctx.step = step.name;
    await step.run(ctx);
  }
}

/**
 * Deletes what this run created: its contacts by id, those whose answer never came by email, and last its
 * tag (found by name, on every page, when the answer to its creation never came), which `--cleanup` finds a
 * run by; then lists the tags to see it gone. A contact left with one of the run's addresses keeps the
 * tag, so that `--cleanup` finds it (one without, which a server made of a request that had none, it
 * cannot find: the list says so). Resolves what is left, or could not be found or deleted.
 */
export async function cleanUp(ctx) {
  const left = [...ctx.unfindable];
  let findable = false; // a contact left that --cleanup finds by its address
  const byEmail = [...ctx.sentEmails].filter(([, id]) => id === undefined).map(([email]) => email);
  const addressed = new Set(ctx.sentEmails.values());
  for (const id of ctx.created) {
    const answer = await ctx.call("DELETE", `/contacts/${id}`, { cleanup: true });
    if (answer.status < 300 || answer.status === 404) continue;
    findable ||= addressed.has(id);
    left.push(addressed.has(id) ? `contact ${id}` : `contact ${id} (no address of the run, which --cleanup finds contacts by: delete it by hand)`);
  }
  for (const email of byEmail) {
    const answer = await ctx.call("DELETE", "/contacts", { query: { email }, cleanup: true });
    if (answer.status >= 300 && answer.status !== 404) {
      findable = true;
      left.push("a contact");
    }
  }
  if (ctx.tagId === undefined && ctx.tagSent) {
    const names = [ctx.tagName, `${ctx.tagName}-renamed`];
    const listing = await listTags(ctx, { until: (tag) => names.includes(tag.name), cleanup: true });
    const tag = listing.tags?.find(({ name }) => names.includes(name));
    ctx.tagId = ownId(ctx, "tags", tag?.id);
    if (!tag && !listing.complete) left.push(`the run's tag (${unlisted(listing)})`);
    // Found without an id of its own, it goes in no path.
    else if (tag && ctx.tagId === undefined) left.push(`the run's tag ${tag.name} (listed without a whole-number id of its own: delete it by hand)`);
  }
  if (ctx.tagId !== undefined) {
    if (findable) left.push(`tag ${ctx.tagId} (kept: \`--cleanup\` finds the contacts by it)`);
    else if (!(await deleteTag(ctx))) left.push(`tag ${ctx.tagId}`);
  }
  return left;
}

/**
 * The run id in a tag's name, where the name is a run's tag: of TAG_OF_RUN's shape, its clock a time from
 * FIRST_RUN to a day from now (so that a tag of the account's own, gist-wasm-check-newsletter, is not one).
 */
function runOf(name) {
  const [, run, clock] = TAG_OF_RUN.exec(name) ?? [];
  const time = parseInt(clock, 36);
  return time >= FIRST_RUN && time <= Date.now() + 86400000 ? run : undefined;
}

/**
 * `--cleanup`'s delete of an earlier run's tag: a 404 is a tag already gone. Logs what it did; resolves
 * whether the tag is gone (else it is kept: for another `--cleanup` after an answer other than a 2xx or a
 * 404, for a delete by hand where its id is not a whole number, which goes in no path).
 */
async function deleteRunTag(gist, tag, run, log) {
  const id = wholeId(tag.id);
  const status = id === undefined ? undefined : (await gist.apiCall({ method: "DELETE", url: `/tags/${id}` })).status;
  if (status < 300 || status === 404) log(`deleted the tag of run ${run}${status === 404 ? " (it was already gone)" : ""}`);
  else if (status === undefined) log(`could not delete the tag of run ${run} (its id is not a whole number): delete it by hand`);
  else log(`could not delete the tag of run ${run} (status ${status}): run --cleanup again`);
  return status < 300 || status === 404;
}

/**
 * `--cleanup`, through `gist` (see client), which it frees: for every tag named like a run's, deletes that
 * run's contacts by their emails, then the tag (deleteRunTag), unless a contact could not be deleted (an
 * answer other than a 2xx or a 404): the tag is then kept, so that `--cleanup` finds the run again. A run
 * whose contact or tag could not be deleted is counted left, and the others are cleaned up all the same. Reads the
 * account's tag names only, as the run does (listTags: a request a page, each with its own deadline, at
 * most MAX_TAG_PAGES). Resolves `{ runs, left, complete }`: how many runs it found, of how many it kept
 * the tag, and whether it read every tag (else a run's tag may be among those unread).
 */
export async function cleanUpEarlierRuns(gist, log) {
  try {
    log("reading the account's tags...");
    const listing = await listTags({ call: (method, url, { query }) => gist.apiCall({ method, url, query }) });
    const { answers, tags, complete } = listing;
    const { status } = answers.at(-1);
    if (status === 401 || status === 403) throw new GistError(status === 401 ? "unauthorized" : "forbidden", "the key was refused", { status });
    if (!tags) throw new Error(unlisted(listing));
    const runs = tags.filter((tag) => runOf(tag.name) !== undefined);
    let left = 0;
    for (const tag of runs) {
      const run = runOf(tag.name);
      let kept = 0;
      for (let n = 1; n <= EMAILS; n++) {
        const email = `${PREFIX}-${run}-${n}@example.com`;
        const answer = await gist.apiCall({ method: "DELETE", url: "/contacts", query: { email } });
        if (answer.status < 300) log(`deleted contact ${n} of run ${run}`);
        else if (answer.status !== 404) {
          kept += 1;
          log(`could not delete contact ${n} of run ${run} (status ${answer.status})`);
        }
      }
      if (kept > 0) {
        left += 1;
        log(`kept the tag of run ${run}, by which --cleanup finds it: run --cleanup again`);
        continue;
      }
      if (!(await deleteRunTag(gist, tag, run, log))) left += 1;
    }
    return { runs: runs.length, left, complete };
  } finally {
    gist.free();
  }
}

/** The report: every fact, with its outcome (a fact no step reached is not shown). */
export function report(ctx, extra) {
  const facts = Object.entries(FACTS).map(([id, fact]) => {
    const { outcome, seen } = ctx.outcomes.get(id) ?? { outcome: "not shown", seen: "the run stopped before it" };
    return { id, claim: fact.claim, outcome, seen, ...(outcome === "contradicted" && fact.advice ? { advice: fact.advice } : {}) };
  });
  return { tool: "gist-wasm check", requests: ctx.requests, ...extra, facts };
}
