// One request rate for every consumer of a Gist key: GistPacer, a Durable Object that hands out request
// permits (one instance per key, named by the key's SHA-256), and pacedFetch, the `fetch` a GistClient
// takes, which asks it for a permit before each request and tells it what Gist answered. The choices are
// in docs/queues.md of the repository.
import { invalidArgument } from "./errors.js";
import { assertLoaded } from "./load.js";
import { AWAITS_BEFORE_SENDING, BEFORE_SENDING, DEADLINE, HELD, NOT_PERMITTED, PAST_DUE, callClock, checkOptionsObject, withoutKey } from "./runtime.js";
import { sleep, waitBudget, wallNow } from "./pace.js";
import { scrubbed, stubsOf } from "./queues-syncs.js";
import { toHex } from "./webhooks.js";

// Additive increase, multiplicative decrease. A 429 takes the share of requests answered 429 since the
// last decrease off the rate (10% at least, 30% at most; at most once per DECREASE_MS, so that the 429s
// of requests already on their way count once). Once no 429 came for QUIET_MS, each second adds
// INCREASE of the configured rate. The rate stays within MIN_SHARE of the configured rate and the
// configured rate itself (Gist's limit, as far as one knows).
const DECREASE = [0.7, 0.9];
const DECREASE_MS = 1000;
const QUIET_MS = 2000;
const INCREASE = 0.01;
const MIN_SHARE = 0.01;
// A consumer that cannot reach the pacer (an error, or no answer within PACER_TIMEOUT_MS) paces itself
// for RECONNECT_MS before it asks again.
const PACER_TIMEOUT_MS = 2000;
// What a caller's ask rejects with once it stops waiting for the pacer.
const LATE = new Error("the pacer did not answer in time");
const RECONNECT_MS = 5000;
// The longest a permit is ever waited for (setTimeout's most), whatever the caller's deadline.
const MAX_WAIT_MS = 2 ** 31 - 1;

// The slowest rate kept: one permit in MAX_WAIT_MS (a first caller's rate is the key's for good).
const MIN_RATE = 1000 / MAX_WAIT_MS;
// The largest body GistPacer reads: pacedFetch's are under 200 bytes.
const MAX_PACER_BODY = 4096;
// A reset further than a day ahead is not Gist's (answerOf reads none such).
const MAX_RESET_MS = 86_400_000;

const utf8 = new TextEncoder();

/** The SHA-256 of `text`'s UTF-8, as lower-case hex. */
export const sha256 = async (text) => toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text))));
const positive = (value) => typeof value === "number" && Number.isFinite(value) && value > 0;
const rateKept = (value) => positive(value) && value >= MIN_RATE;

/**
 * The rate of one key, from its configured requests per second: `grant(now, maxWaitMs)` schedules a
 * permit and returns how long its holder waits, or, when that would be longer than `maxWaitMs`, schedules
 * none and returns `{ refusedMs }`, how long it would have been (so that permits go only to callers that
 * will still use them: the schedule never runs past what they can wait); `release(slot, now)` takes
 * back a permit whose holder gave up before its time (`slot`: its time, `now` plus the wait granted),
 * the next grant's first (unless booked before a pause, or before a fall of the rate: those are let go);
 * `report(answer, now)` adapts the rate to what Gist answered.
 */
export function rateGovernor(requestsPerSecond) {
  const floor = requestsPerSecond * MIN_SHARE;
  let rate = requestsPerSecond;
  let next = 0; // when the next permit is free (ms since the epoch)
  let grown = 0; // when the rate last grew
  let decreased = -Infinity;
  let granted = 0; // permits and 429s since the last decrease
  let throttled = 0;
  let latest = -Infinity; // the last time seen
  let setBack = 0; // how far the clock stepped back, not yet made up by time seen since
  const released = minHeap(); // permits given back before their time, by their time
  let barrier = -Infinity; // permits booked for before it are not taken back (see letGo)
  // Lets go of the permits given back, and of those that will be, booked before now: they fall in a
  // pause, or are spaced for a rate that has fallen.
  const letGo = () => {
    released.clear();
    barrier = next;
  };
  const clamp = (value) => Math.min(requestsPerSecond, Math.max(floor, value));
  // The wall clock can step back (a time sync, a machine resumed): the schedule steps back with it, once,
  // so that a step neither holds every permit for its length nor reads as time that took the rate down,
  // and the permits booked before it keep their spacing after it. Until the clock has made the step up,
  // when the rate last grew moves on with it, so that a step forward again does not read as an hour that
  // grows the rate back (at worst, after a step back, the rate grows that much later; a 429 still takes
  // it down at once).
  const seen = (now) => {
    const step = now - latest;
    if (step < 0) {
      next += step;
      barrier += step;
      released.shift(step);
      if (grown > 0) grown = Math.max(1, grown + step);
      decreased += step;
      setBack -= step;
    } else if (setBack > 0) {
      const madeUp = Math.min(step, setBack);
      if (grown > 0) grown += madeUp;
      setBack -= madeUp;
    }
    latest = now;
  };
  const grow = (now) => {
    const seconds = grown > 0 ? (now - grown) / 1000 : 0;
    grown = now;
    if (now - decreased >= QUIET_MS) rate = clamp(rate + requestsPerSecond * INCREASE * seconds);
  };
  return {
    get rate() {
      return rate;
    },
    grant(now, maxWaitMs = MAX_WAIT_MS) {
      seen(now);
      grow(now);
      while (released.size > 0 && released.min() < now) released.pop(); // passed unused: no burst of them
      const reuse = released.size > 0;
      const at = reuse ? released.min() : Math.max(now, next);
      if (at - now > Math.min(maxWaitMs, MAX_WAIT_MS)) return { refusedMs: at - now };
      granted += 1;
      if (reuse) released.pop();
      else next = at + 1000 / rate;
      return at - now;
    },
    release(slot, now) {
      seen(now);
      if (!(slot > now && slot >= barrier && slot < next) || released.size >= MAX_RELEASED) return;
      released.push(slot);
      granted = Math.max(0, granted - 1);
    },
    /**
     * `{ status, remaining?, resetMs? }`: rate-limit headers (what remains until the reset) set the rate
     * that spreads the rest evenly, or, none remaining, hold every permit until the reset; a 429 without
     * them takes the rate down.
     */
    report({ status, remaining, resetMs }, now) {
      seen(now);
      if (Number.isFinite(remaining) && remaining >= 0 && positive(resetMs)) {
        // None remaining: no permit until the reset, and the rate stays (the window after it is full,
        // not spent): spreading none over the rest of this one would take it to its floor.
        const spread = clamp((remaining * 1000) / resetMs);
        if (remaining === 0) next = Math.max(next, now + resetMs);
        if (remaining === 0 || spread < rate) letGo();
        if (remaining > 0) rate = spread;
        grown = now;
        return;
      }
      if (status !== 429) return;
      throttled += 1;
      if (now - decreased < DECREASE_MS) return;
      grow(now);
      const [most, least] = DECREASE;
      rate = clamp(rate * Math.min(least, Math.max(most, 1 - throttled / Math.max(granted, 1))));
      letGo();
      decreased = now;
      granted = 0;
      throttled = 0;
    },
  };
}

// The most permits a governor holds given back (each a number; more are let go, as passed ones are).
const MAX_RELEASED = 100_000;

// A binary min-heap of numbers: `push`, `pop` (the least), `min()`, `size`, `clear()`, and `shift(by)`,
// which moves every number by `by` (their order stays).
function minHeap() {
  const items = [];
  const swap = (i, j) => ([items[i], items[j]] = [items[j], items[i]]);
  return {
    get size() {
      return items.length;
    },
    min: () => items[0],
    push(value) {
      items.push(value);
      for (let i = items.length - 1, up; i > 0 && items[(up = (i - 1) >> 1)] > items[i]; i = up) swap(i, up);
    },
    pop() {
      const last = items.pop();
      if (items.length === 0) return;
      items[0] = last;
      for (let i = 0; ; ) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (left < items.length && items[left] < items[least]) least = left;
        if (right < items.length && items[right] < items[least]) least = right;
        if (least === i) return;
        swap(i, least);
        i = least;
      }
    },
    shift(by) {
      for (let i = 0; i < items.length; i++) items[i] += by;
    },
    clear() {
      items.length = 0;
    },
  };
}

/**
 * A Durable Object class for a Worker's `durable_objects` bindings: one instance paces one Gist key, from
 * the `requestsPerSecond` of its first caller. `pacedFetch` is its only client; it answers POST `/permit`
 * (`{ waitMs, slot }`, or `{ refusedMs }` past the caller's `maxWaitMs`), `/release` (a `slot` whose
 * caller gave up before it) and `/report` (JSON bodies).
 */
export class GistPacer {
  #governor;
  // The governor's clock: a `Date.now` that stands still (a test's spy) would book every permit further
  // on, and each caller would wait longer than the last.
  #now = callClock();

  // The permits handed out and not yet due, by their slot (a count each): only those can be given back,
  // once each (a slot given back that was never handed out would be a permit made of nothing).
  #out = new Map();

  /** Answers pacedFetch's `/permit`, `/release` and `/report` (a JSON body); 400 or 413 to what it would not send. */
  async fetch(request) {
    const body = await smallJson(request);
    if (typeof body === "number") return new Response("", { status: body });
    const { requestsPerSecond, answer, maxWaitMs, slot } = body;
    if (!rateKept(requestsPerSecond)) return new Response(`requestsPerSecond must be a number of at least ${MIN_RATE.toPrecision(3)}`, { status: 400 });
    const { pathname } = new URL(request.url);
    const report = pathname === "/report" && answer !== undefined ? reportOf(answer) : undefined;
    if (pathname === "/report" && answer !== undefined && !report) return new Response("answer must be { status, remaining?, resetMs? } as pacedFetch writes it", { status: 400 });
    this.#governor ??= rateGovernor(requestsPerSecond);
    const now = this.#now();
    for (const [due] of this.#out) {
      if (due > now) break; // in the order handed out, but for permits given back and handed out again
      this.#out.delete(due);
    }
    if (report) this.#governor.report(report, now);
    if (pathname === "/release" && this.#takeBack(slot)) this.#governor.release(slot, now);
    const budget = typeof maxWaitMs === "number" && maxWaitMs >= 0 ? maxWaitMs : undefined;
    const granted = pathname === "/permit" ? this.#governor.grant(now, budget) : 0;
    if (pathname === "/permit" && typeof granted === "number") this.#out.set(now + granted, (this.#out.get(now + granted) ?? 0) + 1);
    const given = typeof granted === "number" ? { waitMs: granted, slot: now + granted } : granted;
    return Response.json({ ...given, rate: this.#governor.rate });
  }

  // Whether `slot` is a permit handed out, not yet due nor given back: counted as given back.
  #takeBack(slot) {
    const count = this.#out.get(slot);
    if (count === undefined) return false;
    if (count > 1) this.#out.set(slot, count - 1);
    else this.#out.delete(slot);
    return true;
  }
}

// A request's body, a JSON object of at most MAX_PACER_BODY bytes; else the status to answer (413, 400).
async function smallJson(request) {
  const reader = request.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (let chunk; reader && !(chunk = await reader.read()).done; ) {
      size += chunk.value.byteLength;
      if (size > MAX_PACER_BODY) {
        reader.cancel().catch(() => {});
        return 413;
      }
      text += decoder.decode(chunk.value, { stream: true });
    }
    const value = JSON.parse(text + decoder.decode());
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : 400;
  } catch {
    return 400;
  }
}

// What GistPacer takes of a report: its status, and what remains until a reset within a day where both
// are numbers as answerOf writes them (else the status alone); undefined where it has no status.
function reportOf(answer) {
  if (typeof answer !== "object" || answer === null || !Number.isInteger(answer.status)) return undefined;
  const { status, remaining, resetMs } = answer;
  const spread = Number.isFinite(remaining) && remaining >= 0 && positive(resetMs) && resetMs <= MAX_RESET_MS;
  return spread ? { status, remaining, resetMs } : { status };
}

// What GistPacer's answer to `/permit` grants: a wait (past MAX_WAIT_MS, waited until the call gives up),
// or `{ refusedMs }`; undefined where it is neither (a namespace bound to another class): paced locally.
function grantOf(answer) {
  const { waitMs, refusedMs } = answer ?? {};
  if (Number.isFinite(refusedMs) && refusedMs >= 0) return { refusedMs };
  if (Number.isFinite(waitMs) && waitMs >= 0) return Math.min(waitMs, MAX_WAIT_MS);
  return undefined;
}

// What a response says of the rate limit: status, Retry-After, and the X-RateLimit (or RateLimit)
// headers' remaining and reset, read as the core reads them (src/rate_limit.rs): 10^12 or more is a Unix
// time in ms, 10^9 or more one in seconds, else seconds from now; one more than a day ahead is ignored.
function answerOf(response, now) {
  const header = (name) => {
    const value = response.headers.get(`x-ratelimit-${name}`) ?? response.headers.get(`ratelimit-${name}`);
    return value === null || value.trim() === "" ? undefined : Number(value);
  };
  const remaining = header("remaining");
  const reset = header("reset");
  const resetIn = reset === undefined ? undefined : reset >= 1e12 ? reset - now : reset >= 1e9 ? reset * 1000 - now : reset * 1000;
  const resetMs = resetIn <= MAX_RESET_MS ? resetIn : undefined;
  return { status: response.status, ...(Number.isFinite(remaining) && remaining >= 0 && positive(resetMs) && { remaining, resetMs }) };
}

const PACED_OPTIONS = ["requestsPerSecond", "fallbackRequestsPerSecond", "fetch"];

/** An option's name for a refusal: `scrubKey` takes the key out of it before it is cut short (scrubbed), and emails. */
export const optionNamed = (name, scrubKey) => scrubbed(scrubKey(JSON.stringify(name)));

/**
 * A `fetch` for `new GistClient({ fetch })` whose every request (retries included) waits for a permit of
 * the GistPacer for `apiKey` in `namespace`, starting at `requestsPerSecond`; what Gist answers adapts
 * the shared rate. While the pacer cannot be reached, it paces at `fallbackRequestsPerSecond` (default a
 * tenth of `requestsPerSecond`) on its own.
 */
export function pacedFetch(namespace, apiKey, options) {
  assertLoaded();
  let requestsPerSecond;
  let fallbackRequestsPerSecond;
  let fetchFn;
  let unknown;
  checkOptionsObject(options, "pacedFetch's options");
  try {
    ({ requestsPerSecond, fallbackRequestsPerSecond, fetch: fetchFn } = options ?? {});
    unknown = Object.keys(options ?? {}).find((key) => !PACED_OPTIONS.includes(key));
  } catch {
    throw invalidArgument("pacedFetch's options cannot be read (a getter or Proxy threw)");
  }
  if (unknown !== undefined) throw invalidArgument(`pacedFetch has no option ${optionNamed(unknown, (text) => withoutKey(apiKey, text))} (it takes ${PACED_OPTIONS.join(", ")})`);
  if (!rateKept(requestsPerSecond)) throw invalidArgument(`pacedFetch needs requestsPerSecond, a number of at least ${MIN_RATE.toPrecision(3)} (a permit in 24.8 days)`);
  const fallbackRate = fallbackRequestsPerSecond ?? Math.max(MIN_RATE, requestsPerSecond / 10);
  if (!rateKept(fallbackRate)) throw invalidArgument(`fallbackRequestsPerSecond must be a number of at least ${MIN_RATE.toPrecision(3)}`);
  if (fetchFn !== undefined && typeof fetchFn !== "function") throw invalidArgument("pacedFetch's fetch must be a function");
  const stubNamed = stubsOf(namespace, "pacedFetch", "GistPacer");
  if (typeof apiKey !== "string" || apiKey === "") throw invalidArgument("pacedFetch needs the Gist API key (only its SHA-256 names the pacer)");

  // The pacer's name is kept, not its stub: in workerd a stub is an I/O object of the request that made
  // it, and a later request's call through it fails ("on behalf of a different request").
  let name;
  const pacer = async () => stubNamed((name ??= `gist-wasm/pacer/${await sha256(apiKey)}`));
  // `withinMs`: how long the caller waits for the answer (rejecting LATE), at most PACER_TIMEOUT_MS; the
  // ask is not given up for it (see waitingSince).
  const ask = async (path, answer, maxWaitMs, slot, withinMs = PACER_TIMEOUT_MS) => {
    const body = JSON.stringify({ requestsPerSecond, answer, maxWaitMs, slot });
    // The answer read whole within the time: its headers may come at once and its body never.
    const answered = (await pacer()).fetch(`https://gist-pacer/${path}`, { method: "POST", body }).then((response) => {
      if (!response.ok) throw new Error(`the pacer answered ${response.status}`);
      return response.json();
    });
    waitingSince ??= paceNow();
    answered.then(() => (waitingSince = undefined), () => (waitingSince = undefined));
    let timer;
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(LATE), Math.min(withinMs, PACER_TIMEOUT_MS))));
    try {
      return await Promise.race([answered, late]);
    } catch (error) {
      // A permit that comes after its caller stopped waiting goes back, for the next caller.
      if (error === LATE && path === "permit") answered.then((answer) => releaseOf(answer)?.(), () => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  // How to give back the permit an answer to `/permit` grants; undefined where it grants none.
  const releaseOf = (answer) => (typeof grantOf(answer) === "number" && Number.isFinite(answer.slot) ? () => ask("release", undefined, undefined, answer.slot).catch(() => {}) : undefined);
  const local = rateGovernor(fallbackRate);
  // The clock of the local pacing and of a pause (as GistPacer's): a `Date.now` that stands still would
  // book each permit further on. A reset given as a Unix time is read on the wall clock (answerOf).
  const paceNow = callClock();
  let unreachableUntil = 0;
  // When the oldest ask no answer has come for since was made: one unanswered for PACER_TIMEOUT_MS makes
  // the pacer unreachable, though its caller stopped waiting sooner (its call's wait was shorter), and
  // in workerd whether or not that caller's request (and its timers) lives on.
  let waitingSince;
  // The last pause an answer in this isolate set (no request remains until its reset): a permit booked
  // before that answer whose time falls inside the pause moves on by the pause's length, so that the
  // requests held keep their spacing after the reset, as booked.
  let pause = { from: 0, until: 0 };
  const refusal = (seconds) => {
    const refused = new Error("not sent: the shared pacer has no permit free before this call's deadline");
    refused[NOT_PERMITTED] = seconds;
    return refused;
  };
  // Waits for a permit that comes before `deadline` leaves its request too little time (waitBudget, from
  // when it is asked for: asking the pacer, the permit's wait and a pause's all count against it); throws
  // one marked NOT_PERMITTED (the seconds it would take) when none does. Resolves how to give the permit
  // back (as permitOnce), given back already where the pause's wait throws.
  const permit = async (signal, deadline) => {
    const asked = paceNow();
    const waitUntil = Number.isFinite(deadline) ? asked + waitBudget(deadline - wallNow()) : Infinity;
    const giveBack = await permitOnce(signal, waitUntil);
    const now = paceNow();
    if (now >= pause.until) return giveBack;
    // A permit asked for before the pause moves on by its length (from its time in the pause to as far
    // after the reset); one asked for during it (the pacer not yet told, or its timer a little early on
    // this clock) waits what is left of it.
    const held = asked < pause.from ? pause.until - pause.from : pause.until - now;
    const fits = held < waitUntil - now;
    if (fits && (await sleep(held, signal))) return giveBack;
    giveBack?.();
    throw fits ? signal.reason : refusal(held / 1000);
  };
  // A permit given up before its time, or that comes too late once the pacer has answered (within 2 s and
  // what is left of the wait, or failed), goes back to whoever granted it, for the next caller. Resolves
  // how to give back the permit it waited for (undefined where the pacer named no slot), for a request
  // that does not go after all.
  const permitOnce = async (signal, waitUntil) => {
    let granted;
    let giveBack;
    if (waitingSince !== undefined && paceNow() - waitingSince >= PACER_TIMEOUT_MS) unreachableUntil = paceNow() + RECONNECT_MS;
    if (paceNow() >= unreachableUntil) {
      const left = Math.max(0, waitUntil - paceNow());
      try {
        const answer = await ask("permit", undefined, Math.min(MAX_WAIT_MS, left), undefined, left);
        granted = grantOf(answer);
        giveBack = releaseOf(answer);
      } catch (error) {
        // The call's wait was spent before the pacer's time was: not sent, a timeout (nor is the pacer judged by it).
        if (error === LATE && left < PACER_TIMEOUT_MS) throw PAST_DUE;
        unreachableUntil = paceNow() + RECONNECT_MS;
      }
    }
    const now = paceNow();
    if (granted === undefined) {
      granted = local.grant(now, waitUntil - now);
      if (typeof granted === "number") giveBack = () => local.release(now + granted, paceNow());
    }
    if (typeof granted === "object") throw refusal(granted.refusedMs / 1000);
    if (granted > waitUntil - now) {
      giveBack?.();
      throw refusal(granted / 1000);
    }
    if (granted > 0 && !(await sleep(granted, signal))) {
      giveBack?.();
      throw signal.reason;
    }
    return giveBack;
  };

  const fetchPaced = async (input, init) => {
    // Held until the permit comes: a call that gives up meanwhile knows its request never left.
    if (init) init[HELD] = true;
    const giveBack = await permit(init?.signal, init?.[DEADLINE]);
    try {
      // The call gave up while the permit came late: not marked (its give-up took the mark back already),
      // not sent (a fetch that does not watch its signal would send).
      if (init?.signal?.aborted) throw init.signal.reason ?? new Error("aborted");
      await init?.[BEFORE_SENDING]?.(); // consume's mark that a recordEvent went: once it goes, not before
      if (init?.signal?.aborted) throw init.signal.reason ?? new Error("aborted");
    } catch (error) {
      giveBack?.(); // not sent: the permit is the next caller's
      throw error;
    }
    if (init) init[HELD] = false;
    const response = await (fetchFn ?? globalThis.fetch)(input, init);
    const answer = answerOf(response, wallNow());
    if (answer.status === 429 || answer.remaining !== undefined) {
      if (answer.remaining === 0 && paceNow() + answer.resetMs > pause.until) pause = { from: paceNow(), until: paceNow() + answer.resetMs };
      local.report(answer, paceNow());
      if (paceNow() >= unreachableUntil) ask("report", answer).catch(() => (unreachableUntil = paceNow() + RECONNECT_MS));
    }
    return response;
  };
  fetchPaced[AWAITS_BEFORE_SENDING] = true;
  return fetchPaced;
}
