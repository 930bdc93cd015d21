// A client's pacing: at most `maxConcurrent` requests in flight and `requestsPerSecond` started, the rest
// queued in the client; and no request while Gist says none remain (a rate limit with 0 remaining) until
// its reset, unless that comes after the call's deadline: then the request is not sent at all.
import { invalidArgument } from "./errors.js";

/** The client options this module reads, which the core never sees. */
export const PACING_OPTIONS = ["maxConcurrent", "requestsPerSecond"];

// A positive number option, or its default.
function positive(name, value, fallback, whole) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    throw invalidArgument(`${name} must be a positive ${whole ? "whole " : ""}number`);
  }
  return value;
}

// Resolves true when `event` (a Promise) comes first, false when `ms` pass or the signal aborts first;
// it leaves no timer or listener behind.
function first(event, ms, signal) {
  return new Promise((resolve) => {
    const finish = (value) => {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(value);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    if (signal && signal.aborted) finish(false);
    event.then(() => finish(true));
  });
}

const never = new Promise(() => {});

// A first-come-first-served queue where adding, taking the first and withdrawing any one are O(1):
// Array#shift and #splice are O(n) on a long array, so a few thousand calls queued at once would cost n².
function queue() {
  let items = [];
  let head = 0; // items before it are gone
  let base = 0; // how many were dropped from the front of `items`
  return {
    /** Adds `item`; returns its ticket, for `withdraw`. */
    add(item) {
      items.push(item);
      return base + items.length - 1;
    },
    /** Takes out the first item (undefined when none). */
    take() {
      while (head < items.length) {
        const item = items[head];
        items[head++] = undefined;
        if (head * 2 > items.length) {
          items = items.slice(head);
          base += head;
          head = 0;
        }
        if (item !== undefined) return item;
      }
      return undefined;
    },
    /** Withdraws the item of `ticket`; false if it was taken already. */
    withdraw(ticket) {
      const at = ticket - base;
      const queued = at >= head && items[at] !== undefined;
      if (queued) items[at] = undefined;
      return queued;
    },
  };
}

/** Resolves true after ms, or false as soon as the signal aborts. */
export async function sleep(ms, signal) {
  await first(never, ms, signal);
  return !(signal && signal.aborted);
}

/** A client's pacer, from its options `{ maxConcurrent = 6, requestsPerSecond }`. */
export function pacer({ maxConcurrent, requestsPerSecond }) {
  const limit = positive("maxConcurrent", maxConcurrent, 6, true);
  const spacing = 1000 / positive("requestsPerSecond", requestsPerSecond, Infinity, false);
  let inFlight = 0;
  const waiting = queue();
  let nextStart = 0;
  let pausedUntil = 0;
  const release = () => {
    inFlight -= 1;
    waiting.take()?.();
  };
  return {
    /**
     * Waits until a request may go, within `budgetMs`. Resolves `{ release, waitedMs }` once it may, or
     * `{ refused: "rate_limited", retryAfter }` / `{ refused: "timeout" }` / `{ refused: "aborted" }`.
     */
    async admit(budgetMs, signal) {
      const started = Date.now();
      const paused = pausedUntil - started;
      if (paused >= budgetMs) return { refused: "rate_limited", retryAfter: Math.ceil(paused / 1000) };
      if (paused > 0 && !(await sleep(paused, signal))) return { refused: "aborted" };
      while (inFlight >= limit) {
        let ticket;
        const freed = new Promise((resolve) => { ticket = waiting.add(resolve); });
        const left = budgetMs - (Date.now() - started);
        const woken = left > 0 && (await first(freed, left, signal));
        if (!woken) {
          if (!waiting.withdraw(ticket)) waiting.take()?.(); // woken as the time ran out: hand the turn on
          return { refused: signal?.aborted ? "aborted" : "timeout" };
        }
      }
      const now = Date.now();
      const slot = Math.max(now, nextStart);
      nextStart = slot + spacing;
      inFlight += 1;
      if (slot > now && !(await sleep(slot - now, signal))) {
        release();
        return { refused: "aborted" };
      }
      return { release, waitedMs: Date.now() - started };
    },
    /** An answer said no request remains until `until` (ms since the epoch). */
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, until);
    },
  };
}
