// What a client tells its hooks and its logger about each request. Never the key, never a query string
// (it can hold emails), and bodies only with `logBodies: true`. Whatever a hook or a logger does, throw
// anything, reject, or hand back a thenable that throws, never reaches the call.
import { GistError, invalidArgument } from "./errors.js";
import { boxedKind, describe, describeKind, notJson } from "./runtime.js";
import { redactEmails } from "./gist_wasm.js";

const LEVELS = ["off", "error", "warn", "info", "debug"];
const HOOKS = ["request", "response", "retry"];

// Each function `object` has under `names` (read once, here), or a GistError saying which is wrong.
function functionsOf(object, names, what) {
  if (object === undefined) return;
  // A function that has them is one too (Roarr's logger, say), as the types take it: not one that has none.
  const callable = typeof object === "function";
  if (callable ? !names.some((name) => typeof object[name] === "function") : typeof object !== "object" || object === null) throw invalidArgument(`${what} must be an object of functions`);
  // A Map, an array, a Promise (a missing `await`) or a boxed value would read as having no functions,
  // and do nothing.
  if (Array.isArray(object) || notJson(object) || boxedKind(object)) throw invalidArgument(`${what} must be an object of functions, not ${describeKind(object)}`);
  for (const name of names) {
    const value = object[name];
    if (value !== undefined && typeof value !== "function") throw invalidArgument(`${what}.${name} must be a function`);
  }
}

// Reads `hooks`, `logger`, `logLevel` and `logBodies` off the client options (already read once).
function readOptions({ hooks, logger, logLevel = "warn", logBodies = false }) {
  try {
    if (!LEVELS.includes(logLevel)) throw invalidArgument(`logLevel must be one of "${LEVELS.join('", "')}"`);
    if (typeof logBodies !== "boolean") throw invalidArgument("logBodies must be true or false");
    functionsOf(hooks, HOOKS, "hooks");
    const unknown = hooks === undefined ? undefined : Object.keys(hooks).find((name) => !HOOKS.includes(name));
    if (unknown !== undefined) throw invalidArgument(`hooks has an unknown hook \`${unknown}\`: use ${HOOKS.join(", ")}`);
    functionsOf(logger, LEVELS.slice(1), "logger");
  } catch (error) {
    throw error instanceof GistError ? error : invalidArgument("hooks or logger cannot be read (a getter or Proxy trap threw)");
  }
  return { hooks, logger, level: LEVELS.indexOf(logLevel), logBodies };
}

/**
 * Calls `target[name](argument())`, a caller's function, so that nothing it does reaches the call: its
 * throw, or its promise's rejection, goes to `failed` (which must not throw). The argument is only made
 * when there is a function to take it.
 */
function callOut(target, name, argument, failed) {
  try {
    const fn = target?.[name];
    if (typeof fn !== "function") return;
    const result = Reflect.apply(fn, target, [argument()]);
    if ((typeof result === "object" || typeof result === "function") && result !== null) {
      const then = result.then;
      if (typeof then === "function") Reflect.apply(then, result, [undefined, failed]);
    }
  } catch (error) {
    failed(error);
  }
}

const ignore = () => {};

/**
 * A request's headers for a hook: names in lower case and without the key, the Authorization value's
 * credential hidden, and the key and emails scrubbed from the others (a caller's header can hold them).
 */
function shownHeaders(headers, withoutKey) {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => {
    const lower = name.toLowerCase();
    return [redactEmails(withoutKey(lower)), lower === "authorization" ? `${/^\S+ /.exec(value)?.[0] ?? ""}[redacted]` : redactEmails(withoutKey(value))];
  }));
}

/** The client options this module reads, which the core never sees. */
export const OBSERVER_OPTIONS = ["hooks", "logger", "logLevel", "logBodies"];

/**
 * An observer of one client's requests, from its options; `drive` calls `request`, `response`, `retry`,
 * none of which throws. `scrub(text)` removes the client's key and emails from a text of the caller's
 * (what a hook threw).
 */
export function observer(options, scrub) {
  const { hooks, logger, level, logBodies } = readOptions(options);
  // Whether each level is logged. Every `log` below is behind its level's flag, so that `message()` is only
  // written when the level lets it through, and a call with no hooks and nothing to log makes no closure.
  const [error, warn, info, debug] = ["error", "warn", "info", "debug"].map((at) => LEVELS.indexOf(at) <= level);
  const log = (at, message) => callOut(logger ?? globalThis.console, at, () => `gist-wasm: ${message()}`, ignore);
  const call = (name, argument) => {
    const failed = (thrown) => {
      if (error) log("error", () => `the ${name} hook threw (ignored): ${scrub(describe(thrown))}`);
    };
    callOut(hooks, name, argument, failed);
  };
  return {
    /** `withoutKey(text)` scrubs the key from a text of the caller's: the body, a header. */
    request(send, attempt, withoutKey) {
      const request = { method: send.method, path: send.path, attempt };
      const body = logBodies && send.body !== null ? redactEmails(withoutKey(send.body)) : undefined;
      if (debug) log("debug", () => `${request.method} ${request.path} (attempt ${attempt})${body === undefined ? "" : `: ${body}`}`);
      if (hooks) call("request", () => ({ ...request, headers: shownHeaders(send.headers, withoutKey), ...(body !== undefined && { body }) }));
      return request;
    },
    /** `body()` gives the answer's body without the key; it is only read for a log line, without emails. */
    response(request, status, requestId, elapsedMs, body) {
      const shown = status === null ? "no answer" : `${status}`;
      if (info) log("info", () => `${request.method} ${request.path}: ${shown} in ${elapsedMs} ms${requestId ? ` (request ${requestId})` : ""}`);
      if (logBodies && debug) {
        const text = body();
        if (text !== undefined) log("debug", () => `${request.method} ${request.path} answered: ${redactEmails(text)}`);
      }
      if (hooks) call("response", () => ({ ...request, status, requestId, elapsedMs }));
    },
    retry(request, retry, waitMs) {
      const why = retry.status === null ? "got no answer" : `answered ${retry.status}`;
      if (warn) log("warn", () => `${request.method} ${request.path} ${why}; attempt ${retry.attempt} in ${waitMs} ms`);
      if (hooks) call("retry", () => ({ ...request, attempt: retry.attempt, status: retry.status, waitMs }));
    },
  };
}
