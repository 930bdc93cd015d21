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
// refused instead of silently becoming null, and so are functions, Symbols and cycles (JSON.stringify would
// drop a field that holds one, as if it were absent). `omit` names a top-level field to leave out.
export function toJson(value, omit) {
  if (value === undefined || value === null) return "null";
  try {
    const text = JSON.stringify(value, function (key, v) {
      if (this === value && key === omit) return undefined;
      const name = key || "the value";
      if (typeof v === "number" && !Number.isFinite(v)) throw new Refused(`${name} must be a finite number, not ${v}`);
      if (typeof v === "bigint") throw new Refused(`${name} must be a number, not a BigInt`);
      if (typeof v === "function" || typeof v === "symbol") throw new Refused(`${name} must be a JSON value, not a ${typeof v}`);
      return v;
    });
    return text === undefined ? { error: "it is not a JSON value" } : text;
  } catch (error) {
    return { error: error instanceof Refused ? error.message : "it cannot be read as JSON (a getter threw, or it is circular)" };
  }
}

// A real AbortSignal (duck-typed only where the runtime has no AbortSignal class).
function isAbortSignal(value) {
  if (typeof AbortSignal === "function") return value instanceof AbortSignal && typeof value.aborted === "boolean";
  return typeof value === "object" && value !== null && typeof value.aborted === "boolean" &&
    typeof value.addEventListener === "function";
}

// A call's options { signal?, timeoutMs? }, read once: resolves { signal, timeoutMs } or { error }.
// Unknown keys are refused; a getter or Proxy trap that throws is an error, never an exception.
export function readCallOptions(options) {
  try {
    if (options === undefined || options === null) return {};
    if (typeof options !== "object") return { error: "request options must be an object" };
    for (const key of Object.keys(options)) {
      if (key !== "signal" && key !== "timeoutMs") return { error: `request options have an unknown field \`${key}\`` };
    }
    const { signal, timeoutMs } = options;
    if (signal !== undefined && !isAbortSignal(signal)) return { error: "signal must be an AbortSignal" };
    if (timeoutMs !== undefined && typeof timeoutMs !== "number") return { error: "timeoutMs must be a positive number" };
    return { signal, timeoutMs };
  } catch {
    return { error: "request options cannot be read (a getter or Proxy trap threw)" };
  }
}

export function inBrowser() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

// What a runtime error says, for a message; never throws, whatever the error is.
function describe(error) {
  try {
    const cause = error && error.cause;
    const detail = cause && (cause.code || cause.message);
    const text = error && error.message ? `${error.name || "Error"}: ${error.message}` : String(error);
    return detail ? `${text} (${detail})` : text;
  } catch {
    return "an error that cannot be described";
  }
}

// The body of an answer as text, reading at most maxBytes (inflated) bytes: null past that.
async function readBody(response, maxBytes, stopped) {
  if (Number(response.headers.get("content-length")) > maxBytes) return null;
  if (!response.body || typeof response.body.getReader !== "function") {
    const text = await Promise.race([response.text(), stopped]);
    return text.length > maxBytes ? null : text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await Promise.race([reader.read(), stopped]);
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}

// One request; redirects are not followed (a 3xx comes back as it is; a browser's opaque redirect as
// status 0). Resolves { kind: "ok", status, headers: [name, value, ...], body } or
// { kind: "timeout" | "aborted" | "too_large" | "network", message }; never rejects, never outlives timeoutMs.
export async function fetchOnce(customFetch, url, method, headers, body, timeoutMs, signal, maxBytes) {
  const controller = new AbortController();
  let timedOut = false;
  let stop;
  const stopped = new Promise((_, reject) => { stop = reject; });
  stopped.catch(() => {});
  const timer = setTimeout(() => { timedOut = true; controller.abort(); stop(new Error("deadline")); }, timeoutMs);
  const onAbort = () => { controller.abort(); stop(new Error("aborted")); };
  try {
    if (signal && signal.aborted) return { kind: "aborted" };
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    const init = { method, headers: Object.fromEntries(headers), signal: controller.signal, redirect: "manual" };
    if (body !== undefined) init.body = body;
    const pending = customFetch ? customFetch(url, init) : fetch(url, init);
    const response = await Promise.race([pending, stopped]);
    const text = await readBody(response, maxBytes, stopped);
    if (text === null) {
      controller.abort();
      return { kind: "too_large" };
    }
    const flat = [];
    response.headers.forEach((value, name) => { flat.push(name.toLowerCase(), value); });
    const status = response.type === "opaqueredirect" ? 0 : response.status;
    return { kind: "ok", status, headers: flat, body: text };
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

// Makes the wasm iterator an AsyncIterableIterator whose next() calls run one after another, so that two
// concurrent calls get two items, never a premature { done: true }.
export function asyncIterable(iterator) {
  const next = iterator.next.bind(iterator);
  let queue = Promise.resolve();
  iterator.next = () => {
    const result = queue.then(next, next);
    queue = result.catch(() => {});
    return result;
  };
  iterator[Symbol.asyncIterator] = function () { return this; };
  return iterator;
}

// Header pairs [name, value, ...] from a Headers object or a plain record; names in lower case.
// Throws (caught by the wasm side) for anything else, or when a getter or Proxy trap throws.
export function headerPairs(headers) {
  const flat = [];
  if (headers === undefined || headers === null) return flat;
  if (typeof headers !== "object") throw new TypeError("headers must be an object or a Headers");
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    headers.forEach((value, name) => { flat.push(String(name).toLowerCase(), String(value)); });
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) flat.push(name.toLowerCase(), String(value));
    }
  }
  return flat;
}

// JSON.parse of a string, as the runtime reads it (throws, caught by the wasm side, when it is not JSON).
export function parseJson(text) {
  return JSON.parse(text);
}

// Reads a Fetch-API Request once, as raw bytes: resolves { body: Uint8Array, headers } or { error }.
export async function readRequest(request) {
  try {
    if (!request || typeof request.arrayBuffer !== "function") return { error: "handleWebhook needs a Fetch-API Request" };
    const headers = headerPairs(request.headers);
    const buffer = await request.arrayBuffer();
    if (Object.prototype.toString.call(buffer) !== "[object ArrayBuffer]") return { error: "request.arrayBuffer() did not give an ArrayBuffer" };
    return { body: new Uint8Array(buffer), headers };
  } catch (error) {
    return { error: `the request cannot be read (${describe(error)})` };
  }
}
