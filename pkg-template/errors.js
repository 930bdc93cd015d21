// GistError, the one error class of the package, and the conversions into it.

const FIELDS = ["status", "errors", "requestId", "retryAfter", "method", "path", "mayHaveActed"];

/** Every failure of the package: a stable `code`, a `message` that says what to do, and what is known. */
export class GistError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = "GistError";
    this.code = code;
    for (const key of FIELDS) {
      if (details && details[key] !== undefined && details[key] !== null) this[key] = details[key];
    }
  }
}

/** A refused input. */
export function invalidArgument(message) {
  return new GistError("invalid_argument", message);
}

/**
 * The error of a call its `signal` stopped (the core's, or a new one): the signal's reason as `cause`, and
 * `timeout` where the reason is a `TimeoutError` (an `AbortSignal.timeout()` that fired), as `fetch` says.
 */
export function abortedBy(signal, error = new GistError("aborted", "the call was aborted by its AbortSignal")) {
  try {
    const reason = signal?.reason;
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

/** The GistError of an error the core threw (its JSON text) or described (`{ code, message, ... }`). */
export function fromCore(error) {
  if (typeof error === "string") error = JSON.parse(error);
  if (error && typeof error.code === "string") return new GistError(error.code, error.message, error);
  return invalidArgument("gist-wasm's core failed with no error code: a bug, please report it");
}
