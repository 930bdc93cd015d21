// What a call teaches: the JavaScript a form runs (as a user would type it) and the HTTP exchanges the
// client made, as its own hooks report them.
import { el, scrollable } from "./fields.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const WIDTH = 72;

/** A value as a JavaScript literal: keys unquoted where they can be, one line unless it is too wide. */
export function literal(value, indent = "") {
  if (typeof value === "number") return String(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  const inner = `${indent}  `;
  const isList = Array.isArray(value);
  const entries = isList
    ? value.map((v) => literal(v, inner))
    : Object.entries(value).map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${literal(v, inner)}`);
  const [open, close] = isList ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return open + close;
  const pad = isList ? "" : " ";
  const flat = `${open}${pad}${entries.join(", ")}${pad}${close}`;
  if (indent.length + flat.length <= WIDTH && !flat.includes("\n")) return flat;
  return `${open}\n${entries.map((e) => `${inner}${e},`).join("\n")}\n${indent}${close}`;
}

/** The statement a form runs: `await gist.fn(arg, ...)`, or `await fn(arg, ...)` for a function of the package (`module`). */
export const callText = (fn, args, { module = false } = {}) => `await ${module ? "" : "gist."}${fn}(${args.map((a) => literal(a)).join(", ")})`;

/** The code view of `fn`: the call's text and a Copy button. `show(text)` updates it. */
export function codeView(fn) {
  const code = el("code");
  const copy = el("button", { type: "button", className: "secondary copy", textContent: "Copy" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      copy.textContent = "Copied";
    } catch {
      getSelection().selectAllChildren(code);
      copy.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { copy.textContent = "Copy"; }, 1500);
  });
  const node = el("div", { className: "code-view" }, scrollable(el("pre", {}, code), `Code of ${fn}`), copy);
  node.setAttribute("role", "group");
  node.setAttribute("aria-label", "The code this form runs");
  return { node, show(text) { code.textContent = text; } };
}

/** A request's other headers and its body (pretty-printed JSON), behind "Request headers and body". */
function requestDetails(headers, body) {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  if (body !== undefined) lines.push("", prettyJson(body));
  return el("details", {}, el("summary", { textContent: body === undefined ? "Request headers" : "Request headers and body" }),
    scrollable(el("pre", { textContent: lines.join("\n") }), "Request headers and body"));
}

/** JSON text indented, or the text as it is when it is not JSON. */
function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const statusText = (status) => (status === null ? "no answer" : String(status));

/**
 * The wire view: one line per request, filled in as the client's hooks report it. `hooks` goes into the
 * client's options; `summary(response)` adds what `withResponse()` said; `clear()` empties the view for the next call.
 */
export function wireView() {
  const list = el("ol", { className: "wire" });
  const node = el("div", { className: "wire-view" }, el("h4", { textContent: "On the wire" }), list);
  node.hidden = true;
  // "method path attempt" -> the status of each such request still waiting for its answer, oldest first
  // (tagContacts sends batches at once to the same path: their answers fill their lines in turn).
  let open = new Map();
  const key = (info) => `${info.method} ${info.path} ${info.attempt}`;
  const hooks = {
    request(info) {
      node.hidden = false;
      const status = el("span", { className: "status", textContent: "…" });
      const { authorization = "", ...headers } = info.headers;
      const line = el("li", { className: "exchange" },
        el("code", { textContent: `${info.method} ${info.path}` }), " ",
        el("span", { className: "muted", textContent: `Authorization: ${authorization.replace("[redacted]", "•••")} · attempt ${info.attempt}` }), " → ", status,
        requestDetails(headers, info.body));
      open.set(key(info), [...(open.get(key(info)) ?? []), status]);
      list.append(line);
    },
    response(info) {
      const status = open.get(key(info))?.shift();
      if (!status) return;
      status.textContent = `${statusText(info.status)} in ${Math.round(info.elapsedMs)} ms${info.requestId ? ` · request id ${info.requestId}` : ""}`;
      status.classList.add(info.status !== null && info.status < 400 ? "ok" : "error");
    },
    retry(info) {
      list.append(el("li", { className: "retry", textContent: `↻ ${statusText(info.status)}: retrying ${info.method} ${info.path} after ${Math.round(info.waitMs)} ms` }));
    },
  };
  /** The closing line and the last answer's headers, from the call's response metadata. */
  const summary = ({ status, requests, elapsedMs, rateLimit, headers }) => {
    const limit = rateLimit ? ` · rate limit ${rateLimit.remaining ?? "?"} of ${rateLimit.limit ?? "?"} left` : "";
    node.append(el("p", { className: "summary", textContent: `HTTP ${status} after ${requests} ${requests === 1 ? "request" : "requests"}, ${Math.round(elapsedMs)} ms in all${limit}` }));
    const lines = [...(headers ?? [])].map(([name, value]) => `${name}: ${value}`);
    if (lines.length === 0) return;
    const text = lines.join("\n");
    node.append(el("details", { className: "summary" }, el("summary", { textContent: `Response headers (${lines.length})` }),
      scrollable(el("pre", { textContent: text }), "Response headers")));
  };
  const clear = () => {
    open = new Map();
    list.replaceChildren();
    for (const extra of node.querySelectorAll(".summary")) extra.remove();
    node.hidden = true;
  };
  return { node, hooks, summary, clear };
}
