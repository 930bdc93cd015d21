// How an answer is shown: a summary, a table (times in the visitor's time zone, a 0 time as "never",
// the sort column of a sorted list), nested values as indented JSON, and the raw JSON one click away.
import { el, scrollable } from "./fields.js";

const CONTACT_COLUMNS = ["id", "type", "user_id", "email", "name", "tags", "created_at"];
const TIME = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });

const isTime = (column, value) => column.endsWith("_at") && (typeof value === "number" || value === null);
const isNamedList = (value) => Array.isArray(value) && value.every((v) => v && typeof v === "object" && "name" in v);

/** A value as one line of text: Unix times as local dates (0 or null: "never"; past Date's range: the number), tags by name. */
function cell(value, column = "") {
  if (isTime(column, value)) {
    if (!value) return "never";
    // A time Date cannot hold (past ±8.64e15 ms) would make format() throw.
    return Number.isNaN(new Date(value * 1000).getTime()) ? String(value) : TIME.format(value * 1000);
  }
  if (value === null || value === undefined) return "";
  if (isNamedList(value)) return value.map((v) => v.name).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

const json = (value, label) => scrollable(el("pre", { textContent: JSON.stringify(value ?? null, null, 2) }), label);

/** Rows as a table; `contacts` shows a contact's usual columns, `sort` ({ column, order }) adds the sort column and marks it. */
function table(rows, label, { sort, contacts } = {}) {
  let columns = contacts ? CONTACT_COLUMNS : Object.keys(rows[0] ?? {}).filter((k) => k !== "payload").slice(0, 8);
  if (sort?.column && !columns.includes(sort.column)) columns = [...columns, sort.column];
  const t = el("table");
  t.createTHead().insertRow().append(...columns.map((c) => {
    const th = el("th", { scope: "col", textContent: c });
    if (c === sort?.column) th.setAttribute("aria-sort", sort.order === "asc" ? "ascending" : "descending");
    return th;
  }));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.appendChild(el("tr")); // not insertRow: Chromium's takes time growing with the rows
    for (const c of columns) {
      const td = tr.appendChild(el("td"));
      td.textContent = cell(row[c], c);
      td.title = td.textContent;
    }
  }
  return scrollable(el("div", { className: "table-wrap" }, t), label);
}

/** An object as name/value rows named `name`; nested objects and lists (but tags) as indented JSON. */
function keyValues(object, name) {
  const t = el("table", { className: "kv" });
  const body = t.createTBody();
  for (const [key, value] of Object.entries(object)) {
    const tr = body.appendChild(el("tr"));
    tr.append(el("th", { scope: "row", textContent: key }));
    const td = tr.appendChild(el("td"));
    if (value && typeof value === "object" && !isNamedList(value)) td.append(json(value, `${name}: ${key}`));
    else td.textContent = cell(value, key);
  }
  return scrollable(el("div", { className: "table-wrap" }, t), name);
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const isRows = (value) => Array.isArray(value) && value.every(isObject);
const ok = (text) => el("p", { className: "ok", textContent: text });
const count = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Each renderer takes the result's `name`, which names its scrolling regions (unique on a page that
// shows several results at once, as the webhooks panel does).

/** Any value: an object as name/value rows, a list of objects as a table, anything else as JSON. */
function generic(value, { name }) {
  if (isObject(value)) return [keyValues(value, name)];
  if (isRows(value)) return [ok(count(value.length, "item")), ...(value.length ? [table(value, `${name}: rows`)] : [])];
  return [json(value, name)];
}

/** A list call's answer: how many, sorted how, and the rows. */
function listed(value, { name, sort, contacts }) {
  if (!isRows(value)) return generic(value, { name });
  const by = sort?.column ? `, sorted by ${sort.column} (${sort.order === "asc" ? "oldest" : "newest"} first)` : "";
  return [ok(`${count(value.length, "item")}${by}`), ...(value.length ? [table(value, `${name}: rows`, { sort, contacts })] : [])];
}

/** tagContacts' answer: the counts, and the targets that failed with their error. */
function tagged(value, { name }) {
  const { tag, failed } = value;
  if (!isObject(tag) || !isRows(failed) || !failed.every((f) => isObject(f.error))) return generic(value, { name });
  const parts = [ok(`Tag “${tag.name}”: ${value.tagged} tagged, ${value.untagged} untagged, ${failed.length} failed`)];
  if (failed.length) parts.push(table(failed.map((f) => ({ target: f.target, code: f.error.code, message: f.error.message })), `${name}: failed targets`));
  return parts;
}

/** An iterator's walk ({ pages: [{ items, cursor }], stopped, limited }): each page with the cursor after it. */
function walked(value, { name, sort, contacts }) {
  const pages = value?.pages;
  if (!Array.isArray(pages) || !pages.every((p) => isObject(p) && isRows(p.items))) return generic(value, { name });
  const items = pages.reduce((n, p) => n + p.items.length, 0);
  const end = value.stopped ? "stopped here: the last cursor goes on from there" : value.limited ? "its limit reached: the last cursor goes on from there" : "the walk ended";
  const parts = [ok(`${count(pages.length, "page")}, ${count(items, "item")}; ${end}`)];
  pages.forEach((page, i) => {
    const summary = el("summary", {}, `Page ${i + 1}: ${count(page.items.length, "item")}, then cursor `, el("code", { className: "cursor", textContent: String(page.cursor) }));
    parts.push(el("details", { className: "page", open: i === 0 }, summary, ...(page.items.length ? [table(page.items, `${name}: page ${i + 1}`, { sort, contacts })] : [])));
  });
  return parts;
}

/** How each function's answer is shown, by the function called (never by the answer's shape). */
function render(fn = "", value, context) {
  if (value === undefined || value === null) return [ok("Done.")];
  if (fn === "tagContacts") return tagged(value, context);
  if (fn.startsWith("list")) return listed(value, context);
  if (fn.startsWith("iter")) return walked(value, context);
  return generic(value, context);
}

/**
 * A result: a summary, a table, and the raw JSON behind a disclosure. `fn` is the function called, which
 * picks how its answer is shown (any value renders); `sort` ({ column, order }) is a sorted list's;
 * `name` names its regions (by default "fn result").
 */
export function showResult(panel, value, { fn, sort, name = fn ? `${fn} result` : "Result" } = {}) {
  const contacts = /^(list|iter)(Users|Leads)$/.test(fn ?? "");
  const parts = render(fn, value, { name, sort, contacts });
  parts.push(el("details", {}, el("summary", { textContent: "Raw JSON" }), json(value, `${name}: raw JSON`)));
  panel.replaceChildren(...parts);
}

/** An error: its code, HTTP status and message, and the API's field errors if any. */
export function showError(panel, error) {
  const gist = error?.name === "GistError";
  const head = gist
    ? [el("code", { className: "code", textContent: error.code }), error.status ? ` HTTP ${error.status} ` : " ", error.message]
    : [String(error)];
  const parts = [el("p", { className: "error", role: "alert" }, ...head)];
  if (gist && error.errors?.length) parts.push(table(error.errors, "Errors"));
  panel.replaceChildren(...parts);
}
