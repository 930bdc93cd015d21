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

// The waits on each signal: one "abort" listener on a signal, however many waits share it (an EventTarget
// removes a listener in time of those it holds, so a listener for each of n waits costs n²), taken off
// when the last wait ends (a listener keeps a timeout's or a combined signal alive).
const waitsOn = new WeakMap();

/** Runs `run` when `signal` aborts (not if it already has); returns how to stop waiting for that. */
export function whenAborted(signal, run) {
  let waits = waitsOn.get(signal);
  if (!waits) {
    const runs = new Set();
    const aborted = () => {
      waitsOn.delete(signal);
      for (const waiting of runs) waiting();
    };
    waits = { runs, aborted };
    waitsOn.set(signal, waits);
    signal.addEventListener("abort", aborted, { once: true });
  }
  waits.runs.add(run);
  return () => {
    waits.runs.delete(run);
    if (waits.runs.size === 0 && waitsOn.get(signal) === waits) {
      waitsOn.delete(signal);
      signal.removeEventListener("abort", waits.aborted);
    }
  };
}

// Resolves `atTimeout` once ms pass, false as soon as the signal aborts, or what the function given to
// `enlist` (which returns how to leave) is called with first; leaves no timer, waiting or entry behind.
function timed(ms, signal, atTimeout, enlist) {
  return new Promise((resolve) => {
    let leave;
    const finish = (value) => {
      clearTimeout(timer);
      stopWaiting?.();
      leave?.();
      resolve(value);
    };
    const timer = setTimeout(() => finish(atTimeout), ms);
    const stopWaiting = signal && whenAborted(signal, () => finish(false));
    leave = enlist?.(finish);
    if (signal?.aborted) finish(false);
  });
}

// The pacer's clock: `Date.now()` (which a test's fake timers move), moved on by however far the wall
// clock was ever set back (NTP), so that a step back holds up no booked start and no pause.
let lastWall = 0;
let setBack = 0;
function clock() {
  const wall = Date.now();
  setBack += Math.max(0, lastWall - wall);
  lastWall = wall;
  return wall + setBack;
}

/** Resolves true after ms, or false as soon as the signal aborts. */
export const sleep = (ms, signal) => timed(ms, signal, true);

// A first-come-first-served queue where adding, taking the first and withdrawing any one are O(1):
// Array#shift and #splice are O(n) on a long array, so a few thousand calls queued at once would cost n².
// What was taken or withdrawn from the front is let go at once, so a queue whose waiters give up in turn
// holds only those still waiting.
function queue() {
  let items = [];
  let head = 0; // items before it are gone
  let base = 0; // how many were dropped from the front of `items`
  // Moves `head` past the items gone, and drops them from `items` once they are half of it.
  const skipGone = () => {
    while (head < items.length && items[head] === undefined) head++;
    if (head * 2 > items.length) {
      items = items.slice(head);
      base += head;
      head = 0;
    }
  };
  return {
    /** Adds `item`; returns its ticket, for `withdraw`. */
    add(item) {
      items.push(item);
      return base + items.length - 1;
    },
    /** Takes out the first item (undefined when none). */
    take() {
      skipGone();
      const item = items[head];
      if (item !== undefined) {
        items[head] = undefined;
        skipGone();
      }
      return item;
    },
    /** Withdraws the item of `ticket`; false if it was taken already. */
    withdraw(ticket) {
      const at = ticket - base;
      const queued = at >= head && items[at] !== undefined;
      if (queued) {
        items[at] = undefined;
        skipGone();
      }
      return queued;
    },
  };
}

// A min-heap of numbers: push, peek and pop the least in O(log n).
function minHeap() {
  const items = [];
  const swap = (i, j) => ([items[i], items[j]] = [items[j], items[i]]);
  return {
    peek: () => items[0],
    push(value) {
      items.push(value);
      for (let i = items.length - 1, up; i > 0 && items[(up = (i - 1) >> 1)] > items[i]; i = up) swap(i, up);
    },
    pop() {
      const last = items.pop();
      if (items.length === 0) return;
      items[0] = last;
      for (let i = 0; ;) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (left < items.length && items[left] < items[least]) least = left;
        if (right < items.length && items[right] < items[least]) least = right;
        if (least === i) return;
        swap(i, least);
        i = least;
      }
    },
  };
}

/**
 * Requests' starts `spacing` ms apart, booked ahead: `book(now)` gives a start at or after `now`, and
 * `unbook(start, now)` hands back one that went unused. The last start booked moves the schedule back (never
 * before now); another is freed, and the next caller takes it: every start stays `spacing` from the next,
 * whoever gives up, so that the starts in any window stay within the rate. Each costs O(log n) in the
 * starts freed, however many callers give up and in whatever order.
 */
function schedule(spacing) {
  let next = 0; // the start after the last one booked
  // The starts given back before `next`, each by the start after it (`start + spacing`, which the
  // schedule moving back meets); and a min-heap of them, whose entries the schedule took back meanwhile
  // are skipped when they come up.
  const freedBefore = new Map();
  const heap = minHeap();
  const isFreed = (start) => freedBefore.get(start + spacing) === start;
  // The earliest freed start still ahead (those passed are dropped: nothing may go at them now).
  const earliestFreed = (now) => {
    for (let start = heap.peek(); start !== undefined; start = heap.peek()) {
      if (isFreed(start) && start >= now) return start;
      if (isFreed(start)) freedBefore.delete(start + spacing);
      heap.pop();
    }
    return undefined;
  };
  return {
    book(now) {
      const freed = earliestFreed(now);
      if (freed !== undefined) {
        heap.pop();
        freedBefore.delete(freed + spacing);
        return freed;
      }
      const start = Math.max(now, next);
      next = start + spacing;
      return start;
    },
    unbook(start, now) {
      if (start + spacing !== next) {
        freedBefore.set(start + spacing, start);
        heap.push(start);
        return;
      }
      next = Math.max(now, start);
      for (let freed = freedBefore.get(next); freed !== undefined; freed = freedBefore.get(next)) {
        freedBefore.delete(next);
        next = Math.max(now, freed);
      }
    },
    /** Whether a request may start at `now` without waiting (no start ahead is free, and the next is due); then it is booked. */
    bookNow(now) {
      const freed = earliestFreed(now);
      if (freed !== undefined ? freed !== now : next > now) return false;
      this.book(now);
      return true;
    },
  };
}

/** A client's pacer, from its options `{ maxConcurrent = 6, requestsPerSecond }`. */
export function pacer({ maxConcurrent, requestsPerSecond }) {
  const limit = positive("maxConcurrent", maxConcurrent, 6, true);
  const spacing = 1000 / positive("requestsPerSecond", requestsPerSecond, Infinity, false);
  let inFlight = 0;
  // Places kept for calls woken but not yet running: a request that comes meanwhile must not take one
  // (it would send the woken call to the back of the queue, again at each release).
  let kept = 0;
  const waiting = queue(); // each waiting call's wake-up, oldest first
  const starts = schedule(spacing);
  let pausedUntil = 0;
  const full = () => inFlight + kept >= limit;
  const wakeNext = () => {
    const wake = full() ? undefined : waiting.take();
    if (wake) {
      kept += 1;
      wake(true);
    }
  };
  const release = () => {
    inFlight -= 1;
    wakeNext();
  };
  // Resolves true once a request in flight ends and hands this call its turn (a place kept for it, which
  // it takes back as it runs), false when ms pass or the signal aborts first.
  const turn = (ms, signal) => timed(ms, signal, false, (wake) => {
    const ticket = waiting.add(wake);
    return () => waiting.withdraw(ticket);
  });
  // A call that gives up hands a free turn on to the next waiting one.
  const giveUp = (refused) => {
    wakeNext();
    return refused;
  };
  const refusal = (signal) => giveUp({ refused: signal?.aborted ? "aborted" : "timeout" });
  // What `admitNow` gives: the turn, taken without waiting.
  const now = { release, waitedMs: 0 };
  return {
    /** Whether every place is taken (`maxConcurrent` requests in flight, or kept for calls woken). */
    full,
    /**
     * Waits, within `budgetMs` and until `signal` aborts, for a place for a call not started yet (which so
     * holds no wasm memory while it waits). Resolves `{ kept: true }` when one came: it is kept for the
     * call until `unkeep` hands it over, just before the call's request takes it (`admitNow`, nothing
     * awaited in between); `{ refused: "timeout" | "aborted" }` when the wait ended first (what the call's
     * first request is then told, as `admit` would); undefined where there was no wait.
     */
    async place(budgetMs, signal) {
      if (!full() && !signal?.aborted) return undefined;
      if (!signal?.aborted && (await turn(budgetMs, signal))) return { kept: true };
      return refusal(signal);
    },
    /** The place `place` kept, handed over to the request about to take it. */
    unkeep() {
      kept -= 1;
    },
    /** A free place handed on to the next waiting call (a call that took none after `unkeep`). */
    handOn: wakeNext,
    /**
     * A request's turn at once, where it takes no waiting (no pause, a free place, its start due): what
     * `admit` would resolve with, without the wait for a Promise; else undefined, and `admit` decides.
     */
    admitNow(budgetMs, signal) {
      if (full() || budgetMs <= 0 || signal?.aborted) return undefined;
      const started = clock();
      if (pausedUntil > started || !starts.bookNow(started)) return undefined;
      inFlight += 1;
      return now;
    },
    /**
     * Waits until a request may go, within `budgetMs`: a request whose turn would come after that is
     * never sent. Resolves `{ release, waitedMs }` (waitedMs < budgetMs) once it may go, or
     * `{ refused: "rate_limited", retryAfter }` / `{ refused: "timeout" }` / `{ refused: "aborted" }`.
     */
    async admit(budgetMs, signal) {
      const started = clock();
      const deadline = started + budgetMs;
      // Each wait (a pause, a place, a start) can end in a pause that an answer set meanwhile: look again.
      for (;;) {
        if (signal?.aborted) return refusal(signal);
        const now = clock();
        const paused = pausedUntil - now;
        if (paused > 0 && paused >= deadline - now) return giveUp({ refused: "rate_limited", retryAfter: Math.ceil(paused / 1000) });
        if (paused > 0) {
          if (!(await sleep(paused, signal))) return refusal(signal);
          continue;
        }
        if (full()) {
          if (!(await turn(deadline - now, signal))) return refusal(signal);
          kept -= 1; // the place kept for this call: taken below, with nothing awaited in between
          continue;
        }
        if (signal?.aborted) return refusal(signal);
        const slot = starts.book(now);
        if (slot >= deadline) {
          starts.unbook(slot, now);
          return refusal(signal);
        }
        inFlight += 1;
        if (slot > now && !(await sleep(slot - now, signal))) {
          // Its start, booked ahead, goes unused: handed back, so that calls that give up hold up no one.
          starts.unbook(slot, clock());
          release();
          return refusal(signal);
        }
        const waitedMs = clock() - started;
        if (waitedMs >= budgetMs) {
          release();
          return refusal(signal);
        }
        if (pausedUntil <= clock()) return { release, waitedMs };
        release();
      }
    },
    /** An answer said no request remains until `until` (ms since the epoch). */
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, clock() + until - Date.now());
    },
  };
}
