// The runtime's I/O: reading caller values safely, and running an operation of the core (fetch, timers,
// AbortSignal) step by step. The core decides what to send, when to retry and what a call returns.
import { GistError, fromCore, invalidArgument } from "./errors.js";
import { sleep, waitBudget, wallNow } from "./pace.js";
import { abortedBy, isAbortSignal, isAborted, whenAborted } from "./signal.js";
import { readPage } from "./normalize.js";
import { ANSWER_HEADERS, MAX_ARGUMENT_DEPTH, MAX_ERROR_BODY, MAX_HEADERS, MAX_OPTIONS_BYTES } from "./declared.js";
import { Core, callEnd, callFail, callRespond, callRespondBytes, callRespondRead, callWithoutKey, callWoke, redactEmails } from "./gist_wasm.js";

class Refused extends Error {}

/**
 * `text` without `key` (where it is a non-empty string) in any form the core's scrubber knows, as a
 * client scrubs its own (a webhook's secret too). A key the core refuses (a space, a control or non-ASCII character
 * in it: "Bearer <key>", a line break read from a file) is taken out as written, then as each run of 8 or
 * more of its characters without a space, and of its printable ASCII ones: the key such a text most
 * likely holds.
 */
export function withoutKey(key, text) {
  if (typeof key !== "string" || key === "") return text;
  let message = text;
  // A key past what options hold (refused, so never sent) is taken out as written: its runs would cost
  // as much as the key, and a regular expression over millions of characters may overflow the stack.
  const forms = key.length > MAX_OPTIONS_BYTES ? [key] : new Set([key, ...(key.match(/\S{8,}/gu) ?? []), ...(key.match(/[!-~]{8,}/g) ?? [])]);
  for (const form of forms) {
    try {
      const scrubber = new Core(JSON.stringify({ apiKey: form }), false, undefined);
      message = scrubber.scrub(message);
      scrubber.free();
      if (form === key) break;
    } catch {
      message = message.split(form).join("[redacted]"); // a form the core refuses as a key: as written
    }
  }
  return message;
}

// The fields that name a contact, and the fields whose keys are the caller's own (a contact's custom
// properties, an event's properties, a raw call's body): a Date or a boxed value naming a contact is
// refused, not turned into an id or a name.
const NAMING = ["id", "user_id", "email"];
const FREE_FORM = ["custom_properties", "properties", "body"];
// Each boxed kind and a method that throws unless its receiver is one (of any realm, whatever its
// `Symbol.toStringTag` says).
const BOXED = [["Date", Date.prototype.getTime], ["Number", Number.prototype.valueOf], ["String", String.prototype.valueOf],
  ["Boolean", Boolean.prototype.valueOf]];
// Which of BOXED `value` is, by its internal slot; undefined for any other value. An array is none; an
// object whose tag no `Symbol.toStringTag` sets (see untagged) is told by its tag, which is then its
// slot's; any other is probed (each probe throws unless it is that kind). A Proxy in a prototype chain
// can hide a tag from untagged: JSON then writes the boxed value it is as it gives itself, once, and
// that text is what the core checks and the request sends.
export function boxedKind(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (untagged(value)) {
    const tag = tagOf(value);
    return BOXED.some(([kind]) => kind === tag) ? tag : undefined;
  }
  return quietly(() => BOXED.find(([, read]) => {
    try {
      read.call(value);
      return true;
    } catch {
      return false;
    }
  })?.[0]);
}

// Whether no object of `value`'s prototype chain (at most 8 deep) has a `Symbol.toStringTag` of its
// own; false where a Proxy's trap throws.
function untagged(value) {
  try {
    let node = value;
    for (let depth = 0; depth < 8 && node !== null; depth++, node = Object.getPrototypeOf(node)) {
      if (Object.hasOwn(node, Symbol.toStringTag)) return false;
    }
    return node === null;
  } catch {
    return false;
  }
}

// Runs `probes`, which throw for most objects they are given, with no stack trace kept for those throws
// where the runtime keeps one (V8's and JavaScriptCore's `Error.stackTraceLimit`): a trace costs most of
// a throw. No caller's code runs meanwhile.
function quietly(probes) {
  const limit = Error.stackTraceLimit;
  try {
    if (typeof limit === "number") Error.stackTraceLimit = 0;
  } catch {
    // frozen: the probes keep their traces
  }
  try {
    return probes();
  } finally {
    if (typeof limit === "number" && Error.stackTraceLimit !== limit) Error.stackTraceLimit = limit;
  }
}
// An object's tag ("Date", "Map", ...); undefined for a plain value.
const tagOf = (value) => (typeof value === "object" && value !== null ? Object.prototype.toString.call(value).slice(8, -1) : undefined);

// What JSON writes as an object of indexes or as `{}`: bytes, a Map or Set, a Blob, form data, a stream,
// or a Promise (a missing `await`). Never throws.
const NOT_JSON = ["ArrayBuffer", "SharedArrayBuffer", "Map", "Set", "WeakMap", "WeakSet", "Blob", "File", "FormData",
  "URLSearchParams", "ReadableStream", "Promise"];
// What JSON writes as `{}` unless its `toJSON` says otherwise.
const WRITTEN_EMPTY = ["Error", "RegExp"];
// A method of each collection and buffer JSON writes as `{}`, which throws unless its receiver is one
// (whatever its `Symbol.toStringTag` says).
const SLOTTED = [Map.prototype.has, Set.prototype.has, WeakMap.prototype.has, WeakSet.prototype.has,
  Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get];
export function notJson(value) {
  try {
    if (ArrayBuffer.isView(value) || typeof value.then === "function" || NOT_JSON.includes(tagOf(value))) return true;
    const proto = Object.getPrototypeOf(value);
    // A chain no `Symbol.toStringTag` is set in (a class instance's, another realm's plain object) holds
    // none of SLOTTED's prototypes, as an object literal's does not.
    return proto !== null && proto !== Object.prototype && !Array.isArray(value) && !untagged(value) && quietly(() => SLOTTED.some((read) => {
      try {
        read.call(value, value);
        return true;
      } catch {
        return false;
      }
    }));
  } catch {
    return false;
  }
}

// What JSON writes for `raw`, whose JSON value is `written`: a Date (of any realm) as Unix seconds, as
// Gist takes every time; undefined for an invalid one.
function unixSeconds(raw, written) {
  if (boxedKind(raw) !== "Date") return written;
  const ms = Date.prototype.getTime.call(raw);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * JSON text of a caller's value (`"null"` for undefined); a Date is written as Unix seconds. NaN,
 * Infinity, BigInt, functions, Symbols, bytes, Maps, Sets, Blobs, form data, streams, Promises and
 * cycles are refused instead of being silently changed or dropped; so is a getter that throws. `omit`
 * names top-level fields to leave out; `top(key, value)` may check or replace a top-level field's value;
 * past `maxBytes` of JSON it stops and refuses (as more than `taker` may take), so that a huge value
 * costs no more than the cap. `options`: the value is an options object (and so are its fields that
 * `options` names, if an array): a key of one given as `undefined` is written as `null`, which counts as
 * not given, so that the core still checks its name (a typo is refused whatever it holds). `targets`
 * (`{ lists, refused, nonce }`, see unsendableTargets): a value refused inside an item of one of the
 * top-level arrays `lists` is written as `{ [UNSENDABLE]: nonce + n }` instead, the item and the
 * refusal's message kept as `refused[n]`, so that the core fails that item alone (see restoreTargets).
 */
export function toJson(value, what, { omit = [], top, maxBytes = Infinity, taker = "an options object", options = false, targets } = {}) {
  if (value === undefined || value === null) return "null";
  // Under a third of the cap, in UTF-16 units: under it in UTF-8 bytes too.
  const flat = omit.length === 0 && top === undefined ? flatJson(value, maxBytes / 3) : undefined;
  if (flat !== undefined) return flat;
  let size = 0;
  // Each object JSON goes into, and where: [its holder, its key]. A refused field is named by its path
  // (`user.custom_properties.seats`, `[2]` for an item, as the core names one), built only then, each
  // name without emails (the caller's client takes out its key).
  const parents = new Map();
  const nameOf = (holder, key) => {
    if (key === "") return what;
    let path = "";
    for (let node = holder, name = key, up; node !== undefined; [node, name] = up ?? []) {
      path = `${Array.isArray(node) ? `[${name}]` : `.${redactEmails(name)}`}${path}`;
      up = parents.get(node);
    }
    return what + path;
  };
  // Whether `holder`'s keys are option names: the value's, or those of a field of it that `options` names.
  const namesOptions = (holder) => {
    if (holder === value) return true;
    const [parent, key] = parents.get(holder) ?? [];
    return parent === value && Array.isArray(options) && options.includes(key);
  };
  const tooLarge = () => new Refused(`${what}: more than the ${maxBytes} bytes as JSON that ${taker} may take`);
  // Whether `holder` is inside a field whose keys are the caller's own (FREE_FORM).
  const freeForm = (holder) => {
    for (let up = parents.get(holder); up !== undefined; up = parents.get(up[0])) if (FREE_FORM.includes(up[1])) return true;
    return false;
  };
  // Whether `node` (whose holder and key are `up`) is one of `targets.lists`.
  const inTargets = (node, up) => Array.isArray(node) && up?.[0] === value && targets.lists.includes(up[1]);
  // The item of one of `targets.lists` that holder[key] is in, or is: `{ item, where }`; undefined elsewhere.
  const targetOf = (holder, key) => {
    for (let node = holder, name = key, up; node !== undefined; [node, name] = up ?? []) {
      up = parents.get(node);
      if (inTargets(node, up)) return { item: node[name], where: `${up[1]}[${name}]` };
    }
    return undefined;
  };
  try {
    // What holder[key] is written as once refused: a target's marker (see `targets`), else it throws.
    const refused = (holder, key, message) => {
      const target = targets && targetOf(holder, key);
      if (target === undefined) throw new Refused(message);
      targets.refused.push({ ...target, message });
      return { [UNSENDABLE]: `${targets.nonce}${targets.refused.length - 1}` };
    };
    const text = JSON.stringify(value, function (key, v) {
      if (targets && key !== "" && inTargets(this, parents.get(this))) targets.items++;
      if (this === value && key !== "") {
        if (omit.includes(key)) return undefined;
        if (top) v = top(key, v);
      }
      if (v === undefined && options && key !== "" && namesOptions(this)) return null;
      // What JSON read before any toJSON (a Date's), read once more, once; the checks look at what JSON
      // writes (`v`) where they can, so that a getter that answers otherwise on each read slips nothing by.
      const raw = this[key];
      const boxed = boxedKind(typeof v === "object" ? v : raw);
      // Options take plain values: a String object where a string is due is refused, as a number is.
      if (options && boxed && boxed !== "Date") return refused(this, key, `${nameOf(this, key)} must be a ${boxed.toLowerCase()}, not a ${boxed} object`);
      // And are read as given: not as what a wrapper's toJSON stands in with (a secret's "<redacted>").
      if (options && !boxed && (typeof raw === "function" || (typeof raw === "object" && raw !== null)) && typeof raw.toJSON === "function") return refused(this, key, `${nameOf(this, key)} must be a plain value, not an object JSON would write as its toJSON() says`);
      if (NAMING.includes(key) && boxed && !freeForm(this)) return refused(this, key, `${nameOf(this, key)} must be a ${key === "id" ? "number" : "string or a number"}, not a ${boxed} object`);
      if (v === null || typeof v === "string") {
        v = unixSeconds(raw, v);
        if (v === undefined) return refused(this, key, `${nameOf(this, key)} is an invalid Date`);
      } else if (typeof v === "object" && !Array.isArray(v) && (notJson(v) || (raw !== v && notJson(raw)) || WRITTEN_EMPTY.includes(tagOf(v)))) return refused(this, key, `${nameOf(this, key)} must be JSON (an object, an array or a plain value), not ${describeKind(raw)}: JSON would write it as an object of its indexes, or {}`);
      // JSON writes a Number object as its number: NaN and Infinity as null.
      const number = typeof v === "number" ? v : typeof v === "object" && boxed === "Number" ? Number(v) : 0;
      if (!Number.isFinite(number)) return refused(this, key, `${nameOf(this, key)} must be a finite number, not ${number}`);
      if (typeof v === "bigint") return refused(this, key, `${nameOf(this, key)} is a BigInt, which JSON cannot hold: convert it to the type the field needs`);
      if (typeof v === "function" || typeof v === "symbol") return refused(this, key, `${nameOf(this, key)} must be a JSON value, not a ${typeof v}`);
      if (key !== "" && typeof v === "object" && v !== null) parents.set(v, [this, key]);
      // Never more than the JSON it adds, as written (a Date as its seconds; a member left undefined is
      // not written, an item so is `null`): a member's key with its quotes and colon (an item's index
      // adds none), its value: a string with its quotes, a number as JSON writes it, an object's braces.
      const item = Array.isArray(this);
      const written = typeof v === "string" ? v.length + 2 : typeof v === "number" ? String(v).length : typeof v === "object" && v !== null ? 2 : 4;
      if (v !== undefined || item) size += (key === "" || item ? 0 : key.length + 3) + written;
      if (size > maxBytes) throw tooLarge();
      return v;
    });
    if (text === undefined) throw new Refused(`${what} is not a JSON value`);
    // Every target refused here: the call would do nothing, and says why as any refusal does.
    if (targets?.refused.length > 0 && new Set(targets.refused.map((r) => r.where)).size === targets.items) throw new Refused(targets.refused[0].message);
    // In UTF-8 bytes, as the core and the Rust crate count them (a text's length counts UTF-16 units).
    if (text.length > maxBytes || (text.length > maxBytes / 3 && new TextEncoder().encode(text).length > maxBytes)) throw tooLarge();
    return text;
  } catch (error) {
    if (error instanceof GistError) throw error;
    if (error instanceof Refused) throw invalidArgument(error.message);
    // JSON's own recursion ran out of stack: far past the depth the core takes.
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw invalidArgument(`${what} nests arrays and objects more than ${MAX_ARGUMENT_DEPTH} deep`);
    throw invalidArgument(`${what} cannot be read as JSON (a getter threw, or it is circular)`);
  }
}

// The key of the object that toJson writes for a target it refused.
const UNSENDABLE = "gist-wasm:unsendable";

/**
 * The `targets` option of toJson for the lists `lists`: its markers hold a nonce of the call's, so that
 * a caller's own data cannot pass for one.
 */
export const unsendableTargets = (lists) => ({ lists, refused: [], items: 0, nonce: `${Math.random().toString(36).slice(2)}:` });

// The `refused[n]` whose marker (toJson's) `json` holds, where it holds one; undefined for none.
function markerIn(json, { refused, nonce }) {
  if (typeof json !== "object" || json === null) return undefined;
  const marker = json[UNSENDABLE];
  if (typeof marker === "string" && marker.startsWith(nonce)) return refused[Number(marker.slice(nonce.length))];
  for (const field of Object.values(json)) {
    const found = markerIn(field, { refused, nonce });
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A `tagContacts` value whose `failed` holds targets toJson wrote as markers (`targets`, see
 * unsendableTargets): each such one is given back as the caller gave it, with the message that refused
 * it (`scrub`bed).
 */
export function restoreTargets(result, targets, scrub) {
  for (const failure of result?.failed ?? []) {
    const found = markerIn(failure.target, targets);
    if (found === undefined) continue;
    failure.target = found.item;
    failure.error.message = scrub(found.message);
  }
  return result;
}

// The JSON of an object literal whose fields all hold strings, finite numbers, booleans or null (such
// as `{ id: 1001 }`, most calls' argument), of at most `maxLength` UTF-16 units; undefined for any other
// value, or a longer one, which toJson's replacer reads, checks and cuts at the cap. Each field is read
// as JSON reads it (a Proxy's `get` says what it holds), but for a getter, which is left to the
// replacer: it runs it once, as JSON does.
function flatJson(value, maxLength) {
  try {
    if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype || typeof value.toJSON === "function") return undefined;
    let text = "";
    for (const key of Object.keys(value)) {
      const field = Object.getOwnPropertyDescriptor(value, key);
      if (field === undefined || !("value" in field)) return undefined; // a getter (or a setter alone)
      const v = value[key];
      if (!(typeof v === "string" || typeof v === "boolean" || v === null || (typeof v === "number" && Number.isFinite(v)))) return undefined;
      if (text.length + key.length + (typeof v === "string" ? v.length : 0) > maxLength) return undefined;
      text += `,${JSON.stringify(key)}:${JSON.stringify(v)}`;
    }
    return text.length <= maxLength ? `{${text.slice(1)}}` : undefined;
  } catch {
    return undefined; // a Proxy's trap or a getter threw: the replacer's reading says so
  }
}

/**
 * Whether `value` is a plain object: an object literal or `Object.create(null)`, of any realm. Not a class
 * instance, array, Map, Promise, Date, Error or other object that JSON writes as something else (or as
 * `{}`), nor one with `toJSON` or `then`; never throws (a Proxy whose traps throw is not plain).
 */
export function isPlainObject(value) {
  try {
    if (typeof value !== "object" || value === null) return false;
    const proto = Object.getPrototypeOf(value);
    return (proto === null || Object.getPrototypeOf(proto) === null) &&
      Object.prototype.toString.call(value) === "[object Object]" && !("toJSON" in value) && !("then" in value);
  } catch {
    return false;
  }
}

/** Throws `invalid_argument` unless `options` is undefined, null or a plain object (`isPlainObject`). */
export function checkOptionsObject(options, what) {
  if (options === undefined || options === null || isPlainObject(options)) return;
  throw invalidArgument(`${what} must be a plain object ({ ... }), not ${describeKind(options)}: it is not read, so that nothing is silently skipped`);
}

/** What kind of value a refused option is, for a message; never throws. */
export function describeKind(value) {
  try {
    if (typeof value !== "object" || value === null) return typeof value;
    if (typeof value.then === "function") return "a Promise (a missing `await`?)";
    const tag = tagOf(value);
    if (tag === "Object") return "an object with a prototype, toJSON or then";
    return `${/^[AEIOU]/.test(tag) ? "an" : "a"} ${tag}`;
  } catch {
    return "an object that cannot be read";
  }
}

/**
 * A call's options `{ signal?, timeoutMs?, maxRetries?, headers? }`, read once: the signal, and the JSON
 * text of the rest, which the core checks. A `Headers` object becomes a record; throwing getters are refused.
 */
export function readCallOptions(options) {
  if (options === undefined || options === null) return { signal: undefined, json: "null" };
  checkOptionsObject(options, "request options");
  let signal;
  let sending;
  try {
    signal = options.signal ?? undefined; // null counts as not given
    sending = options[SENDING];
    if (signal !== undefined && !isAbortSignal(signal)) throw new Refused("signal must be an AbortSignal");
  } catch (error) {
    throw invalidArgument(error instanceof Refused ? error.message : "request options cannot be read (a getter or Proxy trap threw)");
  }
  return { signal, sending, json: toJson(options, "request options", { omit: ["signal"], top: headersAsRecord, maxBytes: MAX_OPTIONS_BYTES, options: true }) };
}

/**
 * For `toJson`'s `top`: a `headers` field given as a `Headers` object becomes a record, which the core
 * checks; a name it gives twice (`set-cookie`) holds its values joined with `, `, as `Headers.get` joins
 * them. Past MAX_HEADERS entries it is refused, unread (an endless iterator included).
 */
export function headersAsRecord(key, value) {
  if (key !== "headers" || !isHeaders(value)) return value;
  const record = Object.create(null);
  let count = 0;
  for (const [name, text] of value) {
    if (++count > MAX_HEADERS) throw new Refused(`headers must be at most ${MAX_HEADERS} headers`);
    record[name] = Object.hasOwn(record, name) ? `${record[name]}, ${text}` : text;
  }
  return record;
}

/**
 * The package's own request option (gist-wasm/queues): a function awaited once, as the call's first
 * request that writes (not a GET) is about to go (its turn taken, and a waiting fetch's wait over: see
 * AWAITS_BEFORE_SENDING), which may refuse it by throwing a GistError: it is not sent.
 */
export const SENDING = Symbol("gist-wasm.sending");

// A Fetch API Headers object (or one that looks like it).
const isHeaders = (value) => typeof value === "object" && value !== null && typeof value.forEach === "function" &&
  typeof value.get === "function" && typeof value[Symbol.iterator] === "function";

// What a runtime error says, for a message (`named`: after its name, as `String(error)` writes it);
// never throws, whatever the error is.
export function describe(error, named = true) {
  try {
    const cause = error && error.cause;
    const detail = cause && (cause.code || cause.message);
    const message = error && error.message;
    const text = message ? (named ? `${error.name || "Error"}: ${message}` : String(message)) : String(error);
    return detail ? `${text} (${detail})` : text;
  } catch {
    return "an error that cannot be described";
  }
}

const LINE_BREAK = /[\r\n]/;

// A header's name in lower case, as HTTP compares names: ASCII letters only (a `K` sign is no `k`).
const lowerName = (name) => name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/**
 * Header lines "name\nvalue\n..." from a Headers object, a plain record or an array of [name, value]
 * pairs, names in lower case: every header, or only those `names` lists (in lower case).
 */
export function headerLines(headers, names) {
  const flat = [];
  let broken = false;
  const add = (value, name) => {
    const lower = lowerName(String(name));
    if (value === undefined || value === null || (names && !names.includes(lower))) return;
    const text = Array.isArray(value) ? value.join(", ") : String(value); // lines, as Node's headersDistinct gives them
    // A line break would end the line early, and what follows it would read as another header.
    broken ||= LINE_BREAK.test(lower) || LINE_BREAK.test(text);
    flat.push(lower, text);
  };
  if (headers === undefined || headers === null) return "";
  try {
    if (typeof headers !== "object") throw new TypeError("not an object");
    if (names && typeof Headers === "function" && headers instanceof Headers) {
      // A few lookups: iterating a Headers object sorts it first (undici's does, every time).
      for (const name of names) {
        const value = headers.get(name);
        if (value !== null) flat.push(name, value);
      }
    } else if (typeof headers.forEach === "function" && typeof headers.get === "function") {
      // Each Set-Cookie line comes on its own, where get() joins them with ", ": as one, so that what
      // is scrubbed is what a reader of the headers gets (a key split across two lines included).
      let cookies;
      headers.forEach((value, name) => {
        if (lowerName(String(name)) !== "set-cookie") add(value, name);
        else cookies = cookies === undefined ? String(value) : `${cookies}, ${value}`;
      });
      add(cookies, "set-cookie");
    } else if (Array.isArray(headers)) {
      for (const pair of headers) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("not a [name, value] pair");
        add(pair[1], pair[0]);
      }
    } else {
      for (const [name, value] of Object.entries(headers)) add(value, name);
    }
  } catch {
    throw invalidArgument("headers must be a Headers, a record of strings or an array of [name, value] pairs that can be read");
  }
  if (broken) throw invalidArgument("a header's name or value holds a line break, which HTTP headers cannot");
  try {
    return flat.join("\n");
  } catch {
    throw invalidArgument("the headers are longer than a string can hold");
  }
}

// A body stream's chunk as a Uint8Array (a stream of anything but bytes is a failed answer, or a request
// handleWebhook cannot read).
function asBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw invalidArgument("the body's stream gave something other than bytes");
}

/**
 * What ends whatever a request or a body read awaits now: `race(promise)` settles as `promise` does, or
 * rejects with the error given to `stop(error)`, also when `stop` came first. A race keeps nothing once it
 * settles, where `Promise.race` against one promise that stays pending kept every value raced against it
 * (each chunk of a body: 16 times the bytes read, where chunks are small views of large buffers).
 */
export function stopper() {
  let stoppedBy;
  let cut = () => {};
  return {
    stop(error) {
      stoppedBy ??= error;
      cut(stoppedBy);
    },
    race(promise) {
      const raced = Promise.resolve(promise);
      if (stoppedBy !== undefined) {
        raced.catch(() => {}); // settles unheeded: its rejection is no one's
        return Promise.reject(stoppedBy);
      }
      return new Promise((resolve, reject) => {
        cut = reject;
        raced.then(resolve, reject);
      });
    },
  };
}

// The body of an answer, reading at most maxBytes (inflated) bytes: null past that; each read raced by
// `race` (a stopper's). A streamed body comes as its bytes (the core decodes them as TextDecoder would),
// else as text.
// Resolves in a later task of the event loop, once timers due by then have run: through
// `scheduler.wait(0)` where the runtime has it (workerd, whose messages come before its due timers,
// with or without its `navigator`), which fake timers leave real; else through a message where the
// runtime has MessageChannel, which a test's fake timers leave real too (a faked setTimeout that is never
// ticked would hold the read for ever); else through setTimeout. Decided at the first use: reading
// MessageChannel makes Node load its worker_threads and streams (a cold start's 2 ms).
let byTimer;
function nextTask() {
  byTimer ??= typeof globalThis.scheduler?.wait === "function" || typeof MessageChannel !== "function";
  if (byTimer) return typeof globalThis.scheduler?.wait === "function" ? globalThis.scheduler.wait(0) : new Promise((resolve) => setTimeout(resolve));
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(undefined);
  });
}

const YIELD_BYTES = 1024 * 1024;

export async function readBody(response, maxBytes, race) {
  if (Number(response.headers.get("content-length")) > maxBytes) return null;
  if (!response.body || typeof response.body.getReader !== "function") {
    const text = await race(response.text());
    if (typeof text !== "string") throw new TypeError(`the fetch's answer has no body stream, and its text() resolved ${text === null ? "null" : `a value of type ${typeof text}`}, not a string`);
    return text.length > maxBytes ? null : text;
  }
  const reader = response.body.getReader();
  let first; // the first chunk, kept as it came while it is the only one
  let bytes; // from the second chunk: every chunk copied in, at most twice the size read (see grown)
  let size = 0;
  let unyielded = 0; // bytes read since the last turn given
  for (let reads = 1; ; reads++) {
    // A reader that hands out chunks at once (empty ones for ever, a byte at a time, or workerd's from a
    // server faster than the isolate) would starve the deadline's timer and the caller's abort: they get
    // their turn every 1,024 reads and every MiB.
    if (reads % 1024 === 0 || unyielded >= YIELD_BYTES) {
      unyielded = 0;
      await race(nextTask());
    }
    const { done, value } = await race(reader.read());
    if (done) break;
    const chunk = asBytes(value);
    if (chunk.byteLength === 0) continue;
    unyielded += chunk.byteLength;
    if (size + chunk.byteLength > maxBytes) {
      reader.cancel().catch(() => {});
      return null;
    }
    // A body of more than one chunk is copied into one buffer as it comes, its chunks not kept: a small
    // view keeps its whole buffer (workerd hands out a byte at a time in views of 4 KiB buffers, Deno
    // in views of 64 KiB ones), and so many chunks cost their own objects besides.
    if (size === 0) first = chunk;
    else {
      bytes = grown(bytes ?? first, size + chunk.byteLength, maxBytes);
      bytes.set(chunk, size);
    }
    size += chunk.byteLength;
  }
  if (bytes === undefined) return first === undefined ? new Uint8Array(0) : ownBytes(first);
  return bytes.subarray(0, size);
}

// `bytes`, or a copy of them with room for `needed` bytes: twice as much room, at most `maxBytes` (not
// the body's declared length: a sender that declares much and sends little would have it held).
function grown(bytes, needed, maxBytes) {
  if (needed <= bytes.byteLength) return bytes;
  const more = new Uint8Array(Math.min(maxBytes, Math.max(needed, 2 * bytes.byteLength, 64 * 1024)));
  more.set(bytes);
  return more;
}

// A body's one chunk as it came, or a copy where it is a small view that would keep a larger buffer, or
// a view of a shared or resizable buffer (TextDecoder and Web Crypto take neither).
function ownBytes(chunk) {
  const { buffer } = chunk;
  const plain = buffer instanceof ArrayBuffer && buffer.resizable !== true;
  return plain && buffer.byteLength <= 2 * chunk.byteLength + 4096 ? chunk : chunk.slice();
}

// The size of an answer's body (text or bytes, see readBody) in bytes.
const sizeOf = (body) => (typeof body === "string" ? new TextEncoder().encode(body).length : body.byteLength);
// An answer's body (text or bytes, see readBody) as text.
const bodyText = (body) => (typeof body === "string" ? body : new TextDecoder().decode(body));

// The core's next step after an answer (at `now`, the call's clock): its body's bytes go in as they are, unless the core asks for
// them decoded (not UTF-8, or a byte order mark: TextDecoder's rules then apply). A raw call's body
// (`reading.raw`) is the runtime's to read (see withBody), and an error body past what the core reads of
// one (MAX_ERROR_BODY) is not handed to it: the core only counts their bytes. A 2xx page of a
// list (`reading.list`) is read here instead, and the core given what its paging loop reads of it
// (normalize.js, readPage); `reading.items` keeps the page's items for the step that hands them out.
function respond(id, got, now, reading) {
  if (got.unread !== undefined) return callRespondRead(id, got.status, got.headers, "", got.unread, now, Math.random());
  const failed = got.status < 200 || got.status >= 300;
  if (reading?.raw || (failed && sizeOf(got.body) > MAX_ERROR_BODY)) return callRespondRead(id, got.status, got.headers, "", sizeOf(got.body), now, Math.random());
  if (reading && !failed) {
    const page = readPage(bodyText(got.body), reading.list);
    reading.items = page?.items;
    if (page) return callRespondRead(id, got.status, got.headers, page.digest, sizeOf(got.body), now, Math.random());
  }
  if (typeof got.body !== "string") {
    const step = callRespondBytes(id, got.status, got.headers, got.body, now, Math.random());
    if (step !== undefined) return step;
  }
  return callRespond(id, got.status, got.headers, bodyText(got.body), now, Math.random());
}

/**
 * A step of the core from its text (src/wasm/step.rs): JSON, but a `send` step, which comes as lines
 * (read as `{ send: { method, url, path, headers, body, timeoutMs, maxBytes, raw }, answered?,
 * items? }`), what it also tells last, as JSON that may span lines.
 */
export function stepOf(text) {
  if (text.charCodeAt(0) === 123) return JSON.parse(text); // "{"
  const lines = text.split("\n");
  const headers = {};
  let at = 7;
  for (const end = at + 2 * lines[6]; at < end; at += 2) {
    const name = lines[at];
    const value = lines[at + 1];
    // An own property whatever the name, as JSON.parse makes: `__proto__` too.
    if (name === "__proto__") Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    else headers[name] = value;
  }
  const told = lines.slice(at + 1).join("\n");
  const step = told ? JSON.parse(told) : {};
  const body = JSON.parse(lines[at]);
  step.send = {
    method: lines[0], url: lines[1], path: lines[2], headers, body, timeoutMs: Number(lines[3]), maxBytes: Number(lines[4]),
    raw: lines[5] === "1",
  };
  return step;
}

// A raw call's `{ status, headers }` with the answer's body: parsed when it is JSON, else its text.
function withBody(answer, body) {
  const text = bodyText(body);
  try {
    answer.body = JSON.parse(text);
  } catch {
    answer.body = text;
  }
  return answer;
}

// Items the core hands out: its own (an array), or `{ held: [from, to] }`, that range of the items of the
// page the runtime read and holds (`reading.items`).
function itemsOf(given, reading) {
  return Array.isArray(given) ? given : reading.items.slice(given.held[0], given.held[1]);
}

// A list call's value with the page's items: a `list*` call's items, or an `iter*` page's `{ items, ... }`.
function valueOf(done, reading) {
  if (done?.items === undefined) return itemsOf(done, reading);
  done.items = itemsOf(done.items, reading);
  return done;
}

// One request of a `send` step; redirects are not followed (a browser's opaque redirect comes back as
// status 0, as does the answer of one a caller's fetch followed). Resolves { kind: "ok", status, headers: "name\nvalue\n...", body, answerHeaders } (`headers`:
// those the core reads, or every one for a raw call's step (`raw`); `answerHeaders`: the response's
// own; `unread`, for one past what the call had left to read: the bytes to count, its body unread) or
// { kind: "timeout" | "aborted" | "unreached" | "network", message, held, failure?, status? } (`held`: the
// request never left, see HELD; `unreached`: no connection was made, see unreached; `failure`: what the
// fetch threw, see failureOf; `status`: one aborted while its body came); never rejects, never
// outlives timeoutMs.
async function fetchOnce(fetchFn, send, signal) {
  if (isAborted(signal)) return { kind: "aborted", held: true };
  // Its deadline came before its turn ended (no timer armed: a negative delay warns in Node 24 and Bun).
  if (!(send.timeoutMs > 0)) return { kind: "timeout", held: true };
  const controller = new AbortController();
  let timedOut = false;
  const ends = stopper();
  const timer = setTimeout(() => { timedOut = true; controller.abort(); ends.stop(new Error("deadline")); }, send.timeoutMs);
  let stopWaiting;
  let init;
  let connection;
  let status; // once the answer's status came
  try {
    if (signal) stopWaiting = whenAborted(signal, () => { controller.abort(); ends.stop(new Error("aborted")); });
    init = { method: send.method, headers: send.headers, signal: controller.signal, redirect: "manual", [DEADLINE]: Date.now() + send.timeoutMs };
    if (send.body !== null) init.body = send.body;
    if (send.beforeSending) init[BEFORE_SENDING] = send.beforeSending;
    connection = connectionOfItsOwn(init, send.method);
    const response = await ends.race(fetchFn ? fetchFn(send.url, init) : fetch(send.url, init));
    // A network error's answer (Response.error(), a caller's fetch may give one) is a failed request.
    if (response.type === "error") throw new TypeError("the fetch answered a network error (a Response of type \"error\")");
    // A redirect: a browser's opaque one, or one a caller's fetch followed (dropping `redirect: "manual"`).
    status = response.type === "opaqueredirect" || response.redirected === true ? 0 : response.status;
    // A caller's fetch may answer anything: a status that is no whole number fails, named by its type or
    // number (a text may hold the key or an email, and no scrubber has run yet). One past 599 is
    // `invalid_response`, as the core reads it; past 16 bits (no Response holds one) as 65,535, not wrapped.
    if (!Number.isInteger(status) || status < 0) throw new TypeError(`the fetch answered a status that is not an HTTP status: ${typeof status === "number" ? status : `a ${typeof status}`}`);
    status = Math.min(status, 65_535);
    const answer = (body) => ({ kind: "ok", status, headers: headerLines(response.headers, send.raw ? undefined : ANSWER_HEADERS), body, answerHeaders: response.headers });
    let body;
    try {
      body = await readBody(response, send.maxBytes, ends.race);
    } catch (error) {
      // A refusal (a 4xx, 429 included, or a 503) whose body was cut or stalled is still the server's
      // word that it did not act: the core reads it without its body, but for a raw call, whose value
      // would be that body.
      if (!send.raw && refusedAnswer(status) && !isAborted(signal)) return answer("");
      throw error;
    }
    if (body === null) {
      controller.abort();
      // The core reads it without its body, counting more than the call had left: an answer that is
      // not a 2xx says what it says by its status (a redirect, a 401, a 5xx), and is not retried (a
      // retry could read none of its answer); a 2xx, or a raw call's answer (whose value is its body),
      // fails with its status and request id.
      return { ...answer(""), unread: send.maxBytes + 1 };
    }
    return answer(body);
  } catch (error) {
    const held = init?.[HELD] === true;
    // Timed out, aborted or cut while a refusal's body came: its status still says Gist did not act (refusedUnheard).
    if (timedOut || error === PAST_DUE) return { kind: "timeout", held, status };
    if (isAborted(signal)) return { kind: "aborted", held, status };
    const waitSeconds = held ? notPermitted(error) : undefined;
    if (waitSeconds !== undefined) return { kind: "rate_limited", message: String(waitSeconds), held };
    return { kind: ownFetch(fetchFn) && (unreached(error) || !parses(send.url)) ? "unreached" : "network", message: describe(error), held, failure: failureOf(error), status };
  } finally {
    clearTimeout(timer);
    stopWaiting?.();
    connection?.close();
  }
}

// Runs a call's SENDING (`marking`) before its request, waiting for it until `sendBy` (performance.now())
// or the signal's abort: undefined once it is done, else the request's outcome, unsent (a timeout, as a
// mark that ran over its time is once it is done, or an abort).
async function markedBy(marking, sendBy, signal) {
  if (isAborted(signal)) return { kind: "aborted", held: true };
  const ends = stopper();
  const timer = setTimeout(() => ends.stop(PAST_DUE), Math.max(0, sendBy - performance.now()));
  const stopWaiting = signal && whenAborted(signal, () => ends.stop(ABORTED_MARK));
  try {
    await ends.race(marking());
    return undefined;
  } catch (error) {
    if (error === PAST_DUE || error === ABORTED_MARK) return { kind: error === PAST_DUE ? "timeout" : "aborted", held: true };
    throw error;
  } finally {
    clearTimeout(timer);
    stopWaiting?.();
  }
}

// What markedBy's race ends with at an abort.
const ABORTED_MARK = new Error("aborted while its mark was written");

// Deno's fetch resends a request whose pooled connection failed, a POST the server read in full too, and
// Bun's a PUT or a DELETE (Node's does not): there `init`, a write's, is given a connection of its own: in
// Bun by `keepalive: false`, in Deno by a client that pools none, returned to be closed once the request
// is over (undefined elsewhere). A caller's fetch is given the same (most hand `init` on to the runtime's;
// others ignore both). A read may still be sent again by them: a GET is safe to repeat, and pooling it
// saves a connection a call.
function connectionOfItsOwn(init, method) {
  if (method === "GET") return undefined;
  if (globalThis.Bun) init.keepalive = false;
  if (typeof globalThis.Deno?.createHttpClient !== "function") return undefined;
  try {
    init.client = globalThis.Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    return init.client;
  } catch {
    return undefined;
  }
}

// The codes with which Node's fetch (undici, on the error's `cause`) and Bun's (on the error) fail when
// they made no connection, so sent nothing: refused, a host name that does not resolve (for now, or at
// all), undici's connect timeout (TCP or TLS). Not ECONNRESET, which can come after the request was
// written; a browser's fetch tells none of them.
const UNREACHED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

// Deno's fetch says so in its cause's message: its HTTP client failed while connecting (refused, a name
// that does not resolve, the TLS handshake), before any of the request was written.
const DENO_UNREACHED = /\bclient error \(Connect\)/;
// Deno refuses a fetch to a host its permissions do not allow (`--allow-net=api.getgist.com` and another
// baseUrl) before making any connection: `Deno.errors.NotCapable` (Deno 2; `PermissionDenied` before).
const DENO_NOT_ALLOWED = new Set(["NotCapable", "PermissionDenied"]);

// The runtime's own fetch, as it was when the package was imported: a wrapper set as globalThis.fetch
// later (one that retries, say) is a caller's fetch like another.
const RUNTIME_FETCH = globalThis.fetch;

// Whether a request goes through the runtime's own fetch (no caller's `fetchFn`, no wrapper set since).
const ownFetch = (fetchFn) => (fetchFn ?? globalThis.fetch) === RUNTIME_FETCH;

// Whether what a fetch threw says for sure that no connection was made (the core then retries the
// request whatever its method, and it did not act). Read of the runtime's own fetch only: a caller's
// fetch may have retried a request the server got, and then thrown what its last attempt met.
function unreached(error) {
  try {
    const cause = error?.cause;
    const denied = globalThis.Deno !== undefined && DENO_NOT_ALLOWED.has(error?.name);
    return denied || UNREACHED.has(cause?.code ?? error?.code) || DENO_UNREACHED.test(String(cause?.message ?? ""));
  } catch {
    return false; // a getter that throws: not known
  }
}

// Whether the runtime's URL parser reads `url`: where it does not (a host such as `xn--a`, no IDNA name,
// that the core's rule lets by), the runtime's own fetch failed parsing it, as the Fetch standard has it
// do before any connection, so sent nothing.
function parses(url) {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

// What a network error's `cause` keeps of what a fetch threw: its name, its code (undici's `ECONNREFUSED`,
// on its own `cause`; Bun's `ConnectionRefused`) and its description; never the error itself, which may
// hold the request and so the key (a wrapper's `options.headers`).
function failureOf(error) {
  let name = "Error";
  let code;
  try {
    const given = error?.name; // read once: a getter may give another value each time
    if (typeof given === "string") name = given;
  } catch {
    // a getter that throws: the name stays "Error"
  }
  try {
    const given = error?.code ?? error?.cause?.code;
    if (typeof given === "string" || typeof given === "number") code = String(given);
  } catch {
    // a getter that throws: what was read is kept
  }
  return { name, code, text: describe(error, false) }; // the cause's own name goes before it
}

/** A network_error's `cause`: an Error of `failure`'s name, code and text, scrubbed of the key and of emails. */
function causeOf(failure, withoutKey) {
  const scrub = (text) => redactEmails(withoutKey(text));
  const cause = new Error(scrub(failure.text));
  cause.name = scrub(failure.name);
  if (failure.code !== undefined) cause.code = scrub(failure.code);
  return cause;
}

/**
 * Whether a request that writes is known not to have been acted on: never sent (its `fetch`, such as
 * `pacedFetch`, still held it when the call gave up, or made no connection), or answered with a refusal
 * (a 4xx, 429 included, or a 503). Anything else (no answer, a timeout, another 5xx, a 2xx) may have
 * changed something.
 */
const refusedUnheard = (got) => got.held === true || got.kind === "unreached" || (got.status !== undefined && refusedAnswer(got.status));

/** Whether an answer's status says Gist refused the request and did not act: a 4xx (429 included) or a 503 (in Rust: `http::refused_unheard`). */
export const refusedAnswer = (status) => (status >= 400 && status < 500) || status === 503;

/**
 * Set to true on a request's `init` by a `fetch` that waits before sending (pacedFetch), until it hands
 * the request on: a request that fails while it is true never left.
 */
export const HELD = Symbol.for("gist-wasm.held");

/** On a request's `init`: when its call's deadline comes (ms since the epoch), for a `fetch` that waits. */
export const DEADLINE = Symbol.for("gist-wasm.deadline");

/**
 * Set to true on a `fetch` that waits before sending (pacedFetch) and awaits `init[BEFORE_SENDING]`, where
 * given, once its wait is over and the request is about to leave: a call's SENDING runs then, not before
 * the wait. Another `fetch` gets no BEFORE_SENDING: the call awaits its SENDING before calling it.
 */
export const AWAITS_BEFORE_SENDING = Symbol.for("gist-wasm.awaits-before-sending");

/** On a request's `init`, for a `fetch` marked AWAITS_BEFORE_SENDING (see there). */
export const BEFORE_SENDING = Symbol.for("gist-wasm.before-sending");

// What a request's BEFORE_SENDING throws when its mark or hooks ran past its call's deadline: its fetch then
// fails unsent, a timeout, as one whose turn came too late does.
export const PAST_DUE = new Error("the request's wait ran past the time it may wait before it goes");

/**
 * On what a waiting `fetch` (pacedFetch) throws when no permit comes before the deadline: the seconds
 * until one would. The call then fails `rate_limited`, not sent.
 */
export const NOT_PERMITTED = Symbol.for("gist-wasm.not-permitted");

// The seconds a held request's fetch said no permit comes in (NOT_PERMITTED), else undefined.
function notPermitted(error) {
  try {
    const seconds = error?.[NOT_PERMITTED];
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `withResponse()` gives of a call that `drive` ran: `{ data, response }`, the response with the
 * last answer's headers as a `Headers`, read from it now and passed through `scrub` (which takes the
 * client's key and emails out of their text). A header `Headers` refuses is left out: a name that held
 * either (`x-echo-[redacted]` is no header name), or what a `fetch` of the caller's gave.
 */
export function readResponse({ data, response, answerHeaders }, scrub) {
  if (!response) return { data, response };
  const lines = scrub(headerLines(answerHeaders)).split("\n");
  const headers = new Headers();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    try {
      headers.append(lines[i], lines[i + 1]);
    } catch {
      // Not a header Headers can hold: left out.
    }
  }
  return { data, response: { status: response.status, headers, ...response } };
}

/**
 * A call's clock, in ms since the epoch, from `started`: moved on as the monotonic clock moves
 * (`performance.now()`, which goes on while a test freezes `Date.now`), and on to the wall clock where
 * that is later (set forward, or moved by a test's fake timers), but never back with it: a step back of
 * the wall clock (NTP) is made up by the monotonic clock, and by a step forward after it.
 */
export function callClock() {
  const started = wallNow();
  let read = started;
  let setBack = 0;
  let lastWall = started;
  let lastMono = performance.now();
  const clock = () => {
    const wall = wallNow();
    const mono = performance.now();
    const passed = Math.max(0, mono - lastMono);
    // Set back: that much is made up. Set forward past the time that passed: what was set back is given up.
    if (wall < lastWall) setBack += lastWall - wall;
    else setBack -= Math.min(setBack, Math.max(0, wall - lastWall - passed));
    read = Math.max(read + passed, wall + setBack);
    lastWall = wall;
    lastMono = mono;
    return read;
  };
  clock.started = started;
  return clock;
}

// The ids of the calls the core runs (see `startCall`): an ended call's is given again, so ids stay small.
const freeCallIds = [];
let nextCallId = 0;

/**
 * Starts `method` (its arguments' JSON, `argsText`, and its request options', `json`) on `core` at the
 * start of its `clock` (callClock), from which its deadline counts: `{ id, first }`, the call's id and
 * its first step's text, for `drive`. Throws what the core refuses.
 */
export function startCall(core, method, argsText, json, clock) {
  const id = freeCallIds.pop() ?? nextCallId++;
  try {
    return { id, first: core.start(id, method, argsText, json, clock.started, Math.random()) };
  } catch (error) {
    freeCallIds.push(id);
    throw error;
  }
}

/**
 * Runs a call of the core (startCall's `{ id, first }`) to its end: performs each step it asks for,
 * each request when the client's `pace` (pace.js) lets it go, telling `observe` (observe.js) about it;
 * resolves `{ data, response, answerHeaders }`, its value, what the last answer said (but its headers)
 * and that answer's headers as the `fetch` gave them (see readResponse). A `list*` call hands out each
 * page's items with the step after it (`items`), so that the wasm holds one page at a time: its data is
 * those, then its value's. For a list's pages (`list`: its name), the runtime reads each page itself
 * (see respond). The call's deadline and the response's `elapsedMs` count from the start of its `clock`
 * (callClock), which each step reads. `admittedFirst`, where given, is what the pacer's `admit` said of
 * the first request before the call started (client.js, #runWhenAdmitted); `sending`, a call's SENDING
 * option.
 */
export async function drive({ id, first }, fetchFn, signal, observe, pace, list, clock, admittedFirst, sending) {
  let mayHaveActed = false;
  try {
    let step = stepOf(first);
    // When a request's wait (its turn, a mark, the hooks) began and the time it had then, for `sendBy`.
    let waitFrom;
    // Its first request's budget counts from the call's start, as its deadline does: less the pacer's
    // wait where it waited (its clock is not set back with the wall clock), else the moment since.
    if (step.send) {
      const waited = admittedFirst?.waitedMs ?? clock() - clock.started;
      waitFrom = { at: performance.now() - waited, left: step.send.timeoutMs };
      step.send.timeoutMs -= waited;
    }
    let attempt = 1;
    let last;
    let answerHeaders;
    let failure; // what the last request's fetch threw, if it threw
    let rawBody; // a raw call's answer body, which the runtime reads for its value (see withBody)
    let held = 0; // requests the pacer or a pacing fetch held: the core counted them, none was sent
    let markFailed; // what SENDING threw, run by a fetch that waits (see AWAITS_BEFORE_SENDING)
    let stepAt; // when the core gave the step after an answer (see `due`)
    let callDue; // the call's deadline, on performance.now()'s clock: the last request's `due`
    const items = [];
    const reading = list === undefined ? undefined : { list, items: undefined };
    for (;;) {
      if (step.items) for (const item of itemsOf(step.items, reading)) items.push(item); // not push(...): a long page overflows the stack
      if (step.send) {
        // This request's deadline, whatever comes before it goes: from when the core gave the step (the
        // response hooks and log lines of the answer before it ran since).
        const now = performance.now();
        const due = (stepAt ?? now) + step.send.timeoutMs;
        callDue = due;
        // A write goes only with what a wait before it leaves a request (waitBudget: half its time, up to
        // 5 s), where it would time out in flight and may have acted; a read, until its deadline.
        waitFrom ??= { at: stepAt ?? now, left: step.send.timeoutMs };
        const sendBy = step.send.method === "GET" ? due : waitFrom.at + waitBudget(waitFrom.left);
        waitFrom = undefined;
        if (stepAt !== undefined) step.send.timeoutMs = due - now;
        stepAt = undefined;
        // A turn taken before the call started: its wait already counts in this request's budget.
        if (admittedFirst) admittedFirst.waitedMs = 0;
        const admitted = admittedFirst ?? pace.admitNow(step.send.timeoutMs, signal, now) ?? await pace.admit(step.send.timeoutMs, signal, true);
        admittedFirst = undefined;
        if (admitted.refused) {
          held++;
          step = stepOf(callFail(id, admitted.refused === "timeout" ? "held" : admitted.refused, String(admitted.retryAfter ?? ""), clock(), Math.random()));
          continue;
        }
        let sent;
        let got;
        try {
          const send = step.send;
          send.timeoutMs -= admitted.waitedMs;
          const waits = fetchFn?.[AWAITS_BEFORE_SENDING] === true;
          let marking;
          if (sending && send.method !== "GET") {
            marking = sending;
            sending = undefined;
            // A GistError it throws ends the call, unsent; a fetch that waits runs it once its wait is over.
            if (!waits) got = await markedBy(marking, sendBy, signal);
          }
          // The hooks are told of the request as it goes: where the fetch waits (pacedFetch), once its
          // wait is over, so that one it held and never sent is told to none.
          const told = attempt;
          const tell = () => {
            last = observe.request(send, told, (text) => callWithoutKey(id, text));
            sent = clock();
          };
          last = undefined;
          attempt = 1;
          // What is left of the request's time: turns, a mark and the hooks take theirs; none once it is
          // past `sendBy`.
          const left = () => (send.timeoutMs = performance.now() < sendBy ? Math.min(send.timeoutMs, due - performance.now()) : 0);
          // One past its `sendBy` (a turn that came late, a mark that ran over) is not sent, and told to none.
          if (!waits) {
            if (!got && left() > 0) tell();
          } else send.beforeSending = async () => {
            await marking?.().catch((error) => {
              markFailed = error;
              throw error;
            });
            if (sendBy <= performance.now()) throw PAST_DUE;
            tell();
            if (sendBy <= performance.now()) throw PAST_DUE; // the hook ran past it: not sent
          };
          left();
          got ??= await fetchOnce(fetchFn, send, signal);
          if (markFailed) throw markFailed;
        } finally {
          admitted.release();
        }
        if (got.held) held++; // a pacing fetch held it: never sent
        if (step.send.method !== "GET" && !refusedUnheard(got)) mayHaveActed = true;
        if (got.kind === "ok") answerHeaders = got.answerHeaders;
        failure = got.failure;
        // A raw call's answer goes to the core without its body, which it would only hand back: read here
        // once, however large or however escaped as JSON.
        const raw = got.kind === "ok" && step.send.raw;
        if (raw) rawBody = got.body;
        // A timeout while a pacing fetch held the request (or before its turn) is the core's `held`: not sent.
        const kind = got.kind === "timeout" && got.held ? "held" : got.kind;
        const answeredAt = clock();
        const wrote = step.send.method !== "GET";
        step = stepOf(got.kind === "ok" ? respond(id, got, answeredAt, raw ? { raw } : reading) : callFail(id, kind, got.message ?? "", answeredAt, Math.random()));
        const steppedAt = performance.now();
        if (step.send) stepAt = steppedAt;
        // A write's retry: the core let it wait so long with what the call had left now, and the hooks'
        // time counts in that wait as its sleep's does (see sendBy).
        if (wrote && step.retry) waitFrom = { at: steppedAt, left: callDue - steppedAt };
        const answered = step.answered ?? step.response; // a done step's response says what it answered
        // On the call's clock, as the core read it; in whole ms, as a test's fake timers tick.
        if (answered?.pauseUntil) pace.pauseFor(Math.floor(answered.pauseUntil - clock()));
        // A browser's redirect comes as status 0, which the core reads as a redirect: no status for the hooks.
        if (last) observe.response(last, answered?.status || null, answered?.requestId ?? null, Math.round(answeredAt - sent), () => got.body && callWithoutKey(id, bodyText(got.body)));
      } else if (step.wait !== undefined) {
        if (step.retry && last) {
          attempt = step.retry.attempt;
          observe.retry(last, step.retry, step.wait);
        }
        step = stepOf(callWoke(id, !(await sleep(step.wait, signal)), clock(), Math.random()));
      } else if (step.error) {
        const error = fromCore(step.error);
        if (error.code === "aborted") abortedBy(signal, error);
        if (error.code === "network_error" && failure) error.cause = causeOf(failure, (text) => callWithoutKey(id, text));
        error.mayHaveActed = mayHaveActed;
        throw error;
      } else {
        const done = reading ? valueOf(step.done, reading) : rawBody === undefined ? step.done : withBody(step.done, rawBody);
        if (items.length > 0) for (const item of done) items.push(item);
        const response = step.response;
        if (response) {
          response.elapsedMs = Math.round(clock() - clock.started);
          response.requests -= held;
        }
        // The core's null is a call with no value (a delete*): `undefined`, as its `Promise<void>` says.
        return { data: items.length > 0 ? items : done ?? undefined, response, answerHeaders };
      }
    }
  } catch (error) {
    if (error instanceof GistError) throw error;
    // The wasm trapped: out of memory, all but surely, holding an answer (a panic is a bug the core has
    // none of). The call says so as any other failure does.
    const failed = new GistError("invalid_response", `gist-wasm's WebAssembly core failed (${describe(error)}), out of memory most likely: an answer too large for it to hold; a smaller maxResponseBytes refuses such answers before they are read`);
    failed.mayHaveActed = mayHaveActed;
    throw failed;
  } finally {
    admittedFirst?.release?.(); // a turn no request took
    try {
      callEnd(id);
    } catch {
      // A call whose wasm trapped (its memory exhausted) cannot be freed: it has said so (above).
    }
    freeCallIds.push(id);
  }
}
