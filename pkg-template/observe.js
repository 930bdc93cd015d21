// What a client tells its hooks and its logger about each request. Never the key, never a query string
// (it can hold emails), and bodies only with `logBodies: true`; a hook that throws is logged, not thrown.
import { invalidArgument } from "./errors.js";

const LEVELS = ["off", "error", "warn", "info", "debug"];
const HOOKS = ["request", "response", "retry"];

// Reads `hooks`, `logger`, `logLevel` and `logBodies` off the client options (already read once).
function readOptions({ hooks, logger, logLevel = "warn", logBodies = false }) {
  if (!LEVELS.includes(logLevel)) throw invalidArgument(`logLevel must be one of "${LEVELS.join('", "')}"`);
  if (typeof logBodies !== "boolean") throw invalidArgument("logBodies must be true or false");
  if (hooks !== undefined && (typeof hooks !== "object" || hooks === null)) throw invalidArgument("hooks must be an object of functions");
  for (const [name, hook] of Object.entries(hooks ?? {})) {
    if (!HOOKS.includes(name)) throw invalidArgument(`hooks has an unknown hook \`${name}\`: use ${HOOKS.join(", ")}`);
    if (typeof hook !== "function") throw invalidArgument(`hooks.${name} must be a function`);
  }
  const sink = logger ?? globalThis.console;
  if (logger !== undefined && (typeof logger !== "object" || logger === null)) throw invalidArgument("logger must be an object with debug, info, warn and error");
  return { hooks: hooks ?? {}, sink, level: LEVELS.indexOf(logLevel), logBodies };
}

/** A request's headers for a hook: names in lower case, and the Authorization value's credential hidden. */
function shownHeaders(pairs) {
  return Object.fromEntries(pairs.map(([name, value]) => {
    const lower = name.toLowerCase();
    return [lower, lower === "authorization" ? `${/^\S+ /.exec(value)?.[0] ?? ""}[redacted]` : value];
  }));
}

/** The client options this module reads, which the core never sees. */
export const OBSERVER_OPTIONS = ["hooks", "logger", "logLevel", "logBodies"];

/** An observer of one client's requests, from its options; `drive` calls `request`, `response`, `retry`. */
export function observer(options) {
  const { hooks, sink, level, logBodies } = readOptions(options);
  const log = (at, message) => {
    if (LEVELS.indexOf(at) > level) return;
    try {
      sink?.[at]?.(`gist-wasm: ${message}`);
    } catch {
      // A logger that throws is not the call's problem.
    }
  };
  const call = (name, info) => {
    const hook = hooks[name];
    if (!hook) return;
    try {
      hook(info);
    } catch (error) {
      log("error", `the ${name} hook threw (ignored): ${error?.message ?? error}`);
    }
  };
  return {
    request(send, attempt) {
      const info = { method: send.method, path: send.path, attempt };
      const body = logBodies && send.body !== null ? send.body : undefined;
      log("debug", `${info.method} ${info.path} (attempt ${attempt})${body === undefined ? "" : `: ${body}`}`);
      if (hooks.request) call("request", { ...info, headers: shownHeaders(send.headers), ...(body !== undefined && { body }) });
      return info;
    },
    /** `body()` gives the answer's body without the key; it is only read for a log line. */
    response(info, status, requestId, elapsedMs, body) {
      const seen = { ...info, status, requestId, elapsedMs };
      const shown = status === null ? "no answer" : `${status}`;
      log("info", `${info.method} ${info.path}: ${shown} in ${elapsedMs} ms${requestId ? ` (request ${requestId})` : ""}`);
      if (logBodies && level >= LEVELS.indexOf("debug")) {
        const text = body();
        if (text !== undefined) log("debug", `${info.method} ${info.path} answered: ${text}`);
      }
      call("response", seen);
    },
    retry(info, retry, waitMs) {
      const seen = { ...info, attempt: retry.attempt, status: retry.status, waitMs };
      const why = retry.status === null ? "got no answer" : `answered ${retry.status}`;
      log("warn", `${info.method} ${info.path} ${why}; attempt ${retry.attempt} in ${waitMs} ms`);
      call("retry", seen);
    },
  };
}
