// Form fields of the demo: each kind knows how to render itself and how to read its value back.

/**
 * An element with `props`: `role`, `aria-*` and `data-*` are set as attributes (as properties they would
 * be expandos, or depend on ARIA reflection, that assistive technology never reads), the rest as properties.
 */
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "role" || name.startsWith("aria-") || name.startsWith("data-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};
export { el };

let uid = 0;
const nextId = () => `f${++uid}`;

function labelled(text, control, hint) {
  const id = control.id || (control.id = nextId());
  return el("div", { className: "field" }, el("label", { htmlFor: id, textContent: text }), control, hint ? el("small", { textContent: hint }) : null);
}

const KINDS = ["text", "whole number", "boolean", "date", "email", "URL"];

/** Reads one custom property value by its kind (a date becomes Unix seconds). */
export function propertyValue(kind, raw) {
  if (kind === "boolean") return raw === "true";
  if (kind === "whole number") return Number.parseInt(raw, 10);
  if (kind === "date") return Math.floor(new Date(raw).getTime() / 1000);
  return raw;
}

const builders = {
  text: (f) => el("input", { name: f.name, required: !!f.required, placeholder: f.placeholder ?? "", type: f.type ?? "text", value: f.value ?? "" }),
  number: (f) => el("input", { name: f.name, required: !!f.required, type: "number", min: f.min ?? "0", max: f.max ?? "", step: "1", value: f.value ?? "" }),
  textarea: (f) => el("textarea", { name: f.name, rows: f.rows ?? 4, placeholder: f.placeholder ?? "", value: f.value ?? "" }),
  /** `options`: values, or [value, label] pairs (the label shown, the value sent). */
  select: (f) => {
    const select = el("select", { name: f.name });
    for (const option of f.options) {
      const [value, label] = Array.isArray(option) ? option : [option, option];
      select.append(el("option", { value, textContent: label }));
    }
    if (f.value) select.value = f.value;
    return select;
  },
  checkbox: (f) => el("input", { name: f.name, type: "checkbox", checked: !!f.value }),
};

/** A field whose value cannot be read (such as JSON that does not parse); the field shows why. */
export class InvalidField extends Error {
  constructor(message, control) {
    super(message);
    this.name = "InvalidField";
    this.control = control;
  }
}

/** Parses a JSON field (empty: undefined), showing the parse error under it (and throwing InvalidField) when it fails. */
function parseJson(raw, control, problem) {
  try {
    const value = raw === "" ? undefined : JSON.parse(raw);
    control.removeAttribute("aria-invalid");
    problem.textContent = "";
    return value;
  } catch (error) {
    control.setAttribute("aria-invalid", "true");
    // Not the parser's message: it quotes what was typed, a key or an email in it too.
    const at = /position (\d+)/.exec(error.message)?.[1];
    problem.textContent = `Invalid JSON${at === undefined ? "" : ` at character ${Number(at) + 1}`}: check its quotes, commas and brackets`;
    throw new InvalidField(problem.textContent, control);
  }
}

/** A field element for a spec `{ kind, name, label, ... }`; `read()` gives its value or undefined, or throws InvalidField. */
export function field(spec) {
  if (spec.kind === "ref") return refField(spec);
  if (spec.kind === "props") return propsField(spec);
  const control = builders[spec.kind](spec);
  const node = labelled(spec.label, control, spec.hint);
  if (spec.kind === "checkbox") node.classList.add("check");
  if (spec.wide) node.classList.add("wide");
  const problem = spec.json ? el("small", { className: "error", role: "alert" }) : null;
  if (problem) node.append(problem);
  return {
    node,
    read() {
      if (spec.kind === "checkbox") return control.checked || undefined;
      if (spec.bool) return control.value === "" ? undefined : control.value === "true"; // a select of yes, no or neither
      const raw = spec.raw ? control.value : control.value.trim(); // `raw`: sent as typed (a body to sign)
      if (spec.json) return parseJson(raw, control, problem);
      if (raw === "") return undefined;
      if (spec.kind === "number") return Number(raw);
      if (spec.list) return raw.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
      return raw;
    },
  };
}

/** The ways to name a contact: its label and an example value. */
const WAYS = { id: ["Gist id", "1001"], user_id: ["User id", "5001"], email: ["Email", "ada@example.com"] };

/** A contact by its Gist id, user id or email: a select of the ways, and the value. */
function refField(spec) {
  const ways = spec.ways ?? ["id", "user_id", "email"];
  const by = builders.select({ name: `${spec.name}_by`, options: ways.map((w) => [w, WAYS[w][0]]) });
  const value = builders.text({ name: `${spec.name}_value`, required: true, placeholder: WAYS[ways[0]][1] });
  by.addEventListener("change", () => {
    value.placeholder = WAYS[by.value][1];
    value.type = by.value === "email" ? "email" : "text";
  });
  const node = el("div", { className: "field ref" }, labelled(spec.label ?? "Contact by", by), labelled("Value", value));
  return {
    node,
    read() {
      const raw = value.value.trim();
      if (raw === "") return {};
      return { [by.value]: by.value === "id" ? Number(raw) : raw };
    },
  };
}

/** Custom properties: rows of name, kind and value. */
function propsField(spec) {
  const rows = el("div", { className: "props" });
  const addRow = () => {
    const name = builders.text({ name: "prop_name", placeholder: "plan" });
    const kind = builders.select({ name: "prop_kind", options: KINDS });
    const value = builders.text({ name: "prop_value", placeholder: "pro" });
    kind.setAttribute("aria-label", "Property kind");
    name.setAttribute("aria-label", "Property name");
    value.setAttribute("aria-label", "Property value");
    kind.addEventListener("change", () => { value.type = kind.value === "date" ? "date" : "text"; });
    rows.append(el("div", { className: "prop" }, name, kind, value));
  };
  addRow();
  const add = el("button", { type: "button", className: "secondary", textContent: "+ property" });
  add.addEventListener("click", addRow);
  const node = el("fieldset", { className: "field wide" }, el("legend", { textContent: spec.label ?? "Custom properties" }), rows, add);
  return {
    node,
    read() {
      const out = {};
      for (const row of rows.children) {
        const [name, kind, value] = row.querySelectorAll("input, select");
        if (name.value.trim() && value.value.trim() !== "") out[name.value.trim()] = propertyValue(kind.value, value.value.trim());
      }
      return Object.keys(out).length ? out : undefined;
    },
  };
}

/** Makes a region that may scroll reachable and named for keyboard and screen-reader users. */
export function scrollable(node, label) {
  node.tabIndex = 0;
  node.setAttribute("role", "region");
  node.setAttribute("aria-label", label);
  return node;
}
