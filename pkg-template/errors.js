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

/** The GistError of an error the core threw (its JSON text) or described (`{ code, message, ... }`). */
export function fromCore(error) {
  if (typeof error === "string") error = JSON.parse(error);
  if (error && typeof error.code === "string") return new GistError(error.code, error.message, error);
  return invalidArgument("gist-wasm's core failed with no error code: a bug, please report it");
}
