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
 * The GistError of an error the core threw (its JSON text) or described (`{ code, message, ... }`); a
 * trap of the wasm (an Error of the runtime's: its memory or stack exhausted) is `invalid_response`.
 */
export function fromCore(error) {
  if (typeof error === "string") error = JSON.parse(error);
  if (error && typeof error.code === "string") return new GistError(error.code, error.message, error);
  if (error instanceof Error) return new GistError("invalid_response", `gist-wasm's WebAssembly core failed (${String(error.message).slice(0, 200)}): its memory or stack exhausted, all but surely`);
  return invalidArgument("gist-wasm's core failed with no error code: a bug, please report it");
}
