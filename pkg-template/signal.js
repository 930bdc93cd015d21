// A caller's AbortSignal, read so that no signal can break a call: through AbortSignal's and
// EventTarget's own accessors and methods, not the object's, so that a signal whose `aborted`, `reason`,
// `addEventListener` or `removeEventListener` was replaced (by one that throws, or lies) reads as the
// signal it is. Where reading it fails even so (a runtime without those classes, whose signals are read
// as they are), it reads as aborted: the call stops.
import { GistError } from "./errors.js";

const SIGNAL = typeof AbortSignal === "function" && typeof EventTarget === "function"
  ? {
    aborted: Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")?.get,
    reason: Object.getOwnPropertyDescriptor(AbortSignal.prototype, "reason")?.get,
    add: EventTarget.prototype.addEventListener,
    remove: EventTarget.prototype.removeEventListener,
  }
  : {};
// One of the methods above, or the signal's own where the runtime has none.
const methodOf = (method, signal, name) => method ?? signal[name];

/** Whether `signal` (an AbortSignal or undefined) has aborted; never throws. */
export function isAborted(signal) {
  if (signal === undefined || signal === null) return false;
  try {
    return Boolean(SIGNAL.aborted ? SIGNAL.aborted.call(signal) : signal.aborted);
  } catch {
    return true;
  }
}

/**
 * Whether `value` is an AbortSignal (no Proxy of one) whose `aborted` reads as AbortSignal's own accessor
 * reads it (one that throws or lies is not taken); never throws.
 */
export function isAbortSignal(value) {
  try {
    if (SIGNAL.aborted) return SIGNAL.aborted.call(value) === value.aborted;
    return typeof value.aborted === "boolean" && typeof value.addEventListener === "function";
  } catch {
    return false;
  }
}

/** `signal.reason`, read as `isAborted` reads; undefined where it cannot be read. */
export function reasonOf(signal) {
  try {
    return SIGNAL.reason ? SIGNAL.reason.call(signal) : signal?.reason;
  } catch {
    return undefined;
  }
}

// The waits on each signal: one "abort" listener on a signal, however many waits share it (an EventTarget
// removes a listener in time of those it holds, so a listener for each of n waits costs n²), taken off
// when the last wait ends (a listener keeps a timeout's or a combined signal alive).
const waitsOn = new WeakMap();

/**
 * Runs `run` when `signal` aborts (not if it already has; soon, where the signal takes no listener);
 * returns how to stop waiting for that. Never throws.
 */
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
    try {
      methodOf(SIGNAL.add, signal, "addEventListener").call(signal, "abort", aborted, { once: true });
    } catch {
      queueMicrotask(aborted); // a signal that cannot be listened to stops the calls that wait on it
    }
  }
  waits.runs.add(run);
  return () => {
    waits.runs.delete(run);
    if (waits.runs.size === 0 && waitsOn.get(signal) === waits) {
      waitsOn.delete(signal);
      try {
        methodOf(SIGNAL.remove, signal, "removeEventListener").call(signal, "abort", waits.aborted);
      } catch {
        // a listener left on a signal that refuses to take it off: it finds no wait to end
      }
    }
  };
}

/**
 * The error of a call its `signal` stopped (the core's, or a new one): the signal's reason as `cause`, and
 * `timeout` where the reason is a `TimeoutError` (an `AbortSignal.timeout()` that fired), as `fetch` says.
 */
export function abortedBy(signal, error = new GistError("aborted", "the call was aborted by its AbortSignal")) {
  try {
    const reason = reasonOf(signal);
    if (reason === undefined) return error;
    error.cause = reason;
    if (reason?.name === "TimeoutError") {
      error.code = "timeout";
      error.message = "the call's AbortSignal timed out (AbortSignal.timeout)";
    }
  } catch {
    // a reason whose `name` getter throws: the error stays `aborted`
  }
  return error;
}
