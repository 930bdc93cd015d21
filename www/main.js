// The explorer's wiring: a tab per Gist module (from calls.js, and the webhooks panel of index.html), a tab
// per function inside it, each form running its function on the client of the chosen mode (built-in mock,
// or the real API through this server's proxy), beside the code it runs and its HTTP exchanges.
// The package loads in the background (gist-wasm/web: the .wasm streams in as a file), so the page shows
// at once; a submit waits for it.
import { el, field, InvalidField } from "./fields.js";
import { callText, codeView, wireView } from "./explain.js";
import { showError, showResult } from "./results.js";
import { SECTIONS, WEBHOOK_FORMS } from "./calls.js";
import { tabs } from "./tabs.js";
import { setupWebhooks } from "./webhooks.js";

const sdk = import("/pkg/web.js");
const state = { mode: "mock", apiKey: "" };

/** The client of the current mode, telling `hooks` of each request. The real API goes through /proxy, so the browser needs no CORS. */
async function client(hooks) {
  const { GistClient } = await sdk;
  const base = state.mode === "mock" ? { apiKey: "mock-key", baseUrl: `${location.origin}/api` } : { apiKey: state.apiKey, baseUrl: `${location.origin}/proxy` };
  return new GistClient({ ...base, hooks, logBodies: true }); // bodies for the wire view's hooks; logLevel stays "warn", so no body is logged
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

/** The form's fields: the usual ones, then those marked `more` behind a "More fields" disclosure. */
function layOut(spec, fields) {
  const nodes = fields.filter((_, i) => !spec.fields[i].more).map((f) => f.node);
  const more = fields.filter((_, i) => spec.fields[i].more).map((f) => f.node);
  if (more.length) nodes.push(el("details", { className: "more" }, el("summary", { textContent: "More fields" }), el("div", { className: "call" }, ...more)));
  return nodes;
}

function buildForm(spec) {
  const fields = spec.fields.map(field);
  const result = el("div", { className: "result", "aria-live": "polite" });
  const code = codeView(spec.fn);
  const wire = wireView();
  const submit = el("button", { type: "submit", textContent: spec.title });
  const form = el("form", { className: "call" }, ...layOut(spec, fields), el("div", { className: "actions" }, submit));
  form.dataset.fn = spec.fn;
  const preview = spec.fields.findIndex((f) => f.preview);
  if (preview >= 0) {
    const out = el("small", { className: "preview" });
    const input = fields[preview].node.querySelector("input");
    input.addEventListener("input", async () => {
      const { normalizeEventName } = await sdk;
      out.textContent = input.value ? `stored as: ${normalizeEventName(input.value)}` : "";
    });
    fields[preview].node.append(out);
  }
  /** The form's values and the call's arguments from them, or the InvalidField a field reports (and shows). */
  const read = () => {
    const values = {};
    spec.fields.forEach((f, i) => { values[f.name] = fields[i].read(); });
    return { values, args: spec.args(values) };
  };
  const showCode = () => {
    try {
      const { values, args } = read();
      code.show(spec.code ? spec.code(args, values) : callText(spec.fn, args, { module: spec.module }));
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
    let values;
    let args;
    try {
      ({ values, args } = read());
    } catch (error) {
      if (error instanceof InvalidField) return error.control.focus();
      return showError(result, error);
    }
    const controller = new AbortController();
    const stop = progress(result, controller);
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const { signal } = controller;
      const { order_by: column, order } = (typeof args[0] === "object" && args[0]) || {};
      const sort = column ? { column, order } : undefined;
      if (spec.run) {
        const data = await spec.run({ sdk: await sdk, client: () => client(wire.hooks), signal, values }, args);
        showResult(result, data, { fn: spec.fn, sort });
      } else {
        const gist = await client(wire.hooks);
        const { data, response } = await gist[spec.fn](...args, { signal }).withResponse();
        showResult(result, data, { fn: spec.fn, sort });
        wire.summary(response);
      }
    } catch (error) {
      showError(result, error);
    } finally {
      stop();
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
  return el("section", { className: "card", id: `call-${spec.fn}` },
    el("h3", { textContent: spec.title }), form, code.node, wire.node, result);
}

/** A module's panel: its intro, and a tab per function when it has more than one. */
function buildSection(section) {
  const cards = section.forms.map(buildForm);
  const panel = el("section", { id: section.id, className: "module" }, section.intro ? el("p", { className: "intro", textContent: section.intro }) : null);
  if (cards.length > 1) {
    const items = section.forms.map((spec, i) => ({ id: spec.fn, label: spec.tab ?? spec.title.split(" ")[0], panel: cards[i] }));
    panel.append(tabs(`${section.title} functions`, items).node);
  }
  panel.append(...cards);
  return panel;
}

const webhooksPanel = document.getElementById("webhooks");
webhooksPanel.querySelector(".cards").append(...WEBHOOK_FORMS.map(buildForm));
const webhooks = setupWebhooks(webhooksPanel, { sdk, showResult, showError });
const modules = [
  ...SECTIONS.map((section) => ({ id: section.id, label: section.title, panel: buildSection(section) })),
  { id: "webhooks", label: "Webhooks", panel: webhooksPanel },
];
webhooksPanel.before(tabs("Gist modules", modules, (m) => m.id === "webhooks" && webhooks.listen()).node, ...modules.slice(0, -1).map((m) => m.panel));

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
// Enter in the key field submits the form: that would reload the page, in mock mode, without the key.
modeForm.addEventListener("submit", (e) => e.preventDefault());
document.getElementById("reset").addEventListener("click", async () => {
  const response = await fetch("/api/__mock/reset", { method: "POST" });
  notice.textContent = response.ok ? "Mock data reset: 240 contacts, 6 tags, 3 segments, 4 campaigns, 30 events." : "Reset failed.";
});

await sdk;
document.body.dataset.ready = "true";
