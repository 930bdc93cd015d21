// The runtime's own reading of what `JSON.parse` made of an answer: the core's rules for each model
// (declared.js, made from their Rust declarations), applied to parsed objects so that a body is read once.
// Where `JSON.parse` may have lost what a rule needs (a number's text, past 2^53, or nesting deeper
// than the core reads), it gives `UNSURE` and the caller lets the core read the text: the two agree,
// which tests/js/normalize.test.mjs checks over random bodies.
import { LISTS, MAX_PAGE_ITEMS, MODELS } from "./declared.js";

/** The answer of a reading that `JSON.parse`'s values cannot settle: let the core read the text. */
export const UNSURE = Symbol("unsure");
/** The answer of a model that refuses the object (no numeric id). */
export const REFUSED = Symbol("refused");

const TWO_53 = 2 ** 53;
// Each model's field names.
const NAMED = Object.fromEntries(Object.entries(MODELS).map(([name, fields]) => [name, new Set(fields.map(([field]) => field))]));
// Characters that JS's trim and Rust's `str::trim` do not agree on (U+0085 and U+FEFF).
const TRIM_DIFFERS = /[\u0085\uFEFF]/;
// The deepest nesting the core's JSON reader takes (src/json/parse.rs): a body nested deeper is left to it.
const MAX_DEPTH = 128;

/** Whether the core's reader would take the nesting of `body`, a text `JSON.parse` read. */
export function shallowEnough(body) {
  // Most bodies hold no more brackets than the core takes levels: then there is no nesting to follow.
  let brackets = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if ((c === 123 || c === 91) && ++brackets > MAX_DEPTH) break;
  }
  if (brackets <= MAX_DEPTH) return true;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 34) {
      // A string, to its closing quote: its brackets are text, an escaped character is skipped.
      for (i++; i < body.length; i++) {
        const s = body.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return false;
    } else if (c === 125 || c === 93) depth--;
  }
  return true;
}

// The keys whose numbers a rule writes back as text, and a pattern for each such number in a body.
const TEXT_RULES = new Set(["text", "textOrEmpty", "textOr"]);
const textKeys = [...new Set(Object.values(MODELS).flatMap((fields) => fields.filter(([, rule]) => TEXT_RULES.has(rule)).map(([name]) => name)))];
const TEXT_NUMBER = new RegExp(`"(?:${textKeys.join("|")})"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`, "g");

/** Whether every number the body gives a text field is written as JS writes it back (so `String(n)` is its text). */
function numbersAsWritten(body) {
  if (body.includes("\\u")) return false; // a key written with escapes is not found by the pattern
  for (const [, text] of body.matchAll(TEXT_NUMBER)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || String(n) !== text) return false;
  }
  return true;
}

// A lone surrogate (half an emoji): the core reads one as U+FFFD, as TextEncoder writes it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// A string as the core reads it (String.prototype.isWellFormed is ES2024: a pattern where it is missing).
const wellFormed = (s) => (typeof s.isWellFormed === "function" ? (s.isWellFormed() ? s : s.toWellFormed()) : s.replace(LONE_SURROGATE, "\uFFFD"));

// serde_util::string: a string ("" is none) or a number's text.
function text(value, context) {
  if (typeof value === "string") return value === "" ? null : wellFormed(value);
  if (typeof value === "number") {
    context.numbers ??= numbersAsWritten(context.body);
    return context.numbers ? String(value) : UNSURE;
  }
  return null;
}

// serde_util::as_whole: a whole number in [0, 2^53), or a string of digits.
function whole(value) {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0) return value < TWO_53 ? value + 0 : UNSURE;
    return null;
  }
  // The core's u64 is written out and read by JSON.parse: the same number as JS's of the digits.
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return value.length <= 19 ? Number(value) : UNSURE;
  return null;
}

/** A string trimmed as the core trims it; undefined for no string or an empty one; `UNSURE` where JS and Rust trim differently. */
export function trimmed(value) {
  if (typeof value !== "string") return undefined;
  if (TRIM_DIFFERS.test(value)) return UNSURE;
  return wellFormed(value.trim()) || undefined;
}

// serde_util::timestamp: Unix seconds from a number (truncated) or a string of an integer.
function timestamp(value) {
  if (typeof value === "number") return Number.isFinite(value) && Math.abs(value) < TWO_53 ? Math.trunc(value) + 0 : UNSURE;
  if (typeof value !== "string") return null;
  if (TRIM_DIFFERS.test(value)) return UNSURE;
  const trimmed = value.trim();
  if (!/^[+-]?[0-9]+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n + 0 : UNSURE;
}

// serde_util::boolean: a boolean, "true"/"false" (and their cases, "1"/"0"), or a number (not 0).
function boolean(value) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value !== "string") return null;
  if (TRIM_DIFFERS.test(value)) return UNSURE;
  switch (value.trim()) {
    case "true": case "TRUE": case "True": case "1": return true;
    case "false": case "FALSE": case "False": case "0": return false;
    default: return null;
  }
}

// One field's normalised value by its rule (`fallback`: the object's field a "textOr" falls back to).
function read(rule, value, object, fallback, context) {
  switch (rule) {
    case "id": {
      const id = whole(value);
      return id === null ? REFUSED : id;
    }
    case "text": return text(value, context);
    case "textOrEmpty": return text(value, context) ?? "";
    case "textOr": {
      const own = text(value, context);
      if (own !== null) return own;
      const kept = object[fallback];
      return typeof kept === "string" ? wellFormed(kept) : null;
    }
    case "whole": case "wholeIfKnown": return whole(value);
    case "timestamp": return timestamp(value);
    case "boolean": return boolean(value);
    case "contactType": return value === "user" || value === "lead" ? value : null;
    default: return UNSURE;
  }
}

/**
 * `object` (from `JSON.parse` of `context.body`) read as the model `name`, as the core would write it:
 * the fields the model does not name as they are, then its own, normalised. `REFUSED` when the model
 * refuses it (not an object, or no numeric id); `UNSURE` when only the core can tell.
 */
export function normalized(object, name, context) {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return REFUSED;
  const fields = MODELS[name];
  const named = NAMED[name];
  const out = {};
  for (const key in object) {
    if (key === "__proto__") return UNSURE; // would set the prototype, not a field
    if (!named.has(key)) out[key] = object[key];
  }
  let decide;
  for (const [field, rule, fallback] of fields) {
    const value = read(rule, object[field], object, fallback, context);
    if (value === UNSURE || value === REFUSED) return value;
    if (rule === "contactType" && value === null) decide = field;
    if (!(rule === "wholeIfKnown" && value === null)) out[field] = value;
  }
  if (decide !== undefined) out[decide] = typeof out.user_id === "string" ? "user" : "lead";
  return out;
}

// A 53-bit hash of a text's UTF-16 code units (two 32-bit FNV-1a of different bases), a number JSON holds.
function fnv53(text) {
  let low = 0x811c9dc5;
  let high = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    low = Math.imul(low ^ unit, 0x01000193);
    high = Math.imul(high ^ unit, 0x01000193);
  }
  return (high >>> 11) * 2 ** 32 + (low >>> 0);
}
// The mark of a page too deep to hash: its own, in this process and in any that resumes its cursor, from
// the platform's random bytes (a test's constant Math.random would make every such page alike).
function unlike() {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return -1 - ((high >>> 12) * 2 ** 32 + low); // below every hash: 52 random bits
}

// Whether `value` holds arrays or objects nested more than `levels` deep.
function nestsPast(value, levels) {
  if (value === null || typeof value !== "object") return false;
  return levels === 0 || Object.values(value).some((inner) => nestsPast(inner, levels - 1));
}

/**
 * A page of the list `name` read here from its text with the core's rules: `{ items, digest }`, the items
 * the list keeps, normalised, and for the core the JSON of what its paging loop reads of the page (how many
 * items it held, the first one's `id` and the last `id` (not null) of them as sent, a hash of those without one, how many are kept, what its `pages` says of a next one: src/flows/pages.rs,
 * `PageDigest`). Undefined where only the core can tell: the text is not such a page, or an item is refused
 * or unsure. (Unlike the core's reader, `JSON.parse` has no nesting limit: a page nested deeper than 128
 * levels is read, where the core refuses it as not JSON.)
 */
export function readPage(text, name) {
  const [key, model, keep] = LISTS[name];
  let page;
  try {
    page = JSON.parse(text);
  } catch {
    return undefined;
  }
  const raw = page !== null && typeof page === "object" ? page[key] : undefined;
  if (!Array.isArray(raw) || raw.length > MAX_PAGE_ITEMS) return undefined; // the core refuses more
  const context = { body: text };
  const items = [];
  const named = []; // whether each item has an id its model keeps (not null, "" or false)
  for (const each of raw) {
    const item = normalized(each, model, context);
    if (item === UNSURE || item === REFUSED) return undefined;
    named.push(item.id !== null && item.id !== undefined);
    if (keep === null || item.type === keep) items.push(item);
  }
  // The first id and the last one kept, as sent, which the core compares with earlier pages': numbers by
  // value, anything else as written.
  let last = raw.length;
  while (last > 0 && !named[last - 1]) last--;
  const ids = raw.length > 0 ? [["firstId", named[0] ? raw[0].id : undefined], ["lastId", raw[last - 1]?.id]] : [];
  if (ids.some(([, id]) => (typeof id === "number" ? !Number.isSafeInteger(id) : id !== null && typeof id === "object"))) return undefined;
  const pageIds = ids.map(([name, id]) => (id === undefined ? "" : `,"${name}":${JSON.stringify(id)}`)).join("");
  // And a hash of the items without an id, so that pages alike in their ids but not in the items that have
  // none are not taken for one another (the core's is its own: pages read by both may come twice); items
  // deeper than JSON.stringify writes make a page like no other.
  const unnamed = raw.filter((_, i) => !named[i]);
  let idless = "";
  try {
    if (unnamed.length > 0) idless = `,"idless":${fnv53(JSON.stringify(unnamed))}`;
  } catch {
    idless = `,"idless":${unlike()}`;
  }
  // What the core's paging loop reads of `pages` (src/models/normalize.rs, `paging`): for an object,
  // whether its `next` is neither missing, null nor ""; so a large `pages` crosses as a few bytes. One
  // nested past what the core reads (127 levels inside the page) is left to it, which refuses it.
  const { pages } = page;
  if (nestsPast(pages, 127)) return undefined;
  const next = pages !== null && typeof pages === "object" && !Array.isArray(pages) ? `,"next":${Object.hasOwn(pages, "next") && pages.next !== null && pages.next !== ""}` : "";
  return { items, digest: `{"count":${raw.length},"kept":${items.length}${pageIds}${idless}${next}}` };
}
