// The demo's wiring: builds a section per Gist module from calls.js, runs each form's function on the
// client of the chosen mode (built-in mock, or the real API through this server's proxy), and shows the
// result as a table with the raw JSON one click away, beside the code the form runs and its HTTP exchanges.
import init, { GistClient, GistError, normalizeEventName } from "/pkg/index.js";
import { el, field, InvalidField } from "./fields.js";
import { callText, codeView, wireView } from "./explain.js";
import { SECTIONS } from "./calls.js";
import { setupWebhooks } from "./webhooks.js";

await init();

const state = { mode: "mock", apiKey: "" };

/** The client of the current mode, telling `hooks` of each request. The real API goes through /proxy, so the browser needs no CORS. */
function client(hooks) {
  if (state.mode === "mock") return new GistClient({ apiKey: "mock-key", baseUrl: `${location.origin}/api`, hooks });
  return new GistClient({ apiKey: state.apiKey, baseUrl: `${location.origin}/proxy`, hooks });
}

const CONTACT_COLUMNS = ["id", "type", "user_id", "email", "name", "tags", "created_at"];

function cell(value, column = "") {
  if (value === null || value === undefined) return "";
  if (column.endsWith("_at") && typeof value === "number" && value > 0) return new Date(value * 1000).toISOString().slice(0, 16).replace("T", " ");
  if (Array.isArray(value) && value.every((v) => v && typeof v === "object" && "name" in v)) return value.map((v) => v.name).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function table(rows) {
  const first = rows[0] ?? {};
  const columns = "email" in first && "type" in first ? CONTACT_COLUMNS : Object.keys(first).filter((k) => k !== "payload").slice(0, 8);
  const t = el("table");
  t.createTHead().insertRow().append(...columns.map((c) => el("th", { scope: "col", textContent: c })));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      td.textContent = cell(row[c], c);
      td.title = td.textContent;
    }
  }
  return el("div", { className: "table-wrap" }, t);
}

function keyValues(object) {
  const t = el("table", { className: "kv" });
  const body = t.createTBody();
  for (const [key, value] of Object.entries(object)) {
    const tr = body.insertRow();
    tr.append(el("th", { scope: "row", textContent: key }));
    tr.insertCell().textContent = cell(value, key);
  }
  return el("div", { className: "table-wrap" }, t);
}

/** A result: a summary, a table, and the raw JSON behind a disclosure. */
export function showResult(panel, value) {
  const parts = [];
  if (value === undefined || value === null) {
    parts.push(el("p", { className: "ok", textContent: "Done." }));
  } else if (Array.isArray(value)) {
    parts.push(el("p", { className: "ok", textContent: `${value.length} ${value.length === 1 ? "item" : "items"}` }));
    if (value.length) parts.push(table(value));
  } else if ("tagged" in value && "failed" in value) {
    parts.push(el("p", { className: "ok", textContent: `Tag “${value.tag.name}”: ${value.tagged} tagged, ${value.untagged} untagged, ${value.failed.length} failed` }));
    if (value.failed.length) parts.push(table(value.failed.map((f) => ({ target: f.target, code: f.error.code, message: f.error.message }))));
  } else {
    parts.push(keyValues(value));
  }
  parts.push(el("details", {}, el("summary", { textContent: "Raw JSON" }), el("pre", { textContent: JSON.stringify(value ?? null, null, 2) })));
  panel.replaceChildren(...parts);
}

export function showError(panel, error) {
  const head = error instanceof GistError
    ? [el("code", { className: "code", textContent: error.code }), error.status ? ` HTTP ${error.status} ` : " ", error.message]
    : [String(error)];
  const parts = [el("p", { className: "error", role: "alert" }, ...head)];
  if (error instanceof GistError && error.errors?.length) parts.push(table(error.errors));
  panel.replaceChildren(...parts);
}

function progress(panel, controller) {
  const started = Date.now();
  const label = el("span", { textContent: "Working… 0 s" });
  const cancel = el("button", { type: "button", className: "secondary", textContent: "Cancel" });
  cancel.addEventListener("click", () => controller.abort());
  panel.replaceChildren(el("div", { className: "progress", role: "status" }, el("progress", { "aria-label": "Working" }), label, cancel));
  const timer = setInterval(() => { label.textContent = `Working… ${Math.round((Date.now() - started) / 1000)} s`; }, 250);
  return () => clearInterval(timer);
}

function buildForm(spec) {
  const fields = spec.fields.map(field);
  const result = el("div", { className: "result", "aria-live": "polite" });
  const code = codeView();
  const wire = wireView();
  const submit = el("button", { type: "submit", textContent: spec.title });
  const form = el("form", { className: "call", noValidate: false }, ...fields.map((f) => f.node), el("div", { className: "actions" }, submit));
  form.dataset.fn = spec.fn;
  const preview = spec.fields.findIndex((f) => f.preview);
  if (preview >= 0) {
    const out = el("small", { className: "preview" });
    const input = fields[preview].node.querySelector("input");
    input.addEventListener("input", () => { out.textContent = input.value ? `stored as: ${normalizeEventName(input.value)}` : ""; });
    fields[preview].node.append(out);
  }
  /** The call's arguments from the form, or the InvalidField a field reports (and shows). */
  const readArgs = () => {
    const values = {};
    spec.fields.forEach((f, i) => { values[f.name] = fields[i].read(); });
    return spec.args(values);
  };
  const showCode = () => {
    try {
      code.show(callText(spec.fn, readArgs()));
    } catch (error) {
      code.show(`// ${error.message}`);
    }
  };
  form.addEventListener("input", showCode);
  form.addEventListener("change", showCode);
  showCode();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.replaceChildren(); // no stale result, whatever happens next
    wire.clear();
    let args;
    try {
      args = readArgs();
    } catch (error) {
      if (error instanceof InvalidField) return error.control.focus();
      return showError(result, error);
    }
    const controller = new AbortController();
    const stop = progress(result, controller);
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const gist = client(wire.hooks);
      const { data, response } = await gist[spec.fn](...args, { signal: controller.signal }).withResponse();
      showResult(result, data);
      wire.summary(response);
    } catch (error) {
      showError(result, error);
    } finally {
      stop();
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  const wide = spec.long || spec.fn.startsWith("list") || spec.fn === "apiCall";
  return el("article", { className: wide ? "card full" : "card", id: `call-${spec.fn}` },
    el("h3", { textContent: spec.title }), form, code.node, wire.node, result);
}

const main = document.getElementById("sections");
const nav = document.getElementById("nav");
for (const section of SECTIONS) {
  nav.append(el("a", { href: `#${section.id}`, textContent: section.title }));
  main.append(el("section", { id: section.id, "aria-labelledby": `${section.id}-h` },
    el("h2", { id: `${section.id}-h`, textContent: section.title }),
    section.intro ? el("p", { className: "intro", textContent: section.intro }) : null,
    el("div", { className: "cards" }, ...section.forms.map(buildForm))));
}
nav.append(el("a", { href: "#webhooks", textContent: "Webhooks" }));

// The mode switch: the mock by default; the real API needs a key that stays in this page's memory.
const modeForm = document.getElementById("mode");
const keyField = document.getElementById("api-key-field");
const notice = document.getElementById("mode-notice");
modeForm.addEventListener("change", () => {
  state.mode = modeForm.elements.mode.value;
  state.apiKey = document.getElementById("api-key").value.trim();
  keyField.hidden = state.mode === "mock";
  document.getElementById("reset").hidden = state.mode !== "mock";
  notice.textContent = state.mode === "mock"
    ? "Calls go to the built-in mock Gist API on this server: no account, no network."
    : "Calls go from this page to this demo server, which forwards them to api.getgist.com with your key. The key stays in this page's memory only (reload and it is gone); use a test workspace.";
});
document.getElementById("api-key").addEventListener("input", (e) => { state.apiKey = e.target.value.trim(); });
document.getElementById("reset").addEventListener("click", async () => {
  const response = await fetch("/api/__mock/reset", { method: "POST" });
  notice.textContent = response.ok ? "Mock data reset: 240 contacts, 6 tags, 3 segments, 4 campaigns, 30 events." : "Reset failed.";
});

setupWebhooks(document.getElementById("webhooks"), { showResult, showError });
document.body.dataset.ready = "true";
