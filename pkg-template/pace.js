// A client's pacing: at most `maxConcurrent` requests in flight and `requestsPerSecond` started, the rest
// queued in the client; and no request while Gist says none remain (a rate limit with 0 remaining) until
// its reset, unless that comes after the call's deadline: then the request is not sent at all.
import { invalidArgument } from "./errors.js";
import { isAborted, whenAborted } from "./signal.js";

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

// Resolves `atTimeout` once ms pass, false as soon as the signal aborts, or what the function given to
// `enlist` (which returns how to leave) is called with first; leaves no timer, waiting or entry behind.
function timed(ms, signal, atTimeout, enlist) {
  return new Promise((resolve) => {
    let leave;
    let stopWaiting;
    let timer;
    const finish = (value) => {
      clearTimeout(timer);
      stopWaiting?.();
      leave?.();
      resolve(value);
    };
    timer = setTimeout(() => finish(atTimeout), Math.max(0, ms)); // a negative delay warns in Node 24 and Bun
    stopWaiting = signal && whenAborted(signal, () => finish(false));
    leave = enlist?.(finish);
    if (isAborted(signal)) finish(false);
  });
}

let lastFinite = 0;
/**
 * `Date.now()`, or its last finite reading where it reads no finite number (a test's spy that returns
 * nothing): such a reading stands still, and leaves no NaN in a clock built on it.
 */
export function wallNow() {
  const wall = Date.now();
  if (Number.isFinite(wall)) lastFinite = wall;
  return lastFinite;
}

// The pacer's clock: `Date.now()` (which a test's fake timers move), moved on by however far the wall
// clock was ever set back (NTP), so that a step back holds up no booked start and no pause.
let lastWall = 0;
let setBack = 0;
function clock() {
  const wall = wallNow();
  setBack += Math.max(0, lastWall - wall);
  lastWall = wall;
  return wall + setBack;
}

// What a wait before a request (a pause, a shared pacer's permit) leaves of its call's time for the request
// itself: half of it, up to REQUEST_MS. A request sent just before the deadline would time out in flight,
// and may have acted.
const REQUEST_MS = 5000;
/** How long a call with `leftMs` before its deadline may wait before its request goes. */
export const waitBudget = (leftMs) => Math.max(0, leftMs - Math.min(leftMs / 2, REQUEST_MS));

/** Resolves true after ms, or false as soon as the signal aborts. */
export const sleep = (ms, signal) => timed(ms, signal, true);

// A first-come-first-served queue where adding, taking the first and withdrawing any one are O(1)
// (amortised): Array#shift and #splice are O(n) on a long array, so a few thousand calls queued at once
// would cost n². What was taken or withdrawn, at the front or behind it, is let go once it is half the
// line, so a queue whose waiters give up holds about those still waiting.
function queue() {
  let nodes = []; // { item }, oldest first; a node taken or withdrawn holds no item
  let head = 0; // nodes before it are gone
  let live = 0;
  // Drops the nodes gone, wherever they are, once they are half of the line: a call withdrawn from
  // behind a first waiter that stays leaves no slot behind for long.
  const compact = () => {
    if ((nodes.length - live) * 2 <= nodes.length) return;
    nodes = nodes.slice(head).filter((node) => node.item !== undefined);
    head = 0;
  };
  return {
    /** Adds `item`; returns its ticket, for `withdraw`. */
    add(item) {
      const node = { item };
      nodes.push(node);
      live++;
      return node;
    },
    /** How many items it holds. */
    get size() {
      return live;
    },
    /**
     * Takes out the first item whose `due` (on `performance.now()`) has not passed (undefined when none);
     * those before it, past theirs, are let go: their calls are gone (in workerd, with their requests).
     */
    takeInTime() {
      if (live === 0) return undefined; // the common case, each time a request ends
      for (; head < nodes.length; head++) {
        const node = nodes[head];
        const { item } = node;
        if (item === undefined) continue;
        node.item = undefined;
        live--;
        if (item.due > performance.now()) {
          head++;
          compact();
          return item;
        }
      }
      compact();
      return undefined;
    },
    /** Withdraws the item of `ticket`; false if it was taken already. */
    withdraw(ticket) {
      if (ticket.item === undefined) return false;
      ticket.item = undefined;
      live--;
      compact();
      return true;
    },
  };
}

// Whether a request's timers end with it, as in workerd (whose global WebSocketPair no other runtime has).
const TIMERS_END_WITH_REQUEST = typeof globalThis.WebSocketPair === "function";

// The longest a timer waits (setTimeout's most: past it, Node fires at once, with a warning).
const MAX_TIMER_MS = 2 ** 31 - 1;
// How late the line's timer may fire before a waiter arms it again, and how often a waiter checks after.
const LATE_MS = 100;
const CHECK_MS = 1000;

// How long past its request's deadline a place still counts as held where its call never let it go: in
// workerd, a request that ends early (its sender went away) drops what its calls wait for, so a call of a
// client shared by an isolate's requests may never run its `finally`. Past its deadline the request cannot
// be in flight (its fetch is aborted then), so the place is free again.
const HELD_PAST_DUE_MS = 1000;

/**
 * The places of `limit` requests at once: `take(ms)` holds one until its `release()` (which calls
 * `onRelease`) or `free(place)` (which does not), or until `ms` (and HELD_PAST_DUE_MS) pass. `full()`
 * counts only places still held, letting go of those past due when it is full; `nextDue()` is when the
 * first held place falls due (Infinity when none). Each costs O(1) but `full()` past a place's due, which
 * looks over the places once.
 */
function places(limit, onRelease) {
  // The places held, each at its `at` (an array, not a Set: a fresh object's hash costs each call);
  // one let go moves the last into its slot.
  const held = [];
  let earliest = Infinity; // no held place falls due before it
  const drop = (place) => {
    if (held[place.at] !== place) return false;
    const last = held.pop();
    if (last !== place) held[(last.at = place.at)] = last;
    place.at = -1;
    return true;
  };
  class Place {
    constructor(due, waitedMs) {
      this.due = due;
      this.waitedMs = waitedMs;
      this.at = held.length;
    }

    release() {
      if (drop(this)) onRelease();
    }
  }
  return {
    full() {
      if (held.length < limit) return false;
      const now = performance.now();
      if (now < earliest) return true;
      earliest = Infinity;
      for (const place of [...held]) {
        if (place.due <= now) drop(place);
        else earliest = Math.min(earliest, place.due);
      }
      return held.length >= limit;
    },
    nextDue: () => earliest,
    free: drop,
    take(ms, waitedMs = 0, now = performance.now()) {
      const place = new Place(now + ms + HELD_PAST_DUE_MS, waitedMs);
      held.push(place);
      if (place.due < earliest) earliest = place.due;
      return place;
    },
  };
}

/**
 * Requests' starts at least `spacing` ms apart on the pacer's clock, first come first served: `take()`
 * takes a start now where `free()` (no one waits and the last was `spacing` ago); `wait(budgetMs,
 * signal)` queues for one. One timer lets the first in line go each `spacing`; a waiter that gives up
 * leaves the line, and those behind it move up, so that calls that give up hold up no one (nor do those
 * still in line past their deadline, whose calls are gone). Each costs O(1).
 */
function schedule(spacing) {
  let next = 0; // the earliest the next start may be
  let timer;
  let firesBy = 0; // when the timer is due to fire, on the monotonic clock (performance.now())
  let firesAt = 0; // the same, on the pacer's clock
  let early = false; // whether the timer was armed once more (see letDueGo)
  // Each arming's number: a timer armed before the last does nothing when it fires (workerd may not
  // clear a timer of another request).
  let armings = 0;
  const line = queue();
  const setTimer = (ms) => {
    firesBy = performance.now() + ms;
    firesAt = clock() + ms;
    const arming = ++armings;
    timer = setTimeout(() => arming === armings && letDueGo(), ms);
  };
  const stopTimer = () => {
    clearTimeout(timer);
    timer = undefined;
    armings += 1;
  };
  // Arms the timer for the first in line, unless it is armed or no one waits.
  const arm = () => {
    if (timer !== undefined || line.size === 0) return;
    early = false;
    setTimer(Math.max(0, next - clock()));
  };
  // The timer belongs to the request that armed it, and workerd cancels a request's timers when it ends:
  // a client shared by a Worker's requests would leave the line waiting till their deadlines. So there each
  // newcomer arms it again from its own request, due when it was: the newest waiter is let go last, and
  // its request lives till then (unless it gives up, or a Worker did not wait for its call). A waiter
  // still in line LATE_MS after its start was due checks, and then each CHECK_MS or `spacing`: a timer
  // that did not fire by then is armed again from the waiter's own request, as it stood (early or not).
  // Only in workerd: elsewhere a timer outlives the caller that armed it, and one armed again could only
  // be due at another time where a test's fake timers move one clock and not the other.
  const adopt = () => {
    if (!TIMERS_END_WITH_REQUEST || timer === undefined) return arm();
    stopTimer();
    setTimer(Math.max(0, firesAt - clock()));
  };
  const check = () => {
    if (timer === undefined) return arm();
    if (performance.now() < firesBy + LATE_MS) return;
    stopTimer();
    setTimer(Math.max(0, next - clock()));
  };
  // A timer may fire a little early (Node's counts whole ms from the time its loop last read): one that
  // fires before the start is armed once more for what is left (a clock that stands still, a test's frozen
  // `Date.now`, lets the first in line go then, and the next start falls due from that clock's reading, not
  // further on). It fires late as often (a whole ms, or behind other work): each start falls due
  // `spacing` after the last one fell due, not after the timer fired, so lateness adds up to no drift,
  // and one firing lets go every start due by then. A start falls due no further back than one interval:
  // after a stall, the burst is two starts at most (and past about 1,000 a second, timers' whole ms cap
  // the rate).
  const letDueGo = () => {
    const at = clock();
    const stands = at < next && early; // fired early twice: the clock does not move
    early = at < next && !early;
    timer = undefined;
    if (early) setTimer(next - at);
    if (stands) next = at;
    // One still in line past its deadline is let go with no start spent on it: its own timer never ran.
    for (let waiter = early ? undefined : line.takeInTime(); waiter; waiter = next <= at ? line.takeInTime() : undefined) {
      next = Math.max(next, at - spacing) + spacing;
      waiter.go(true);
    }
    arm();
  };
  return {
    /** Whether a start may be taken now without waiting (with no spacing, whenever no one waits). */
    free: () => line.size === 0 && (spacing === 0 || next <= clock()),
    /** Takes the start now (where `free()`); with no spacing, the next is due at once all the same. */
    take() {
      if (spacing > 0) next = clock() + spacing;
    },
    /**
     * Resolves true at this caller's start, false when `signal` aborts first, or at once where its turn in
     * line would come `budgetMs` or more from now (a start it would not use). The line only moves up.
     */
    wait(budgetMs, signal) {
      const at = clock();
      const due = Math.max(at, next) + line.size * spacing; // this caller's start, as the line stands
      if (due >= at + budgetMs) return Promise.resolve(false);
      return timed(budgetMs, signal, false, (go) => {
        const ticket = line.add({ go, due: performance.now() + budgetMs });
        adopt();
        let watch;
        // Checks first when the line's timer is due (it may be a gone call's), then at this caller's turn,
        // then each CHECK_MS or `spacing`: a long line costs no timer a second per waiter.
        const watching = () => {
          if (ticket.item === undefined) return;
          check();
          const untilTurn = due - clock();
          watch = setTimeout(watching, untilTurn > 0 ? untilTurn + LATE_MS : Math.max(spacing, CHECK_MS));
        };
        watch = setTimeout(watching, Math.min(due - at, Math.max(0, firesBy - performance.now())) + LATE_MS);
        return () => {
          clearTimeout(watch);
          if (!line.withdraw(ticket)) return;
          if (line.size === 0) stopTimer();
        };
      });
    },
  };
}

/** A client's pacer, from its options `{ maxConcurrent = 6, requestsPerSecond }`. */
export function pacer({ maxConcurrent, requestsPerSecond }) {
  const limit = positive("maxConcurrent", maxConcurrent, 6, true);
  const spacing = 1000 / positive("requestsPerSecond", requestsPerSecond, Infinity, false);
  // A timer waits at most 2^31 - 1 ms: a rate below one start in that long would never be kept.
  if (spacing > MAX_TIMER_MS) throw invalidArgument("requestsPerSecond must be at least one start in 24.8 days (4.66e-7)");
  const starts = schedule(spacing);
  let pausedUntil = 0;
  // A request's place, and one kept for a call woken but not yet running: a request that comes meanwhile
  // must not take it (it would send the woken call to the back of the queue, again at each release).
  const held = places(limit, () => wakeNext());
  const full = () => held.full();
  const waiting = queue(); // each waiting call's wake-up, oldest first
  // The same, of calls that started (whose later requests wait here): they go first, so that calls
  // waiting for their first request hold no wasm memory behind calls that hold theirs.
  const ahead = queue();
  // Wakes the first waiter whose deadline has not passed, with a place kept for it; those past theirs are
  // let go (in workerd, one whose request ended would keep the place a second, unused, in turn).
  function wakeNext() {
    if (full()) return;
    (ahead.takeInTime() ?? waiting.takeInTime())?.wake(held.take(0));
  }
  // Resolves with a place kept for this call once a request in flight ends (which it lets go of as it
  // runs), false when ms pass or the signal aborts first; `goesAhead`: a started call. While it waits,
  // it looks again when the first held place falls due, for a holder that never lets go (see places).
  const turn = (ms, signal, goesAhead) => timed(ms, signal, false, (wake) => {
    const line = goesAhead ? ahead : waiting;
    const ticket = line.add({ wake, due: performance.now() + ms });
    let look;
    const lookWhenDue = () => {
      if (ticket.item === undefined || held.nextDue() === Infinity) return;
      look = setTimeout(lookAgain, Math.min(MAX_TIMER_MS, Math.max(0, held.nextDue() - performance.now())));
    };
    const lookAgain = () => {
      wakeNext();
      lookWhenDue();
    };
    lookWhenDue();
    return () => {
      clearTimeout(look);
      line.withdraw(ticket);
    };
  });
  // A call that gives up hands a free turn on to the next waiting one.
  const giveUp = (refused) => {
    wakeNext();
    return refused;
  };
  const refusal = (signal) => giveUp({ refused: isAborted(signal) ? "aborted" : "timeout" });
  return {
    /**
     * Whether a request may go now without waiting (no pause, a free place, its start due, `signal` not
     * aborted): a call that may not is started only once `admit` lets its first request go, so that it
     * holds no wasm memory while it waits.
     */
    mayGoNow(signal) {
      return !full() && !isAborted(signal) && (pausedUntil === 0 || pausedUntil <= clock()) && starts.free();
    },
    /**
     * A request's turn at once, where it takes no waiting (no pause, a free place, its start due): what
     * `admit` would resolve with, without the wait for a Promise; else undefined, and `admit` decides.
     * `now`: `performance.now()`, where the caller read it.
     */
    admitNow(budgetMs, signal, now) {
      if (budgetMs <= 0 || !this.mayGoNow(signal)) return undefined;
      starts.take();
      return held.take(budgetMs, 0, now);
    },
    /**
     * Waits until a request may go, within `budgetMs`: a request whose turn would come after that is
     * never sent. Resolves `{ release, waitedMs }` (waitedMs < budgetMs) once it may go, or
     * `{ refused: "rate_limited", retryAfter }` / `{ refused: "timeout" }` / `{ refused: "aborted" }`.
     * A started call's request (not its first: `ahead`) waits ahead of calls that have not started.
     */
    async admit(budgetMs, signal, ahead = false) {
      const started = clock();
      const began = performance.now();
      // How long this call waited: a test's fake clock moves while performance.now() does not, and
      // performance.now() moves while the pacer's clock stands still or is set back: the longer of the two.
      const waited = () => Math.max(clock() - started, performance.now() - began);
      const left = () => budgetMs - waited();
      let sleptUntil = 0; // the pause this call slept through: over, whatever a clock that stands still says
      // Each wait (a pause, a place, a start) can end in a pause that an answer set meanwhile: look again.
      for (;;) {
        if (isAborted(signal)) return refusal(signal);
        const now = clock();
        const paused = pausedUntil > sleptUntil ? pausedUntil - now : 0;
        if (paused > 0 && paused >= waitBudget(left())) return giveUp({ refused: "rate_limited", retryAfter: Math.ceil(paused / 1000) });
        if (paused > 0) {
          wakeNext(); // a place this call leaves free while it sleeps: the next waiting call sees the pause too
          sleptUntil = pausedUntil;
          if (!(await sleep(paused, signal))) return refusal(signal);
          continue;
        }
        if (full()) {
          const kept = await turn(left(), signal, ahead);
          if (!kept) return refusal(signal);
          held.free(kept); // the place kept for this call: taken below, with nothing awaited in between
          continue;
        }
        const place = held.take(left(), waited());
        if (starts.free()) starts.take();
        else if (!(await starts.wait(left(), signal))) {
          place.release();
          return refusal(signal);
        }
        place.waitedMs = waited();
        if (place.waitedMs >= budgetMs) {
          place.release();
          return refusal(signal);
        }
        if (pausedUntil <= Math.max(clock(), sleptUntil)) return place;
        place.release();
      }
    },
    /** An answer said no request remains for `ms`. */
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, clock() + ms);
    },
  };
}
