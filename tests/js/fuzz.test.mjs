// Seeded fuzz of the built package's whole public API, imported by name, against the in-memory mock.
//
// Every exported function and GistClient method, every argument slot (the trailing RequestOptions too),
// gets each value of a catalogue of bad JS values (and near-valid objects with one bad field, or with a
// throwing getter on one key), the other arguments valid. Then a seeded random phase mixes them.
// Checked, per call: a Promise-returning function never throws synchronously; every promise settles
// within a bound, and only ever rejects with a GistError of a documented code; synchronous functions
// return or throw such a GistError; where the contract is explicit (ids, per-call options, webhook
// options, ...) the exact outcome; `invalid_argument` never after a request was sent; no error field
// carries the API key or an email address. Over the whole run: no uncaught exception or unhandled
// rejection, the client still works, and the wasm memory does not grow (it never shrinks, so growth
// after a warm-up pass of the same catalogue is a leak).
//
// All failures of a pass are collected, then reported once, grouped by function and slot, and written to
// target/fuzz-failures.txt. Reproduce the random phase with GIST_FUZZ_SEED=<seed> (printed);
// GIST_FUZZ_ITERATIONS changes its length.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import init, { GistClient, GistError, parseWebhook, verifyWebhook, handleWebhook, normalizeEventName } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { mulberry32 } from "./seeded.mjs";

const SEED = process.env.GIST_FUZZ_SEED !== undefined ? Number(process.env.GIST_FUZZ_SEED) >>> 0 : 0x9e3779b9;
const ITERATIONS = Number(process.env.GIST_FUZZ_ITERATIONS ?? 3000);
const SETTLE_MS = 4000; // a promise that has not settled by then is a hang
const FAST_MS = 250; // a case slower than this is left to settle while the next ones run
const MEMORY_GROWTH_LIMIT = 4 * 1024 * 1024;
const RESET_EVERY = 150; // calls between two mock resets
const API_KEY = "mock-key-fuzz-3f9a71c2"; // distinctive, so that a leak of it in an error can be seen
const BASE_URL = "http://mock.invalid";
const SECRET = "s3cret-fuzz";
const REPORT = new URL("../../target/fuzz-failures.txt", import.meta.url);

const CODES = new Set(["unauthorized", "forbidden", "not_found", "invalid_request", "rate_limited", "server_error",
  "network_error", "timeout", "aborted", "invalid_argument", "invalid_response", "invalid_webhook"]);

// ---------------------------------------------------------------------------------------------------------
// Process-wide watchers: anything uncaught during the run is a failure.
const uncaught = [];
const onUncaught = (error) => uncaught.push(`uncaught exception: ${describe(error)}`);
const onUnhandled = (reason) => uncaught.push(`unhandled rejection: ${describe(reason)}`);
// Process warnings too (a TimeoutOverflowWarning means a delay over 2**31-1 ms reached setTimeout, which
// then fires after 1 ms; a MaxListenersExceededWarning, listeners left on a signal): recorded, not printed.
const warnings = [];
const nodeWarningListeners = process.listeners("warning");
const onWarning = (warning) => { if (warning.name !== "ExperimentalWarning") warnings.push(`${warning.name}: ${warning.message}`); };
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUnhandled);
process.removeAllListeners("warning");
process.on("warning", onWarning);
after(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUnhandled);
  process.off("warning", onWarning);
  for (const listener of nodeWarningListeners) process.on("warning", listener);
});

// ---------------------------------------------------------------------------------------------------------
// The mock and the client under test.
const mock = createMockGist({ apiKey: API_KEY });
const seeded = mock.state.contacts;
const USER = seeded.find((c) => c.type === "user");
const LEAD = seeded.find((c) => c.type === "lead");
const clientOptions = () => ({ apiKey: API_KEY, baseUrl: BASE_URL, fetch: mock.fetch, timeoutMs: 2000, maxRetries: 0 });
const client = new GistClient(clientOptions());

// ---------------------------------------------------------------------------------------------------------
// The catalogue of bad values. `make()` gives the value (a fresh one where it matters: Requests, signals);
// `hostile`: anything that reads it as an argument must refuse it (invalid_argument): BigInt, Symbol,
// functions, cycles, throwing getters / Proxies / toJSON; `throwing`: reading its properties throws.
const BOOM = () => new Error("fuzz: getter threw");
const once = (f) => { let v; let done = false; return () => (done ? v : ((done = true), (v = f()))); };

const MEGA = "a".repeat(1 << 20); // 1 MiB, created once
const deepObject = once(() => { let d = { leaf: 1 }; for (let i = 0; i < 10_000; i++) d = { a: d }; return d; });
const deepArray = once(() => { let d = [1]; for (let i = 0; i < 10_000; i++) d = [d]; return d; });
const deepJson = (n) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
const DEEP_JSON_1000 = deepJson(1000);
const DEEP_JSON_10000 = deepJson(10_000);

function throwingGetter(key, thrown = BOOM) {
  const o = { a: 1 };
  Object.defineProperty(o, key, { enumerable: true, configurable: true, get() { throw thrown(); } });
  return o;
}
function throwingProxy(trap) {
  return new Proxy({ limit: 1, id: 1, url: "/tags" }, { [trap]() { throw BOOM(); } });
}
const revoked = once(() => { const { proxy, revoke } = Proxy.revocable({ limit: 1 }, {}); revoke(); return proxy; });
const cyclic = once(() => { const o = { id: 1 }; o.self = o; return o; });
class Widget { constructor() { this.size = 3; } }

const GETTER_KEYS = ["apiKey", "baseUrl", "fetch", "timeoutMs", "maxRetries", "perPage", "maxResponseBytes",
  "url", "method", "query", "body", "headers", "signal", "aborted", "addEventListener", "text", "arrayBuffer",
  "verify", "secret", "scheme", "header", "encoding", "user_id", "email", "id", "name", "tag", "users", "leads",
  "limit", "include_count", "event_name", "user", "lead", "properties", "then", "toJSON", "0", "length"];

const fakeSignal = (aborted) => ({ aborted, reason: undefined, onabort: null,
  addEventListener() {}, removeEventListener() {}, dispatchEvent() { return true; }, throwIfAborted() {} });
const webhookBody = '{"topic":"contact.created","contact":{"id":7,"type":"user","user_id":"42"}}';
const freshRequest = (body = webhookBody, headers = { "x-gist-webhook-token": SECRET, "content-type": "application/json" }) =>
  new Request("http://hook.invalid/webhooks", { method: "POST", body, headers });

const c = (kind, make, flags = {}) => ({ kind, make, ...flags });
const H = { hostile: true };
const T = { hostile: true, throwing: true };
// `boxed`: an object that JSON writes as a primitive or as nothing (Date, new String, toJSON, ...). In a field
// of an options object, the contract does not say whether it is refused or read as JSON: not checked there.
const B = { boxed: true };
const CATALOGUE = [
  c("undefined", () => undefined),
  c("null", () => null),
  c("true", () => true),
  c("false", () => false),
  c("0", () => 0),
  c("-0", () => -0),
  c("-1", () => -1),
  c("1.5", () => 1.5),
  c("7", () => 7),
  c("NaN", () => NaN),
  c("Infinity", () => Infinity),
  c("-Infinity", () => -Infinity),
  c("2**31", () => 2 ** 31),
  c("2**53", () => 2 ** 53),
  c("Number.MAX_VALUE", () => Number.MAX_VALUE),
  c("Number.MIN_VALUE", () => Number.MIN_VALUE),
  c("1n", () => 1n, H),
  c("-1n", () => -1n, H),
  c("2n**64n", () => 2n ** 64n, H),
  c("Symbol()", () => Symbol("fuzz"), H),
  c('""', () => ""),
  c('" "', () => " "),
  c('"0x2"', () => "0x2"),
  c('"1e3"', () => "1e3"),
  c('"7"', () => "7"),
  c("1 MiB string", () => MEGA),
  c("lone high surrogate", () => "\ud800"),
  c("lone low surrogate", () => "x\udfffy"),
  c('"\\u0000"', () => "\u0000"),
  c("email", () => "ada@example.com"),
  c("percent-encoded email", () => "ada%40example.com"),
  c('"../.."', () => "../.."),
  c('"//host"', () => "//host"),
  c("JSON text", () => '{"id":1}'),
  c('"__proto__"', () => "__proto__"),
  c("CRLF header injection", () => "x\r\nX-Injected: 1"),
  c("emoji", () => "\u{1F600}"),
  c("[]", () => []),
  c("[1]", () => [1]),
  c("[[[...]]] 10,000 deep", deepArray),
  c("sparse array", () => [, , 1]), // eslint-disable-line no-sparse-arrays
  c("new Array(5)", () => new Array(5)),
  c("{}", () => ({})),
  c("Object.create(null)", () => Object.create(null)),
  c("Object.create(null) with id", () => Object.assign(Object.create(null), { id: 1 })),
  ...GETTER_KEYS.map((key) => c(`throwing getter on ${key}`, () => throwingGetter(key), T)),
  c("getter throws a string", () => throwingGetter("limit", () => "thrown string"), T),
  c("getter throws undefined", () => throwingGetter("id", () => undefined), T),
  c("array with throwing index getter", () => { const a = [1, 2]; Object.defineProperty(a, 1, { get() { throw BOOM(); }, enumerable: true }); return a; }, T),
  c("Proxy whose get throws", () => throwingProxy("get"), T),
  c("Proxy whose ownKeys throws", () => throwingProxy("ownKeys"), T),
  c("Proxy whose getOwnPropertyDescriptor throws", () => throwingProxy("getOwnPropertyDescriptor"), T),
  c("Proxy whose has throws", () => throwingProxy("has")),
  c("revoked Proxy", revoked, T),
  c("toJSON throws", () => ({ toJSON() { throw BOOM(); } }), H),
  c("toJSON returns undefined", () => ({ toJSON() { return undefined; } }), B),
  c("toJSON returns a function", () => ({ toJSON() { return () => 1; } }), B),
  c("toJSON returns a BigInt", () => ({ toJSON() { return 5n; } }), H),
  c("toJSON returns NaN", () => ({ toJSON() { return NaN; } }), B),
  c("cyclic object", cyclic, H),
  c("object 10,000 deep", deepObject),
  c("function", () => function fuzz() { return 1; }, H),
  c("arrow function", () => () => 1, H),
  c("async function", () => async () => 1, H),
  c("class", () => Widget, H),
  c("class instance", () => new Widget()),
  c("Date", () => new Date(5), B),
  c("invalid Date", () => new Date(NaN), B),
  c("RegExp", () => /fuzz/g),
  c("Map", () => new Map([["id", 1]])),
  c("Set", () => new Set([1])),
  c("WeakMap", () => new WeakMap()),
  c("ArrayBuffer", () => new ArrayBuffer(8)),
  c("Uint8Array", () => new Uint8Array([123, 125])),
  c("DataView", () => new DataView(new ArrayBuffer(4))),
  c("Promise", () => Promise.resolve(1)),
  c("Error", () => new Error("fuzz")),
  c("new Number(1)", () => new Number(1), B), // eslint-disable-line no-new-wrappers
  c('new String("x")', () => new String("x"), B), // eslint-disable-line no-new-wrappers
  c("new Boolean(false)", () => new Boolean(false), B), // eslint-disable-line no-new-wrappers
  c("valueOf throws", () => ({ valueOf() { throw BOOM(); } })),
  c("Symbol.toPrimitive throws", () => ({ [Symbol.toPrimitive]() { throw BOOM(); } })),
  c("__proto__ own key", () => JSON.parse('{"__proto__":{"limit":1,"id":1}}')),
  c("symbol-keyed object", () => ({ [Symbol("k")]: 1 })),
  c("thenable", () => ({ then(resolve) { resolve(1); } })),
  c("thenable that throws", () => ({ then() { throw BOOM(); } })),
  c("aborted AbortSignal", () => AbortSignal.abort()),
  c("fake signal object", () => fakeSignal(false)),
  c("Request", () => freshRequest()),
  c("Headers with odd values", () => new Headers({ "x-gist-topic": "  spaced\tvalue ", "x-odd": "\u00ff\u00fe", "x-empty": "" })),
  c("globalThis-like window", () => ({ window: {}, document: {} })),
];

// In a field of a near-valid object, one throwing getter stands for all of them, and the heaviest values
// only go to the fields marked `heavy`.
const HEAVY = new Set(["1 MiB string", "object 10,000 deep", "[[[...]]] 10,000 deep"]);
const FIELD_GETTERS = new Set(["throwing getter on id", "throwing getter on toJSON", "throwing getter on then", "throwing getter on 0"]);
const FIELD_CATALOGUE = CATALOGUE.filter((e) => !HEAVY.has(e.kind) && (!e.kind.startsWith("throwing getter on ") || FIELD_GETTERS.has(e.kind)));

// Extra values for one field only (URLs, paths, verify options, ...).
const x = (kind, value) => c(kind, () => value);
const BAD_PATHS = ["/a/../tags", "/%2e%2e/tags", "/.%2E/tags", "/tags/.", "/./tags", "/tags//x", "//evil.example/tags",
  "/tags%2Fx", "/tags\\x", "/tags%5cx", "/tags\n", "/ta gs", "/tags%20x", "/tags#frag", "/tags%23x", "/t\u0000ags",
  "http://evil.example/tags", "https://evil.example/tags", "\\\\evil.example/tags"].map((p) => x(`path ${JSON.stringify(p)}`, p));
const BAD_BASE_URLS = ["http://user:pass@mock.invalid", "http://mock.invalid/?q=1", "http://mock.invalid/#f",
  "http://mock.invalid\\x", "http://mock.invalid/a b", "http://mock.invalid/./x", "http://mock.invalid/%2e%2e/x",
  "ftp://mock.invalid", "javascript:alert(1)", "http://", "mock.invalid"].map((u) => x(`baseUrl ${JSON.stringify(u)}`, u));

// ---------------------------------------------------------------------------------------------------------
// Expectations. ANY: resolves, or rejects (throws) a GistError of a documented code. The others are exact.
const ANY = { want: "any" };
const IA = { want: "invalid_argument" };
const ABORTED = { want: "aborted" };
const RESOLVE_BOOL = { want: "resolve-boolean" };
const RETURN_STRING = { want: "return-string" };

function safeKeys(v) {
  try { return Object.keys(v); } catch { return null; }
}
const isObj = (v) => typeof v === "object" && v !== null;
/** `v instanceof C` that does not throw (a revoked Proxy does). */
const isA = (v, C) => { try { return v instanceof C; } catch { return false; } };
const isArray = (v) => { try { return Array.isArray(v); } catch { return false; } };
const positiveSafeInt = (v) => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const goodTimeout = (v) => typeof v === "number" && v > 0 && v <= 2147483647;

/** An optional options object whose keys must be among `allowed` (unknown keys: invalid_argument). */
const optionsObject = (allowed) => (e, v) => {
  if (e.hostile) return IA;
  if (v === undefined || v === null) return ANY;
  if (!isObj(v)) return IA;
  const keys = safeKeys(v);
  if (keys === null || keys.some((k) => !allowed.includes(k))) return IA;
  return ANY;
};
/** A required object that needs one of `keys` (no catalogue value but `{ id }`-like ones has them). */
const required = (keys) => (e, v) => {
  if (e.hostile || !isObj(v)) return IA;
  const own = safeKeys(v);
  return own !== null && own.some((k) => keys.includes(k)) ? ANY : IA;
};
const hostileOnly = (e) => (e.hostile ? IA : ANY);
const throwingOnly = (e) => (e.throwing ? IA : ANY);
const relaxBoxed = (rule) => Object.assign(rule, { relaxBoxed: true });
const stringRequired = relaxBoxed((e, v) => (typeof v === "string" ? ANY : IA));
const unknownKey = relaxBoxed((e, v) => (v === undefined ? ANY : IA));
const nullishOr = (rule) => (e, v) => (v === undefined || v === null ? ANY : rule(e, v));
const choice = (allowed) => relaxBoxed(nullishOr((e, v) => (allowed.includes(v) ? ANY : IA)));
const idArg = (e, v) => (positiveSafeInt(v) ? ANY : IA);
const timeoutRule = relaxBoxed(nullishOr((e, v) => (goodTimeout(v) ? ANY : IA)));
const signalRule = nullishOr((e, v) => (isA(v, AbortSignal) ? (v.aborted ? ABORTED : ANY) : IA));
// iter* take any positive whole limit (they have no default and no maximum)
const iterLimitRule = nullishOr((e, v) => {
  if (e.hostile) return IA;
  if (typeof v === "number") return Number.isInteger(v) && v >= 1 ? ANY : IA;
  return typeof v === "object" ? ANY : IA;
});
const limitRule = nullishOr((e, v) => {
  if (e.hostile) return IA;
  if (typeof v === "number") return Number.isInteger(v) && v >= 1 && v <= 10000 ? ANY : IA;
  return typeof v === "object" ? ANY : IA;
});
const userIdRule = nullishOr((e, v) => {
  if (e.hostile) return IA;
  if (typeof v === "string") return /^\d+$/.test(v) ? ANY : IA;
  if (typeof v === "number") return Number.isInteger(v) ? ANY : IA;
  if (typeof v === "boolean") return IA;
  return ANY;
});
const maxResponseBytesRule = relaxBoxed(nullishOr((e, v) => (positiveSafeInt(v) ? ANY : IA)));
const secretRule = relaxBoxed((e, v) => {
  if (typeof v === "string") return ANY;
  if (isArray(v) && !e.hostile) {
    const keys = safeKeys(v);
    if (keys && v.length > 0 && keys.length === v.length && v.every((s) => typeof s === "string")) return ANY;
    return v.length === 0 ? ANY : IA;
  }
  return IA;
});
const verifyBodyRule = (e, v) => (typeof v === "string" || isA(v, Uint8Array) ? RESOLVE_BOOL : IA);
const baseUrlRule = relaxBoxed(nullishOr(() => IA)); // no catalogue value is an http(s) URL
const fetchRule = nullishOr((e, v) => (typeof v === "function" ? ANY : IA));
const parseBodyRule = (e, v) => (typeof v === "string" ? { want: "parse", body: v } : IA);
const handleRequestRule = (e) => (e.kind === "Request" ? ANY : IA);

// ---------------------------------------------------------------------------------------------------------
// The API: each function, its slots, a valid value per slot, the rule for a catalogue value in the slot,
// fields (the slot's valid object with one field replaced), and keys to put a throwing getter on.
let serial = 0;
const next = () => ++serial;
// `heavy`: the field also gets the 1 MiB string and the 10,000-deep values (slow, so only some fields do);
// `onlyExtra`: the field gets its extra values only.
const field = (name, build, rule, extra = [], { heavy = false, onlyExtra = false } = {}) =>
  ({ name, build, rule, extra, heavy, onlyExtra });
const fieldValues = (f) => (f.onlyExtra ? f.extra : [...(f.heavy ? CATALOGUE : FIELD_CATALOGUE), ...f.extra]);
const set = (base, key, v) => { const o = base(); o[key] = v; return o; };
const slot = (label, valid, rule, fields = [], getterKeys = []) => ({ label, valid, rule, fields, getterKeys });
const validReqOpts = () => undefined;

const REQUEST_OPTIONS = slot("requestOptions", validReqOpts, optionsObject(["signal", "timeoutMs"]), [
  field("signal", (v) => ({ signal: v }), signalRule, [c("fake aborted signal", () => fakeSignal(true)),
    c("live AbortSignal", () => new AbortController().signal)]),
  field("timeoutMs", (v) => ({ timeoutMs: v }), timeoutRule, [x("2147483647", 2147483647), x("2147483648", 2147483648)]),
  field("timeout (unknown key)", (v) => ({ timeout: v }), unknownKey),
], ["signal", "timeoutMs", "timeout"]);
REQUEST_OPTIONS.getterBase = () => ({ timeoutMs: 3000 });

const contactListFields = (base, iter) => [
  field("limit", (v) => set(base, "limit", v), iter ? iterLimitRule : limitRule, [x("10001", 10001), x("10000.5", 10000.5)]),
  field("tag_id", (v) => set(base, "tag_id", v), hostileOnly),
  field("segment_id", (v) => set(base, "segment_id", v), hostileOnly),
  field("created_since", (v) => set(base, "created_since", v), hostileOnly),
  field("status", (v) => set(base, "status", v), hostileOnly),
  field("order_by", (v) => set(base, "order_by", v), choice(["created_at", "last_seen_at", "signed_up_at", "updated_at"])),
  field("order", (v) => set(base, "order", v), choice(["asc", "desc"])),
];
const CONTACT_LIST_KEYS = ["limit", "segment_id", "tag_id", "created_since", "status", "order_by", "order"];
const contactListSlot = (limit, iter = false) => {
  const base = () => ({ limit, order: "asc" });
  return slot("options", base, optionsObject(CONTACT_LIST_KEYS), contactListFields(base, iter), ["limit", "order", "tag_id"]);
};
const limitSlot = (limit) => {
  const base = () => ({ limit });
  return slot("options", base, optionsObject(["limit"]),
    [field("limit", (v) => ({ limit: v }), limitRule, [x("10001", 10001)])], ["limit"]);
};
const segmentListSlot = (limit, iter = false) => {
  const base = () => ({ limit, include_count: true });
  return slot("options", base, optionsObject(["limit", "include_count"]), [
    field("limit", (v) => set(base, "limit", v), iter ? iterLimitRule : limitRule),
    field("include_count", (v) => set(base, "include_count", v), hostileOnly),
  ], ["limit", "include_count"]);
};
const userRefSlot = (valid) => slot("ref", valid, required(["id", "user_id", "email"]), [
  field("id", (v) => ({ id: v }), hostileOnly),
  field("user_id", (v) => ({ user_id: v }), hostileOnly),
  field("email", (v) => ({ email: v }), hostileOnly),
], ["id", "user_id", "email"]);
const leadRefSlot = (valid) => slot("ref", valid, required(["id", "email"]), [
  field("id", (v) => ({ id: v }), hostileOnly),
  field("email", (v) => ({ email: v }), hostileOnly),
], ["id", "email"]);
const CHANGE_KEYS = ["email", "name", "phone", "last_seen_ip", "last_seen_user_agent", "unsubscribed_from_emails",
  "signed_up_at", "tags", "custom_properties"];
const newUserSlot = () => {
  const base = () => { const n = next(); return { user_id: 900000 + n, email: `fuzz.user.${n}@example.com`, name: "Fuzz", tags: ["fuzz"], custom_properties: { plan: "pro", score: 1.25 } }; };
  return slot("user", base, required(["user_id"]), [
    field("user_id", (v) => set(base, "user_id", v), userIdRule),
    field("email", (v) => set(base, "email", v), hostileOnly),
    field("name", (v) => set(base, "name", v), hostileOnly, [], { heavy: true }),
    field("tags", (v) => set(base, "tags", v), hostileOnly),
    field("custom_properties", (v) => set(base, "custom_properties", v), hostileOnly),
    field("custom_properties.score", (v) => set(base, "custom_properties", { score: v }), hostileOnly),
    field("signed_up_at", (v) => set(base, "signed_up_at", v), hostileOnly),
    field("emial (unknown key)", (v) => set(base, "emial", v), unknownKey),
  ], ["user_id", "email", "custom_properties"]);
};
const changesSlot = (withUserId) => {
  const base = () => ({ name: `Renamed ${next()}`, custom_properties: { plan: "free" } });
  const fields = [
    field("name", (v) => set(base, "name", v), hostileOnly),
    field("custom_properties", (v) => set(base, "custom_properties", v), hostileOnly),
    field("phone", (v) => set(base, "phone", v), hostileOnly),
  ];
  if (withUserId) fields.push(field("user_id", (v) => set(base, "user_id", v), userIdRule));
  return slot("changes", base, optionsObject(withUserId ? [...CHANGE_KEYS, "user_id"] : CHANGE_KEYS), fields, ["name", "custom_properties"]);
};
const newLeadSlot = () => {
  const base = () => ({ email: `fuzz.lead.${next()}@example.com`, name: "Lead" });
  return slot("lead", base, required(["email"]), [
    field("email", (v) => set(base, "email", v), (e, v) => (v === undefined || v === null ? IA : hostileOnly(e, v))),
    field("name", (v) => set(base, "name", v), hostileOnly),
    field("user_id (not a lead field)", (v) => set(base, "user_id", v), relaxBoxed(nullishOr(unknownKey))),
  ], ["email", "name"]);
};
const tagRequestSlot = () => {
  const base = () => ({ tag: "fuzz-tag", users: [{ id: USER.id }], leads: [{ id: LEAD.id, untag: true }] });
  return slot("request", base, required(["tag"]), [
    field("tag", (v) => set(base, "tag", v), stringRequired, [], { heavy: true }),
    field("users", (v) => set(base, "users", v), hostileOnly),
    field("leads", (v) => set(base, "leads", v), hostileOnly),
    // every target malformed: invalid_argument, nothing sent
    field("users[0] (only target)", (v) => ({ tag: "fuzz-tag", users: [v] }), required(["id", "user_id", "email"])),
    // one bad target among good ones fails alone, in `failed`, one JSON cannot hold too (a BigInt, a function)
    field("users[0].untag", (v) => set(base, "users", [{ id: USER.id, untag: v }]), () => ANY),
  ], ["tag", "users", "leads"]);
};
const unknownKeyOrRef = relaxBoxed(nullishOr(() => IA)); // user and lead together: refused
const eventSlot = () => {
  const base = () => ({ event_name: "fuzz.event$x", user: { id: USER.id }, properties: { n: 1 }, occurred_at: 1700000000 });
  return slot("event", base, required(["event_name"]), [
    field("event_name", (v) => set(base, "event_name", v), stringRequired, [], { heavy: true }),
    field("user", (v) => set(base, "user", v), required(["id", "user_id", "email"])),
    field("properties", (v) => set(base, "properties", v), hostileOnly, [], { heavy: true }),
    field("occurred_at", (v) => set(base, "occurred_at", v), hostileOnly),
    field("lead (with user)", (v) => set(base, "lead", v), unknownKeyOrRef),
  ], ["event_name", "user", "properties"]);
};
const apiCallSlot = () => {
  const base = () => ({ url: "/tags", method: "GET", query: { page: 1 } });
  return slot("request", base, required(["url"]), [
    field("url", (v) => set(base, "url", v), (e, v) => {
      if (typeof v !== "string") return IA;
      return ["../..", "//host", "\u0000", " ", "x\r\nX-Injected: 1"].includes(v) ? IA : ANY;
    }, BAD_PATHS.map((p) => ({ ...p, forceIA: true })), { heavy: true }),
    field("method", (v) => set(base, "method", v), hostileOnly),
    field("headers", (v) => set(base, "headers", v), hostileOnly, [x("{ Authorization }", { Authorization: "Bearer other" }),
      x("{ authorization }", { authorization: "Bearer other" })].map((p) => ({ ...p, forceIA: true }))),
    field("headers.x-fuzz", (v) => set(base, "headers", { "x-fuzz": v }), hostileOnly),
    field("query", (v) => set(base, "query", v), hostileOnly),
    field("query.page", (v) => set(base, "query", { page: v }), hostileOnly),
    field("body (POST)", (v) => ({ url: "/events", method: "POST", body: v }), hostileOnly, [], { heavy: true }),
  ], ["url", "method", "query"]);
};
const constructorSlot = () => {
  const fields = [
    field("apiKey", (v) => ({ ...clientOptions(), apiKey: v }), stringRequired, [], { heavy: true }),
    field("baseUrl", (v) => ({ ...clientOptions(), baseUrl: v }), baseUrlRule, BAD_BASE_URLS.map((u) => ({ ...u, forceIA: true }))),
    field("fetch", (v) => ({ ...clientOptions(), fetch: v }), fetchRule),
    field("timeoutMs", (v) => ({ ...clientOptions(), timeoutMs: v }), timeoutRule),
    field("maxRetries", (v) => ({ ...clientOptions(), maxRetries: v }), hostileOnly),
    field("perPage", (v) => ({ ...clientOptions(), perPage: v }), hostileOnly),
    field("dangerouslyAllowBrowser", (v) => ({ ...clientOptions(), dangerouslyAllowBrowser: v }), hostileOnly),
    field("maxResponseBytes", (v) => ({ ...clientOptions(), maxResponseBytes: v }), maxResponseBytesRule),
    field("apikey (unknown key)", (v) => ({ ...clientOptions(), apikey: v }), unknownKey),
  ];
  return slot("options", clientOptions, required(["apiKey"]), fields, ["apiKey", "baseUrl", "fetch", "timeoutMs", "maxRetries", "perPage"]);
};
const verifyRequestSlot = () => {
  const base = () => ({ body: webhookBody, headers: { "x-gist-webhook-token": SECRET } });
  return slot("request", base, required(["body"]), [
    field("body", (v) => set(base, "body", v), verifyBodyRule, [], { heavy: true }),
    field("headers", (v) => set(base, "headers", v), throwingOnly),
    field("headers.x-gist-webhook-token", (v) => set(base, "headers", { "x-gist-webhook-token": v }), () => ANY),
  ], ["body", "headers"]);
};
const verifyOptionFields = (wrap) => {
  const base = () => ({ secret: SECRET, scheme: "token", header: "x-gist-webhook-token" });
  return [
    field(`${wrap.prefix}secret`, (v) => wrap.build(set(base, "secret", v)), secretRule,
      [x('["a", 1]', ["a", 1]), x("[s, s]", [SECRET, SECRET])], { heavy: true }),
    field(`${wrap.prefix}scheme`, (v) => wrap.build(set(base, "scheme", v)), choice(["token", "hmac-sha256", "hmac-sha1"]),
      [x('"HMAC-SHA256"', "HMAC-SHA256"), x('"hmac-md5"', "hmac-md5")].map((p) => ({ ...p, forceIA: true }))),
    field(`${wrap.prefix}header`, (v) => wrap.build(set(base, "header", v)), hostileOnly),
    field(`${wrap.prefix}encoding`, (v) => wrap.build(set(base, "encoding", v)), choice(["hex", "base64"])),
    field(`${wrap.prefix}Secret (unknown key)`, (v) => wrap.build(set(base, "Secret", v)), unknownKey),
  ];
};
const verifyOptionsSlot = () => slot("options", () => ({ secret: SECRET }), required(["secret"]),
  verifyOptionFields({ prefix: "", build: (o) => o }), ["secret", "scheme", "header", "encoding"]);
const handleRequestSlot = () => {
  // handleWebhook reads the raw bytes (arrayBuffer) and the headers, never text().
  const bytes = () => Promise.resolve(new TextEncoder().encode(webhookBody).buffer);
  const fake = () => ({ arrayBuffer: bytes, headers: { "x-gist-webhook-token": SECRET } });
  return slot("request", () => freshRequest(), handleRequestRule, [
    field("arrayBuffer (fake Request)", (v) => set(fake, "arrayBuffer", v), (e, v) => (typeof v === "function" ? ANY : IA)),
    field("arrayBuffer() resolves (fake Request)", (v) => set(fake, "arrayBuffer", () => Promise.resolve(v)), () => ANY),
    field("headers (fake Request)", (v) => set(fake, "headers", v), throwingOnly),
  ], ["arrayBuffer", "headers"]);
};
const handleOptionsSlot = () => slot("options", () => ({ verify: { secret: SECRET } }), optionsObject(["verify"]), [
  field("verify", (v) => ({ verify: v }), nullishOr(() => IA)),
  field("verfy (unknown key)", (v) => ({ verfy: v }), unknownKey, [x("{ secret }", { secret: SECRET })].map((p) => ({ ...p, forceIA: true }))),
  field("secret (unknown key)", (v) => ({ secret: v }), unknownKey),
  ...verifyOptionFields({ prefix: "verify.", build: (o) => ({ verify: o }) }),
], ["verify"]);

const method = (name, slots, kind = "async") => ({ name, slots, kind });
const API = [
  method("new GistClient", [constructorSlot()], "constructor"),
  method("createUser", [newUserSlot(), REQUEST_OPTIONS]),
  method("updateUser", [userRefSlot(() => ({ id: USER.id })), changesSlot(true), REQUEST_OPTIONS]),
  method("fetchUser", [userRefSlot(() => ({ id: USER.id })), REQUEST_OPTIONS]),
  method("listUsers", [contactListSlot(5), REQUEST_OPTIONS]),
  method("deleteUser", [userRefSlot(() => ({ user_id: "999999999" })), REQUEST_OPTIONS]),
  method("iterUsers", [contactListSlot(3, true)], "iter"),
  method("createLead", [newLeadSlot(), REQUEST_OPTIONS]),
  method("updateLead", [leadRefSlot(() => ({ id: LEAD.id })), changesSlot(false), REQUEST_OPTIONS]),
  method("fetchLead", [leadRefSlot(() => ({ id: LEAD.id })), REQUEST_OPTIONS]),
  method("listLeads", [contactListSlot(5), REQUEST_OPTIONS]),
  method("deleteLead", [leadRefSlot(() => ({ email: "nobody.lead@example.com" })), REQUEST_OPTIONS]),
  method("iterLeads", [contactListSlot(3, true)], "iter"),
  method("createTag", [slot("name", () => `fuzz-tag-${next()}`, stringRequired), REQUEST_OPTIONS]),
  method("updateTag", [slot("id", () => 1, idArg), slot("name", () => "customer", stringRequired), REQUEST_OPTIONS]),
  method("tagContacts", [tagRequestSlot(), REQUEST_OPTIONS]),
  method("listTags", [limitSlot(5), REQUEST_OPTIONS]),
  method("deleteTag", [slot("id", () => 999999, idArg), REQUEST_OPTIONS]),
  method("iterTags", [], "iter"),
  method("fetchSegment", [slot("id", () => 1, idArg), segmentListSlot(undefined), REQUEST_OPTIONS]),
  method("listSegments", [segmentListSlot(5), REQUEST_OPTIONS]),
  method("iterSegments", [segmentListSlot(2, true)], "iter"),
  method("fetchCampaign", [slot("id", () => 100, idArg), REQUEST_OPTIONS]),
  method("listCampaigns", [limitSlot(5), REQUEST_OPTIONS]),
  method("iterCampaigns", [], "iter"),
  method("recordEvent", [eventSlot(), REQUEST_OPTIONS]),
  method("listEvents", [limitSlot(5), REQUEST_OPTIONS]),
  method("iterEvents", [], "iter"),
  method("apiCall", [apiCallSlot(), REQUEST_OPTIONS]),
  method("normalizeEventName", [slot("name", () => "completed.order$x", (e, v) => (typeof v === "string" ? RETURN_STRING : IA))], "sync"),
  method("parseWebhook", [slot("body", () => webhookBody, parseBodyRule, [], []),
    slot("headers", () => ({ "x-gist-topic": "fuzz" }), throwingOnly, [
      field("x-gist-topic", (v) => ({ "x-gist-topic": v }), () => ANY),
    ], ["x-gist-topic", "x-gist-event", "forEach", "get"])], "sync"),
  method("verifyWebhook", [verifyRequestSlot(), verifyOptionsSlot()]),
  method("handleWebhook", [handleRequestSlot(), handleOptionsSlot()]),
];
// fetchSegment's options are SegmentOptions: only include_count.
API.find((m) => m.name === "fetchSegment").slots[1] = slot("options", () => ({ include_count: true }),
  optionsObject(["include_count"]), [field("include_count", (v) => ({ include_count: v }), hostileOnly)], ["include_count"]);
// parseWebhook's body slot also gets JSON texts: an object must parse to exactly JSON.parse(body).
API.find((m) => m.name === "parseWebhook").slots[0].fields = [
  field("(JSON text)", (v) => v, parseBodyRule, [
    x('{"amount":5e-32}', '{"amount":5e-32}'), x('{"a":1e400}', '{"a":1e400}'), x('{"s":"\\ud800"}', '{"s":"\\ud800"}'),
    x("raw lone surrogate in JSON", '{"s":"\ud800"}'), x("object 1000 deep", DEEP_JSON_1000),
    x("object 10,000 deep", DEEP_JSON_10000), x("[]", "[]"), x("null", "null"), x('"str"', '"str"'), x("1", "1"),
    x("BOM + {}", "\ufeff{}"), x("two BOMs + {}", "\ufeff\ufeff{}"), x('{"__proto__":{"x":1}}', '{"__proto__":{"x":1}}'), x("trailing garbage", "{} x"),
    x("duplicate keys", '{"topic":"a","topic":"b"}'), x('{"contact":null}', '{"contact":null}'),
    x('{"contact":{"id":"x"}}', '{"contact":{"id":"x"}}'), x('{"message":{"contact":1}}', '{"message":{"contact":1}}'),
  ], { onlyExtra: true }),
];

const FREE_FUNCTIONS = { normalizeEventName, parseWebhook, verifyWebhook, handleWebhook };

// ---------------------------------------------------------------------------------------------------------
// Running one case.
function describe(error) {
  try { return describeUnsafe(error); } catch { return "a value that cannot even be described (a Proxy?)"; }
}
function describeUnsafe(error) {
  if (error instanceof GistError) return `GistError(${error.code}): ${String(error.message).slice(0, 140)}`;
  if (error instanceof Error || (error && typeof error === "object" && "message" in error)) {
    let name;
    try { name = error.constructor?.name ?? error.name; } catch { name = "Error"; }
    return `${name}: ${String(error.message).slice(0, 140)}`;
  }
  try { return `non-Error thrown: ${typeof error} ${String(error).slice(0, 80)}`; } catch { return `non-Error thrown: ${typeof error}`; }
}

function invoke(m, args, on = client) {
  switch (m.kind) {
    case "constructor": return new GistClient(...args);
    case "sync": case "async":
      return m.name in FREE_FUNCTIONS ? FREE_FUNCTIONS[m.name](...args) : on[m.name](...args);
    case "iter": return on[m.name](...args);
    default: throw new Error(`unknown kind ${m.kind}`);
  }
}

const EMAIL = /[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const EMAIL_ENCODED = /[A-Za-z0-9._+-]+%40[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/i;
function leakIn(error) {
  const fields = { message: error.message, requestId: error.requestId, path: error.path, method: error.method };
  if (Array.isArray(error.errors)) error.errors.forEach((e, i) => { fields[`errors[${i}]`] = `${e?.code} ${e?.message}`; });
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== "string") continue;
    if (value.includes(API_KEY)) return `GistError.${name} contains the API key`;
    if (EMAIL.test(value) || EMAIL_ENCODED.test(value)) return `GistError.${name} contains an email address`;
  }
  return null;
}

/** Problems with an error value that should be a GistError. */
function badError(error, how) {
  if (!isA(error, GistError)) return `${how} a foreign error: ${describe(error)}`;
  if (!CODES.has(error.code)) return `${how} a GistError with undocumented code ${JSON.stringify(error.code)}`;
  if (error.name !== "GistError" || typeof error.message !== "string") return `${how} a malformed GistError`;
  return leakIn(error);
}

let hangs = 0;
async function settle(promise) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve({ type: "hang" }), SETTLE_MS); });
  const outcome = await Promise.race([
    promise.then((value) => ({ type: "resolve", value }), (error) => ({ type: "reject", error })),
    timeout,
  ]);
  clearTimeout(timer);
  if (outcome.type === "hang") hangs++;
  return outcome;
}

/**
 * Calls `m` with `args` and checks the outcome against `expect` (a list of allowed expectations:
 * every one must be met by an ANY-compatible outcome; if several exact ones, any of them).
 * Returns a list of problems (strings).
 */
// Outcomes of the current phase, by kind: shows what a pass exercised ("resolved 5300, invalid_argument 18000").
let stats = new Map();
function tally(outcome) {
  const code = (outcome.type === "reject" || outcome.type === "throw") && isA(outcome.error, GistError) ? ` ${outcome.error.code}` : "";
  const key = `${outcome.type === "return" || outcome.type === "resolve" ? "ok" : outcome.type}${code}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
}
function takeStats() {
  const text = [...stats].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
  stats = new Map();
  return text;
}

const SLOW = Symbol("slow");
/**
 * Runs one case. Resolves `{ problems }`, or `{ later }` (a promise of them) when the case has not settled
 * within FAST_MS: it is then left to finish (or hang, up to SETTLE_MS) while the next cases run.
 */
async function runCase(m, args, expects, on = client) {
  const ctx = { deferred: false };
  const evaluation = evaluateCase(m, args, expects, on, ctx);
  let timer;
  const slow = new Promise((resolve) => { timer = setTimeout(() => resolve(SLOW), FAST_MS); });
  const first = await Promise.race([evaluation, slow]);
  clearTimeout(timer);
  if (first !== SLOW) return { problems: first };
  ctx.deferred = true;
  return { later: evaluation };
}

async function evaluateCase(m, args, expects, on, ctx) {
  const problems = [];
  const sentBefore = mock.requests.length;
  const exact = expects.filter((e) => e.want !== "any");
  let outcome;
  let result;
  try {
    result = invoke(m, args, on);
  } catch (error) {
    if (m.kind === "async") {
      problems.push(`threw synchronously instead of returning a Promise: ${describe(error)}`);
      return problems;
    }
    outcome = { type: "throw", error };
  }
  if (!outcome) {
    if (m.kind === "async") {
      if (!(result instanceof Promise)) {
        problems.push(`returned ${typeof result} instead of a Promise`);
        return problems;
      }
      outcome = await settle(result);
    } else {
      outcome = { type: "return", value: result };
    }
  }
  tally(outcome);
  if (outcome.type === "hang") {
    problems.push(`did not settle within ${SETTLE_MS} ms`);
    return problems;
  }
  if (outcome.type === "reject" || outcome.type === "throw") {
    const how = outcome.type === "reject" ? "rejected with" : "threw";
    const bad = badError(outcome.error, how);
    if (bad) problems.push(bad);
    // (not checked for a slow case: other cases ran meanwhile)
    else if (outcome.error.code === "invalid_argument" && !ctx.deferred && mock.requests.length > sentBefore) {
      problems.push(`invalid_argument after ${mock.requests.length - sentBefore} request(s) were sent`);
    }
  }
  // The returned value of a synchronous function, and iterators.
  if (outcome.type === "return") {
    if (m.kind === "constructor") {
      try { outcome.value.free(); } catch (error) { problems.push(`free() of a new client threw: ${describe(error)}`); }
    } else if (m.kind === "iter") {
      problems.push(...(await drainIterator(outcome.value)));
    }
  }
  if (exact.length > 0 && !problems.some((p) => !p.startsWith("GistError."))) {
    const miss = mismatch(exact, outcome, m);
    if (miss) problems.push(miss);
  }
  return problems;
}

function outcomeText(outcome) {
  switch (outcome.type) {
    case "resolve": return "resolved";
    case "return": return "returned";
    default: return isA(outcome.error, GistError) ? `${outcome.type === "throw" ? "threw" : "rejected with"} ${outcome.error.code}` : outcome.type;
  }
}

/** Null when the outcome meets one of the exact expectations, else what went wrong. */
function mismatch(exact, outcome, m) {
  const failed = outcome.type === "reject" || outcome.type === "throw";
  const code = failed && isA(outcome.error, GistError) ? outcome.error.code : null;
  const wants = [];
  for (const e of exact) {
    switch (e.want) {
      case "invalid_argument": case "aborted": case "invalid_webhook":
        if (code === e.want) return null;
        wants.push(`${m.kind === "async" ? "reject" : "throw"} ${e.want}`);
        break;
      case "resolve-boolean":
        if (outcome.type === "resolve" && typeof outcome.value === "boolean") return null;
        wants.push("resolve true or false");
        break;
      case "return-string":
        if (outcome.type === "return" && typeof outcome.value === "string") return null;
        wants.push("return a string");
        break;
      case "parse": {
        let parsed;
        let isObject = false;
        // A byte order mark before the body is dropped (as a UTF-8 decoder drops it), then it is JSON.parse's.
        try { parsed = JSON.parse(e.body.replace(/^\ufeff/, "")); isObject = isObj(parsed) && !Array.isArray(parsed); } catch { /* not JSON */ }
        const lenient = e.body.length > 50_000; // 10,000 deep: parsing it is not promised
        if (!isObject) {
          if (code === "invalid_webhook") return null;
          wants.push("throw invalid_webhook (not a JSON object)");
        } else if (outcome.type === "return") {
          const same = sameJson(outcome.value?.payload, parsed);
          if (same) return null;
          wants.push("payload equal to JSON.parse(body)");
        } else {
          if (lenient && code === "invalid_webhook") return null;
          wants.push("return an event (the body is a JSON object)");
        }
        break;
      }
      default: throw new Error(`unknown expectation ${e.want}`);
    }
  }
  return `expected to ${[...new Set(wants)].join(" or ")}, but ${outcomeText(outcome)}`;
}

/** Deep equality of two JSON values (key order aside), without recursion: payloads can be 10,000 deep. */
function sameJson(a, b) {
  const stack = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop();
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (!isObj(x) || !isObj(y) || Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([x[k], y[k]]);
    }
  }
  return true;
}

async function drainIterator(it) {
  const problems = [];
  if (!it || typeof it.next !== "function" || typeof it[Symbol.asyncIterator] !== "function") {
    return ["returned something that is not an async iterator"];
  }
  let step;
  try {
    step = it.next();
  } catch (error) {
    return [`iterator.next() threw synchronously: ${describe(error)}`];
  }
  if (!(step instanceof Promise)) problems.push("iterator.next() did not return a Promise");
  else {
    const outcome = await settle(step);
    if (outcome.type === "hang") problems.push(`iterator.next() did not settle within ${SETTLE_MS} ms`);
    else if (outcome.type === "reject") {
      const bad = badError(outcome.error, "iterator.next() rejected with");
      if (bad) problems.push(bad);
    }
  }
  try {
    if (typeof it.return === "function") await settle(Promise.resolve(it.return()));
    if (typeof it.free === "function") it.free();
  } catch (error) {
    problems.push(`iterator.return()/free() threw: ${describe(error)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Positions: every (function, slot, value) of a pass.
function entryRule(e, v, rule, inField = false) {
  if (e.forceIA) return IA;
  if (inField && e.boxed && rule.relaxBoxed) return ANY;
  return rule(e, v);
}

function* positions() {
  for (const m of API) {
    const validArgs = () => m.slots.map((s) => s.valid());
    if (m.slots.length === 0) yield { m, where: "()", kind: "no arguments", build: () => ({ args: [], expects: [ANY] }) };
    for (const [i, s] of m.slots.entries()) {
      const where = `${s.label} [arg ${i}]`;
      const withSlot = (value, expect) => {
        const args = validArgs();
        args[i] = value;
        return { args, expects: [expect] };
      };
      for (const e of CATALOGUE) {
        yield { m, where, kind: e.kind, build: () => { const v = e.make(); return withSlot(v, entryRule(e, v, s.rule)); } };
      }
      for (const f of s.fields) {
        for (const e of fieldValues(f)) {
          yield { m, where: `${where}.${f.name}`, kind: e.kind, build: () => { const v = e.make(); return withSlot(f.build(v), entryRule(e, v, f.rule, true)); } };
        }
      }
      for (const key of s.getterKeys) {
        yield {
          m, where: `${where} + throwing getter`, kind: `getter on ${key}`,
          build: () => {
            const o = (s.getterBase ?? s.valid)();
            Object.defineProperty(o, key, { enumerable: true, configurable: true, get() { throw BOOM(); } });
            return withSlot(o, IA);
          },
        };
      }
    }
  }
  // A freed client: every method rejects (iter* throw) invalid_argument.
  for (const m of API.filter((mm) => mm.kind === "async" || mm.kind === "iter")) {
    if (m.name in FREE_FUNCTIONS) continue;
    yield { m, where: "freed client", kind: "valid arguments", freed: true, build: () => ({ args: m.slots.map((s) => s.valid()), expects: [IA] }) };
  }
}

function freedClient() {
  const freed = new GistClient(clientOptions());
  freed.free();
  try { freed.free(); } catch { /* reported by the freed-client case below */ }
  return freed;
}

/** Failures: { phase, fn, where, kind, problem, seed?, iteration? } */
function record(failures, base, problems) {
  for (const problem of problems) failures.push({ ...base, problem });
}

let sinceReset = 0;
function maybeReset() {
  if (++sinceReset >= RESET_EVERY) {
    sinceReset = 0;
    mock.reset();
  }
}

async function catalogPass(phase) {
  const failures = [];
  const pending = [];
  let count = 0;
  // free() twice must be harmless
  try { freedClient(); } catch (error) {
    failures.push({ phase, fn: "GistClient.free", where: "second free()", kind: "-", problem: `threw: ${describe(error)}` });
  }
  for (const p of positions()) {
    maybeReset();
    count++;
    let built;
    try { built = p.build(); } catch (error) { throw new Error(`test bug building ${p.m.name} ${p.where} ${p.kind}: ${error.stack}`); }
    const on = p.freed ? freedClient() : client;
    const run = await runCase(p.m, built.args, built.expects, on);
    const base = { phase, fn: p.m.name, where: p.where, kind: p.kind, seed: SEED };
    if (run.later) pending.push(run.later.then((problems) => record(failures, base, problems)));
    else record(failures, base, run.problems);
  }
  await Promise.all(pending);
  return { failures, count };
}

// ---------------------------------------------------------------------------------------------------------
// The random phase.

/** The outcomes allowed for a call with several deviating arguments (`generic`: one of them is not valid,
 * though any outcome is allowed for it alone, so it may be the one refused). */
function combine(expects, generic) {
  const exact = expects.filter((e) => e.want !== "any");
  if (exact.length === 0) return [ANY];
  if (exact.length === 1) return generic && exact[0] !== IA ? [exact[0], IA] : exact;
  const hasIA = exact.some((e) => e.want === "invalid_argument");
  const hasAborted = exact.some((e) => e.want === "aborted");
  // which of two bad arguments is noticed first is not specified
  const hasParse = exact.some((e) => e.want === "parse");
  if (hasIA) return [IA, ...(hasAborted ? [ABORTED] : []), ...(hasParse ? [{ want: "invalid_webhook" }] : [])];
  if (hasAborted) return [ABORTED, IA];
  return [ANY];
}

async function randomPhase(seed, iterations) {
  const random = mulberry32(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const failures = [];
  const pending = [];
  for (let n = 0; n < iterations; n++) {
    maybeReset();
    const m = pick(API);
    const args = [];
    const expects = [];
    const picked = [];
    m.slots.forEach((s, i) => {
      const r = random();
      if (r < 0.45 || (s === REQUEST_OPTIONS && r < 0.6)) {
        const live = s === REQUEST_OPTIONS && r < 0.6 && r >= 0.45;
        args.push(live ? { timeoutMs: 3000, signal: new AbortController().signal } : s.valid());
        expects.push(ANY);
        picked.push(`${s.label}=valid`);
      } else if (r < 0.72 || s.fields.length === 0) {
        const e = pick(CATALOGUE);
        const v = e.make();
        args.push(v);
        expects.push(entryRule(e, v, s.rule));
        picked.push(`${s.label}=${e.kind}`);
      } else if (r < 0.94 || s.getterKeys.length === 0) {
        const f = pick(s.fields);
        const e = pick(fieldValues(f));
        const v = e.make();
        args.push(f.build(v));
        expects.push(entryRule(e, v, f.rule, true));
        picked.push(`${s.label}.${f.name}=${e.kind}`);
      } else {
        const key = pick(s.getterKeys);
        const o = (s.getterBase ?? s.valid)();
        Object.defineProperty(o, key, { enumerable: true, configurable: true, get() { throw BOOM(); } });
        args.push(o);
        expects.push(IA);
        picked.push(`${s.label}+getter on ${key}`);
      }
    });
    while (args.length > 0 && args[args.length - 1] === undefined && picked[picked.length - 1].endsWith("=valid")) {
      args.pop();
      picked.pop();
      expects.pop();
    }
    const generic = picked.some((label, i) => !label.endsWith("=valid") && expects[i] === ANY);
    const run = await runCase(m, args, combine(expects, generic));
    const base = { phase: "random", fn: m.name, where: picked.join(", ") || "()", kind: picked.join(", ") || "no arguments", seed, iteration: n };
    if (run.later) pending.push(run.later.then((problems) => record(failures, base, problems)));
    else record(failures, base, run.problems);
  }
  await Promise.all(pending);
  return failures;
}

// ---------------------------------------------------------------------------------------------------------
// Reporting.
function normalize(problem) {
  return problem.replace(/\d+ request\(s\)/, "N request(s)").replace(/fuzz\.(user|lead)\.\d+/g, "fuzz.$1.N");
}

/**
 * A readable summary. Catalogue failures: grouped by function and slot (position) with the values that
 * fail there, then positions failing the same way with the same values are folded into one entry (one
 * cause, usually). Random-phase failures: grouped by function and problem, with their iterations.
 */
function summarize(title, failures, { limit = 30, positionsShown = 10 } = {}) {
  if (failures.length === 0) return `${title}: no failures`;
  const byPosition = new Map();
  for (const f of failures) {
    const random = f.phase === "random";
    const key = random ? `${f.fn} | random | ${normalize(f.problem)}` : `${f.fn} | ${f.where} | ${normalize(f.problem)}`;
    if (!byPosition.has(key)) byPosition.set(key, { f, kinds: [], n: 0 });
    const g = byPosition.get(key);
    g.n++;
    if (g.kinds.length < 12) g.kinds.push(random ? `#${f.iteration} (${f.kind})` : f.kind);
  }
  const entries = new Map();
  for (const g of byPosition.values()) {
    const random = g.f.phase === "random";
    const more = g.n > g.kinds.length ? `, ... (${g.n} in all)` : "";
    const values = `${g.kinds.join("; ")}${more}`;
    const key = random ? `${g.f.fn}|${normalize(g.f.problem)}` : `${normalize(g.f.problem)}|${values}`;
    if (!entries.has(key)) entries.set(key, { problem: normalize(g.f.problem), values, at: [], random });
    entries.get(key).at.push(random ? `${g.f.fn} (random phase)` : `${g.f.fn} ${g.f.where}`);
  }
  const lines = [`${title}: ${failures.length} failing case(s) at ${byPosition.size} function/slot position(s), ` +
    `${entries.size} distinct failure(s) (seed ${SEED}; rerun: GIST_FUZZ_SEED=${SEED} node --test tests/js/fuzz.test.mjs)`];
  let shown = 0;
  for (const e of entries.values()) {
    if (shown++ >= limit) {
      lines.push(`... and ${entries.size - limit} more: see target/fuzz-failures.txt`);
      break;
    }
    const at = e.at.length > positionsShown
      ? `${e.at.slice(0, positionsShown).join("; ")}; ... (${e.at.length} positions)` : e.at.join("; ");
    lines.push(`- ${at}\n    ${e.problem}\n    ${e.random ? "calls" : "values"}: ${e.values}`);
  }
  return lines.join("\n");
}

const report = [];
function writeReport() {
  mkdirSync(new URL(".", REPORT), { recursive: true });
  writeFileSync(REPORT, `${report.join("\n\n")}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// The run: one driver, started by the first test, runs the phases in order (the catalogue pass, which is
// also the warm-up; the random phase; the catalogue pass again) and each test awaits the phase it checks.
// If node:test ends a test early (it does on an uncaught error in it), the run goes on regardless.
const { memory } = await init();
const keyOf = (f) => `${f.fn}|${f.where}|${f.kind}`; // a position: pass 2 may fail it differently

function phase() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
const phases = { pass1: phase(), random: phase(), pass2: phase() };
let driver;

function startRun() {
  driver ??= (async () => {
    console.log(`gist-wasm fuzz: seed ${SEED} (GIST_FUZZ_SEED), ${ITERATIONS} random iterations (GIST_FUZZ_ITERATIONS)`);
    let started = Date.now();
    takeStats();
    const pass1 = await catalogPass("catalogue");
    pass1.stats = takeStats();
    mock.reset();
    const baseline = memory.buffer.byteLength;
    report.push(summarize(`catalogue pass (${pass1.count} cases)`, pass1.failures, { limit: Infinity, positionsShown: Infinity }));
    writeReport();
    phases.pass1.resolve({ ...pass1, ms: Date.now() - started, baseline });

    started = Date.now();
    const random = await randomPhase(SEED, ITERATIONS);
    const randomStats = takeStats();
    report.push(summarize(`random phase (seed ${SEED}, ${ITERATIONS} calls)`, random, { limit: Infinity, positionsShown: Infinity }));
    writeReport();
    phases.random.resolve({ failures: random, ms: Date.now() - started, stats: randomStats });

    started = Date.now();
    const pass2 = await catalogPass("catalogue (again)");
    pass2.stats = takeStats();
    mock.reset();
    const seen = new Set(pass1.failures.map(keyOf));
    const fresh = pass2.failures.filter((f) => !seen.has(keyOf(f)));
    const after = memory.buffer.byteLength;
    report.push(summarize(`catalogue pass again: failures not seen in the first pass (${pass2.count} cases)`, fresh, { limit: Infinity, positionsShown: Infinity }));
    report.push(`wasm memory: ${baseline} bytes after the warm-up pass, ${after} after the random phase and the second pass (growth ${after - baseline})`);
    writeReport();
    phases.pass2.resolve({ ...pass2, fresh, ms: Date.now() - started, baseline, after, pass1Count: pass1.count });
  })();
  driver.catch((error) => {
    for (const p of Object.values(phases)) p.reject(error);
  });
  return phases;
}

test(`fuzz: every function x slot x bad value (catalogue pass; seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  const { failures, count, ms, baseline, stats: outcomes } = await startRun().pass1.promise;
  t.diagnostic(`seed ${SEED} (override with GIST_FUZZ_SEED); ${CATALOGUE.length} catalogue kinds; ${count} cases in ${ms} ms; ` +
    `${failures.length} failing; wasm memory ${baseline} bytes after this warm-up pass`);
  t.diagnostic(`outcomes: ${outcomes}`);
  assert.ok(failures.length === 0, summarize(`catalogue pass (${count} cases, ${ms} ms)`, failures, { limit: 30 }));
});

test(`fuzz: seeded random phase (seed ${SEED}, ${ITERATIONS} calls)`, { timeout: 180_000 }, async (t) => {
  const { failures, ms, stats: outcomes } = await startRun().random.promise;
  t.diagnostic(`${ITERATIONS} calls in ${ms} ms, ${failures.length} failing; outcomes: ${outcomes}`);
  assert.ok(failures.length === 0, summarize(`random phase (seed ${SEED}, ${ITERATIONS} calls, ${ms} ms)`, failures, { limit: 30 }));
});

test("fuzz: the catalogue pass again gives nothing new", { timeout: 180_000 }, async (t) => {
  const { failures, fresh, count, ms, pass1Count } = await startRun().pass2.promise;
  t.diagnostic(`${count} cases in ${ms} ms, ${failures.length} failing, ${fresh.length} not failing in the first pass`);
  assert.equal(count, pass1Count);
  assert.ok(fresh.length === 0, summarize("catalogue pass again, failures not seen in the first pass", fresh));
});

test("fuzz: wasm memory stays flat after the warm-up pass", { timeout: 180_000 }, async () => {
  const { baseline, after } = await startRun().pass2.promise;
  const growth = after - baseline;
  assert.ok(growth <= MEMORY_GROWTH_LIMIT, `wasm memory: ${baseline} bytes after the warm-up pass, ${after} after the ` +
    `random phase and the second pass: it grew by ${growth} bytes, more than ${MEMORY_GROWTH_LIMIT}: a leak (seed ${SEED})`);
});

test("fuzz: the same client still works afterwards", { timeout: 180_000 }, async () => {
  await startRun().pass2.promise;
  mock.reset();
  const tags = await client.listTags({ limit: 5 });
  assert.ok(Array.isArray(tags) && tags.length > 0, "listTags({ limit: 5 }) resolves with tags");
  const user = await client.fetchUser({ id: USER.id });
  assert.equal(user.id, USER.id);
  const events = await client.listEvents({ limit: 3 });
  assert.equal(events.length, 3);
  assert.equal(normalizeEventName("a.b$c"), "a-b-c");
});

// ---------------------------------------------------------------------------------------------------------
// Hooks and the logger: the caller's own functions, which the client calls during each request. Each
// catalogue value is what every hook and logger method returns, throws, rejects with (at once or later) or
// resolves never with; and what stands for `hooks`, a hook, `logger`, a logger method, `logLevel` and
// `logBodies`. A call must resolve as if there were no hook; construction either refuses the value with
// invalid_argument or makes a client whose calls resolve. Unhandled rejections reach the watcher above.
const BEHAVIOURS = {
  returns: (v) => () => v,
  throws: (v) => () => { throw v; },
  "rejects at once": (v) => () => Promise.reject(v),
  "rejects later": (v) => async () => { await null; throw v; },
  "never settles": () => () => new Promise(() => {}),
  "gives a thenable whose then throws it": (v) => () => ({ get then() { throw v; } }),
};
const HOOK_NAMES = ["request", "response", "retry"];
const LOG_METHODS = ["debug", "info", "warn", "error"];

test("fuzz: every hook and logger method returning, throwing or rejecting with every catalogue value", { timeout: 180_000 }, async (t) => {
  const hookMock = createMockGist({ apiKey: API_KEY });
  const options = (extra) => ({ apiKey: API_KEY, baseUrl: BASE_URL, fetch: hookMock.fetch, timeoutMs: 2000, maxRetries: 1, logLevel: "debug", logBodies: true, ...extra });
  const problems = [];
  const consoleMethods = Object.fromEntries(LOG_METHODS.map((name) => [name, console[name]]));
  for (const name of LOG_METHODS) console[name] = () => {}; // the default logger, where a value leaves none
  t.after(() => Object.assign(console, consoleMethods));
  // One call that retries once (so that every hook runs), bounded in time.
  const callOnce = async (gist, what) => {
    hookMock.fail({ path: "/tags", status: 503, headers: { "retry-after": "0" }, times: 1 });
    const outcome = await Promise.race([
      gist.listTags({ limit: 1 }).then((tags) => (Array.isArray(tags) ? "resolved" : "resolved without tags"), (error) => `rejected: ${describe(error)}`),
      new Promise((resolve) => setTimeout(() => resolve(`did not settle in ${SETTLE_MS} ms`), SETTLE_MS).unref()),
    ]);
    if (outcome !== "resolved") problems.push(`${what}: ${outcome}`);
  };
  for (const entry of CATALOGUE) {
    for (const [behaviour, make] of Object.entries(BEHAVIOURS)) {
      const fn = make(entry.make());
      const hooks = Object.fromEntries(HOOK_NAMES.map((name) => [name, fn]));
      const logger = Object.fromEntries(LOG_METHODS.map((name) => [name, fn]));
      await callOnce(new GistClient(options({ hooks, logger })), `every hook and logger method ${behaviour} ${entry.kind}`);
    }
    const slots = {
      hooks: (v) => ({ hooks: v }),
      ...Object.fromEntries(HOOK_NAMES.map((name) => [`hooks.${name}`, (v) => ({ hooks: { [name]: v } })])),
      logger: (v) => ({ logger: v }),
      ...Object.fromEntries(LOG_METHODS.map((name) => [`logger.${name}`, (v) => ({ logger: { [name]: v } })])),
      logLevel: (v) => ({ logLevel: v }),
      logBodies: (v) => ({ logBodies: v }),
    };
    for (const [slotName, build] of Object.entries(slots)) {
      const what = `${slotName} = ${entry.kind}`;
      let gist;
      try {
        gist = new GistClient(options(build(entry.make())));
      } catch (error) {
        if (!(isA(error, GistError) && error.code === "invalid_argument")) problems.push(`${what}: new GistClient threw ${describe(error)}`);
        continue;
      }
      await callOnce(gist, what);
    }
  }
  assert.deepEqual(problems, []);
});

test("fuzz: no uncaught exception, unhandled rejection or process warning", { timeout: 180_000 }, async () => {
  await startRun().pass2.promise.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  const counted = new Map();
  for (const line of [...uncaught, ...warnings.map((w) => `process warning: ${w}`)]) {
    const key = line.replace(/\d{6,}(\.\d+)?(e\+\d+)?/g, "N");
    counted.set(key, (counted.get(key) ?? 0) + 1);
  }
  const lines = [...counted].map(([line, n]) => `${line}${n > 1 ? ` (${n} times)` : ""}`);
  const text = lines.length ? `process (seed ${SEED}):\n${lines.join("\n")}` : "process: no uncaught exception, unhandled rejection or warning";
  report.push(hangs > 0 ? `${text}\n(${hangs} promise(s) did not settle within ${SETTLE_MS} ms: listed with their cases above)` : text);
  writeReport();
  assert.ok(lines.length === 0, text);
});
