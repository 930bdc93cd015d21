// How an answer is shown: a summary, a table (times in the visitor's time zone, a 0 time as "never",
// the sort column of a sorted list), nested values as indented JSON, and the raw JSON one click away.
import { el, scrollable } from "./fields.js";

const CONTACT_COLUMNS = ["id", "type", "user_id", "email", "name", "tags", "created_at"];
const TIME = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });

const isTime = (column, value) => column.endsWith("_at") && (typeof value === "number" || value === null);
const isNamedList = (value) => Array.isArray(value) && value.every((v) => v && typeof v === "object" && "name" in v);

/** A value as one line of text: Unix times as local dates (0 or null: "never"), tags by name. */
function cell(value, column = "") {
  if (isTime(column, value)) return value ? TIME.format(value * 1000) : "never";
  if (value === null || value === undefined) return "";
  if (isNamedList(value)) return value.map((v) => v.name).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

const json = (value, label) => scrollable(el("pre", { textContent: JSON.stringify(value ?? null, null, 2) }), label);

/** Rows as a table; `sort` ({ column, order }) adds the sort column to a contact list and marks it. */
function table(rows, label, sort) {
  const first = rows[0] ?? {};
  let columns = "email" in first && "type" in first ? CONTACT_COLUMNS : Object.keys(first).filter((k) => k !== "payload").slice(0, 8);
  if (sort?.column && !columns.includes(sort.column)) columns = [...columns, sort.column];
  const t = el("table");
  t.createTHead().insertRow().append(...columns.map((c) => {
    const th = el("th", { scope: "col", textContent: c });
    if (c === sort?.column) th.setAttribute("aria-sort", sort.order === "asc" ? "ascending" : "descending");
    return th;
  }));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      td.textContent = cell(row[c], c);
      td.title = td.textContent;
    }
  }
  return scrollable(el("div", { className: "table-wrap" }, t), label);
}

/** An object as name/value rows; nested objects and lists (but tags) as indented JSON. */
function keyValues(object) {
  const t = el("table", { className: "kv" });
  const body = t.createTBody();
  for (const [key, value] of Object.entries(object)) {
    const tr = body.insertRow();
    tr.append(el("th", { scope: "row", textContent: key }));
    const td = tr.insertCell();
    if (value && typeof value === "object" && !isNamedList(value)) td.append(json(value, key));
    else td.textContent = cell(value, key);
  }
  return scrollable(el("div", { className: "table-wrap" }, t), "Result");
}

/** A result: a summary, a table, and the raw JSON behind a disclosure. `sort` as for `table`. */
export function showResult(panel, value, sort) {
  const parts = [];
  if (value === undefined || value === null) {
    parts.push(el("p", { className: "ok", textContent: "Done." }));
  } else if (Array.isArray(value)) {
    const by = sort?.column ? `, sorted by ${sort.column} (${sort.order === "asc" ? "oldest" : "newest"} first)` : "";
    parts.push(el("p", { className: "ok", textContent: `${value.length} ${value.length === 1 ? "item" : "items"}${by}` }));
    if (value.length) parts.push(table(value, "Result rows", sort));
  } else if ("tagged" in value && "failed" in value) {
    parts.push(el("p", { className: "ok", textContent: `Tag “${value.tag.name}”: ${value.tagged} tagged, ${value.untagged} untagged, ${value.failed.length} failed` }));
    if (value.failed.length) parts.push(table(value.failed.map((f) => ({ target: f.target, code: f.error.code, message: f.error.message })), "Failed targets"));
  } else {
    parts.push(keyValues(value));
  }
  parts.push(el("details", {}, el("summary", { textContent: "Raw JSON" }), json(value, "Raw JSON")));
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
