// The JavaScript half of the wasm edge: the GistError class, JSON conversion that refuses what JSON
// would silently change, and fetch/sleep with a deadline and an AbortSignal. No state, no logic of the API.

export class GistError extends Error {
  constructor(code, message, details) {
    super(message, details && details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = "GistError";
    this.code = code;
    for (const key of ["status", "errors", "requestId", "retryAfter", "method", "path"]) {
      if (details && details[key] !== undefined && details[key] !== null) this[key] = details[key];
    }
  }
}

export function newGistError(code, message, details) {
  return new GistError(code, message, details);
}

class Refused extends Error {}

// JSON text of a caller's value, or { error } saying why it has none: NaN, Infinity and BigInt are
// refused instead of silently becoming null, and so are functions and cycles.
export function toJson(value) {
  if (value === undefined || value === null) return "null";
  try {
    const text = JSON.stringify(value, (key, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new Refused(`${key || "the value"} must be a finite number, not ${v}`);
      if (typeof v === "bigint") throw new Refused(`${key || "the value"} must be a number, not a BigInt`);
      return v;
    });
    return text === undefined ? { error: "a function is not a value" } : text;
  } catch (error) {
    return { error: error instanceof Refused ? error.message : "it cannot be read as JSON (is it circular?)" };
  }
}

export function isAbortSignal(value) {
  return typeof value === "object" && value !== null && typeof value.aborted === "boolean" &&
    typeof value.addEventListener === "function";
}

export function inBrowser() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

function describe(error) {
  const cause = error && error.cause;
  const detail = cause && (cause.code || cause.message);
  const text = error && error.message ? `${error.name || "Error"}: ${error.message}` : String(error);
  return detail ? `${text} (${detail})` : text;
}

// One request. Resolves { kind: "ok", status, headers: [name, value, ...], body } or
// { kind: "timeout" | "aborted" | "network", message }; never rejects, never outlives timeoutMs.
export async function fetchOnce(customFetch, url, method, headers, body, timeoutMs, signal) {
  if (signal && signal.aborted) return { kind: "aborted" };
  const controller = new AbortController();
  let timedOut = false;
  let stop;
  const stopped = new Promise((_, reject) => { stop = reject; });
  stopped.catch(() => {});
  const timer = setTimeout(() => { timedOut = true; controller.abort(); stop(new Error("deadline")); }, timeoutMs);
  const onAbort = () => { controller.abort(); stop(new Error("aborted")); };
  if (signal) signal.addEventListener("abort", onAbort, { once: true });
  try {
    const init = { method, headers: Object.fromEntries(headers), signal: controller.signal };
    if (body !== undefined) init.body = body;
    const pending = customFetch ? customFetch(url, init) : fetch(url, init);
    const response = await Promise.race([pending, stopped]);
    const text = await Promise.race([response.text(), stopped]);
    const flat = [];
    response.headers.forEach((value, name) => { flat.push(name.toLowerCase(), value); });
    return { kind: "ok", status: response.status, headers: flat, body: text };
  } catch (error) {
    if (timedOut) return { kind: "timeout" };
    if (signal && signal.aborted) return { kind: "aborted" };
    return { kind: "network", message: describe(error) };
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", onAbort);
  }
}

// Resolves true after ms, or false as soon as the signal aborts.
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve(false);
    const onAbort = () => { clearTimeout(timer); resolve(false); };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function asyncIterable(iterator) {
  iterator[Symbol.asyncIterator] = function () { return this; };
  return iterator;
}

// Header pairs [name, value, ...] from a Headers object or a plain record; names in lower case.
export function headerPairs(headers) {
  const flat = [];
  if (headers === undefined || headers === null) return flat;
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    headers.forEach((value, name) => { flat.push(String(name).toLowerCase(), String(value)); });
  } else if (typeof headers === "object") {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) flat.push(name.toLowerCase(), String(value));
    }
  }
  return flat;
}

// Reads a Fetch-API Request once: resolves { body, headers } or { error }.
export async function readRequest(request) {
  if (!request || typeof request.text !== "function") return { error: "handleWebhook needs a Fetch-API Request" };
  try {
    return { body: await request.text(), headers: headerPairs(request.headers) };
  } catch (error) {
    return { error: `the request body cannot be read (${error && error.message})` };
  }
}
