// gist-wasm/mock: an in-memory Gist API as a Fetch-API handler, in plain JavaScript with no dependencies
// (but `deliverWebhook`'s signing, which is the package's own `signWebhook`).
// It follows what is known of Gist's API (docs/gist-api.md in the repository): Bearer auth, `{contact}` /
// `{contacts, pages}` wrappers, `{"errors":[{code,message}]}` bodies, Gist's quirks in answers
// (user_id and phone as strings, unsubscribed_from_emails as "true"/"false"), CORS on every answer.
// Choices where Gist is unknown: per_page is capped at `maxPerPage` (60), and it and page are read as
// whole numbers (1.5 as 1); a delete answers 200 with the deleted object; a create answers 200; tagging
// ignores contact ids it does not know; event names are stored with `.` and `$` turned into `-` (switch:
// `normalizeEventNames: false`); a delivery of a
// `conversation.*` topic carries a conversation shaped as the REST API's (`deliverWebhook`); ids in paths
// and bodies are digits; a body it cannot read as Gist would (tags that are not names, an id that is
// neither a number nor a string of digits, an email that is not a string, a user_id that is neither a
// string nor a number) is 422 `parameter_invalid`, never a
// dropped connection.
// The control routes (/__mock/*) have no `*` CORS: a browser page may call them only from this server's
// own origin or a loopback one (http://127.0.0.1:*, localhost, [::1]), so no web page can rig the mock.
// Nor can a loopback one make the mock's origin run a script: a failure rule sets no header that changes
// what a browser does with an answer (and a JSON or text type), and every answer says nosniff and has a
// sandbox CSP.

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, accept",
  "access-control-expose-headers": "retry-after, x-request-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset",
};

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Radia", "Ken", "Frances", "Linus", "Margaret", "Dennis"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Perlman", "Thompson", "Allen", "Torvalds", "Hamilton", "Ritchie"];
const TAG_NAMES = ["customer", "trial", "VIP", "vip", "newsletter", "churn-risk"];
const SEGMENTS = ["Active users", "Trial accounts", "Churn risk"];
const CAMPAIGNS = [["Onboarding", "live"], ["Win-back", "paused"], ["Product updates", "live"], ["Black Friday", "draft"]];
const EVENT_NAMES = ["signed-in", "completed-order", "viewed-pricing", "invited-teammate"];
const BASE_TIME = 1_700_000_000;
const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

function json(status, body, headers = CORS) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function gistError(status, code, message, headers) {
  return json(status, { errors: [{ code, message }] }, headers);
}

function seededRandom(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function seedData(count) {
  const random = seededRandom(42);
  const tags = TAG_NAMES.map((name, i) => ({ id: i + 1, name }));
  const contacts = [];
  for (let i = 1; i <= count; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const isUser = random() < 0.6;
    const created = BASE_TIME + i * 3600;
    contacts.push({
      id: 1000 + i,
      type: isUser ? "user" : "lead",
      user_id: isUser ? String(5000 + i) : null,
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      name: `${first} ${last}`,
      phone: random() < 0.5 ? `+1555${String(1000000 + i)}` : null,
      unsubscribed_from_emails: random() < 0.1,
      created_at: created,
      updated_at: created,
      signed_up_at: isUser ? created : 0,
      last_seen_at: random() < 0.7 ? created + 600 : null,
      last_seen_ip: "203.0.113.7",
      last_seen_user_agent: "Mozilla/5.0",
      custom_properties: { plan: random() < 0.5 ? "pro" : "free", seats: 1 + Math.floor(random() * 20) },
      tags: tags.filter(() => random() < 0.2).map((t) => t.id),
      segments: [1 + Math.floor(random() * 3)],
      location_data: { city_name: "Chennai", country_code: "IN" },
    });
  }
  const segments = SEGMENTS.map((name, i) => ({ id: i + 1, name, created_at: BASE_TIME, updated_at: BASE_TIME + i }));
  const campaigns = CAMPAIGNS.map(([name, status], i) => ({
    id: 100 + i, name, status, href: `https://app.getgist.com/campaigns/${100 + i}`,
    created_at: BASE_TIME, updated_at: BASE_TIME + i * 60,
    active_subscriber_count: 40 + i * 7, unsubscribed_subscriber_count: i, email_count: 3 + i,
    email_open_rate: (41.5 - i * 3).toFixed(1), email_click_rate: (9.25 - i).toFixed(2),
  }));
  const events = contacts.slice(0, 30).map((c, i) => ({
    id: 9000 + i, name: EVENT_NAMES[i % EVENT_NAMES.length], contact_id: c.id, email: c.email,
    user_id: c.user_id, properties: { recorded_from: "mock-seed" }, occurred_at: c.created_at + 60,
  }));
  return { contacts, tags, segments, campaigns, events, nextId: 1000 + count + 1, nextEventId: 9030, nextTagId: tags.length + 1 };
}

// The `count` items of `items` from `start` on, counted from its end where `newestFirst` (last first).
function pageOf(items, start, count, newestFirst) {
  if (!newestFirst) return items.slice(start, start + count);
  const end = Math.max(0, items.length - start);
  return items.slice(Math.max(0, end - count), end).reverse();
}

// What a map made of a list stands for: the list, its length, its first and last items. A tag pushed or
// taken out by a user (at either end, or with another pushed) changes one of these, and the map is made
// again; one replaced in the middle of the list is not seen (replace the list: `state.tags = [...]`).
const stampOf = (list) => ({ of: list, size: list.length, first: list[0], last: list[list.length - 1] });
const stamped = (made, list) => made?.of === list && made.size === list.length && made.first === list[0] && made.last === list[list.length - 1];

// The state's tags by id, kept while its list of tags stands (see stampOf) or changes only through
// `fileTag` and `unfileTag`: writing a contact costs its tags, not all tags.
const tagMaps = new WeakMap();
function tagsById(state) {
  let made = tagMaps.get(state);
  if (!stamped(made, state.tags)) {
    made = { ...stampOf(state.tags), map: new Map(state.tags.map((tag) => [tag.id, tag])) };
    tagMaps.set(state, made);
  }
  return made.map;
}
// Adds a new tag to the state's tags (and to its map by id, where there is one).
function fileTag(state, tag) {
  const made = tagMaps.get(state);
  const kept = stamped(made, state.tags);
  state.tags.push(tag);
  if (kept) Object.assign(made, stampOf(state.tags)).map.set(tag.id, tag);
}
// Takes `tag` out of the state's tags (and out of its map by id, where there is one): the tags after it
// move up, in the order they were made. False where it is not among them.
function unfileTag(state, tag) {
  const made = tagMaps.get(state);
  const kept = stamped(made, state.tags);
  const at = state.tags.indexOf(tag);
  if (at < 0) return false;
  state.tags.splice(at, 1);
  if (kept) Object.assign(made, stampOf(state.tags)).map.delete(tag.id);
  return true;
}

function wireContact(c, state, byId = tagsById(state)) {
  const { tags, segments, ...rest } = c;
  return {
    ...rest,
    full_name: c.name,
    unsubscribed_from_emails: String(Boolean(c.unsubscribed_from_emails)),
    tags: (tags ?? []).map((id) => byId.get(id)).filter(Boolean),
  };
}

// The deepest body the mock stores: its answers wrap one a few levels deeper, and JSON writes every one
// back from any stack the server runs on.
const MAX_BODY_DEPTH = 512;

// Whether `value` nests more than `max` arrays or objects deep (counted without recursion).
function deeperThan(value, max) {
  const stack = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop();
    if (node === null || typeof node !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

// Whether a value JSON can write back (one that JSON.parse read may be nested past JSON.stringify's stack).
function writable(value) {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

// An id in a path or a body: a whole number written in digits (`0x3e9` and `1e3` name no contact).
const idOf = (value) => (typeof value === "number" || /^[0-9]+$/.test(String(value)) ? Number(value) : NaN);

// Copies `source`'s own fields onto `target` as fields, `__proto__` too (Object.assign would set the
// prototype with it): what a body gives is stored as given.
function assignOwn(target, source) {
  for (const [key, value] of Object.entries(source)) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

// A boolean as Gist reads one ("true"/"false" strings included).
const booleanOf = (value) => (typeof value === "string" ? value.trim().toLowerCase() === "true" : Boolean(value));

// Statuses whose answer has no body (the Response constructor refuses one).
const NO_BODY = new Set([204, 205, 304]);

// How many failure rules may wait to be spent, and their JSON text in all: rules that never match would
// otherwise hold memory till a reset (300 rules of 1 MB held 360 MB).
const MAX_RULES = 1000;
const MAX_RULE_BYTES = 10 * 1024 * 1024;

// What a failure rule may say (mock.d.ts, MockFailure): a misspelt key would make a rule that tests nothing.
const RULE_KEYS = new Set(["status", "body", "headers", "delayMs", "drop", "times", "method", "path", "bodyIncludes", "fraction"]);

// The headers a failure rule may not set: those that change what a browser does with an answer (a
// cookie, a service worker's scope, the policies that keep it inert, CORS), and a type other than JSON or
// text. They would let whoever may set rules, a page of any loopback origin included, make the mock's
// origin serve a page or a service worker. Any other header an API may send goes.
const BROWSER_HEADERS = /^(set-cookie2?|service-worker-allowed|content-security-policy(-report-only)?|x-content-type-options|access-control-.*|refresh|link|content-disposition|x-frame-options|cross-origin-.*|permissions-policy|clear-site-data|origin-agent-cluster|(www|proxy)-authenticate)$/i;
const RULE_CONTENT_TYPE = /^\s*(application\/([\w.+-]+\+)?json|text\/plain)\s*(;|$)/i;
// The headers that frame an answer on its connection, which the mock's server writes itself: one a rule
// set would not match the body, and the next answer on a kept-alive connection would read as garbage.
const FRAMING_HEADERS = /^(content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|content-encoding)$/i;

// What every answer carries, so that a browser never runs one as a page or a script, whatever its body.
const INERT = { "x-content-type-options": "nosniff", "content-security-policy": "sandbox; default-src 'none'" };

// Checks a failure rule when it is given, not when a request meets it: a rule the mock could not answer
// with would drop the connection instead.
function checkedRule(rule) {
  const refuse = (what) => {
    throw new TypeError(`mock gist: a failure rule's ${what}`);
  };
  if (rule === null || typeof rule !== "object" || Array.isArray(rule)) refuse("value must be an object");
  const unknown = Object.keys(rule).find((key) => !RULE_KEYS.has(key));
  if (unknown !== undefined) refuse(`key ${JSON.stringify(unknown).slice(0, 80)} is not one of ${[...RULE_KEYS].join(", ")}`);
  const { status, headers, times = 1, delayMs = 0, fraction = 0 } = rule;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) refuse(`status must be a whole number from 200 to 599, not ${JSON.stringify(status)}`);
  if (!((Number.isInteger(times) && times >= 1) || times === Infinity)) refuse("times must be a whole number from 1, or Infinity");
  if (!(typeof delayMs === "number" && delayMs >= 0 && delayMs <= 2 ** 31 - 1)) refuse("delayMs must be a number of milliseconds");
  if (!(typeof fraction === "number" && fraction >= 0 && fraction <= 1)) refuse("fraction must be a number from 0 to 1");
  if (headers !== undefined) {
    if (headers === null || typeof headers !== "object" || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === "string" || typeof v === "number")) refuse("headers must be an object of strings");
    // A Headers or a Map has no own entries to send: it would pass as an empty object. (A plain object
    // of another realm is one: its tag is Object's.)
    if (Object.prototype.toString.call(headers) !== "[object Object]") refuse("headers must be a plain object of strings (of a Headers: Object.fromEntries(headers))");
    try {
      new Headers(headers);
    } catch {
      refuse("headers cannot be sent as HTTP headers");
    }
    // Headers takes control characters that Node's HTTP server then refuses to write.
    if (!Object.values(headers).every((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(String(v)))) refuse("headers cannot be sent as HTTP headers");
    const framing = Object.keys(headers).find((name) => FRAMING_HEADERS.test(name));
    if (framing !== undefined) refuse(`header ${JSON.stringify(framing).slice(0, 80)} frames the answer, which the mock writes itself`);
    const browsers = Object.keys(headers).find((name) => BROWSER_HEADERS.test(name));
    if (browsers !== undefined) refuse(`header ${JSON.stringify(browsers).slice(0, 80)} changes what a browser does with the answer, which the mock's rules may not`);
    // A name given twice (in any case) is sent as one header of both values, joined by a comma: so is a
    // comma in a type, which a browser may read as the last type of a list.
    const twice = Object.keys(headers).find((name, i, names) => names.findIndex((n) => n.toLowerCase() === name.toLowerCase()) !== i);
    if (twice !== undefined) refuse(`header ${JSON.stringify(twice).slice(0, 80)} is given twice`);
    const type = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
    if (type !== undefined && (!RULE_CONTENT_TYPE.test(String(type)) || String(type).includes(","))) refuse(`content-type must be JSON or text/plain, not ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
  if (!writable(rule.body)) refuse("body cannot be written as JSON");
  for (const key of ["method", "path", "bodyIncludes"]) if (rule[key] !== undefined && typeof rule[key] !== "string") refuse(`${key} must be a string`);
  return { times: 1, ...rule };
}

// Why an id in a body (a contact's or a tag's: a number or a string of digits) cannot be read as Gist
// reads one, or undefined; none (undefined, null) is no problem.
function idProblem(id) {
  if (id === undefined || id === null || typeof id === "number" || /^[0-9]+$/.test(typeof id === "string" ? id : "")) return undefined;
  return "id must be a number or a string of digits";
}

// Why the fields a body finds its contact by (id; email; user_id, a string or a number: docs/gist-api.md)
// cannot be read as Gist reads them, or undefined.
function lookupProblem(body) {
  const id = idProblem(body.id);
  if (id) return id;
  if (body.email !== undefined && body.email !== null && typeof body.email !== "string") return "email must be a string";
  if (body.user_id !== undefined && body.user_id !== null && !["string", "number"].includes(typeof body.user_id)) return "user_id must be a string or a number";
  return undefined;
}

// Why a contact body cannot be read as Gist reads one, or undefined.
function contactBodyProblem(body) {
  const lookup = lookupProblem(body);
  if (lookup) return lookup;
  // Read as text once the contact is being written: an object (whose toString may throw) is refused first.
  if (body.phone !== undefined && body.phone !== null && typeof body.phone === "object") return "phone must be a string or a number";
  if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((t) => typeof t === "string"))) return "tags must be an array of tag names";
  if (body.custom_properties !== undefined && (body.custom_properties === null || typeof body.custom_properties !== "object" || Array.isArray(body.custom_properties))) {
    return "custom_properties must be an object";
  }
  return undefined;
}

// Waits `ms`. Once `signal` (the request's) aborts, the wait no longer holds the process (a test whose
// call gave up ends at once), but it goes on: the rule then acts as a slow server would, its client gone.
function delay(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const letGo = () => (typeof timer === "object" ? timer.unref?.() : globalThis.Deno?.unrefTimer?.(timer));
    if (signal.aborted) letGo();
    else signal.addEventListener("abort", letGo, { once: true });
  });
}

// What `fetch` does with `handle`: a request it cannot make rejects (a relative URL, a method the Fetch API
// refuses), and its `signal` aborts it, before or while it is answered, with the signal's reason.
async function fetchLike(handle, input, init) {
  const request = new Request(input, init);
  const { signal } = request;
  signal.throwIfAborted();
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([handle(request), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

// Whether a rule applies to a request; a rule with a `fraction` applies to that share of the requests it
// matches, drawn from `chance` (the mock's seeded random).
function matchesRule(rule, request, url, text, chance) {
  if (rule.method && rule.method.toUpperCase() !== request.method) return false;
  if (rule.path && !url.pathname.startsWith(rule.path)) return false;
  if (rule.bodyIncludes && !text.includes(rule.bodyIncludes)) return false;
  return rule.fraction === undefined || chance() < rule.fraction;
}

// The options createMockGist takes, and the check of each value given.
const MOCK_OPTIONS = {
  apiKey: (v) => typeof v === "string" && v !== "",
  contacts: (v) => Number.isInteger(v) && v >= 0,
  maxPerPage: (v) => Number.isInteger(v) && v >= 1,
  normalizeEventNames: (v) => typeof v === "boolean",
  maxLoggedRequests: (v) => Number.isInteger(v) && v >= 0,
  seed: (v) => Number.isFinite(v),
  basePath: (v) => typeof v === "string" && /^(\/[^/?#]+)*$/.test(v),
};

// `options` as createMockGist takes them: a typo or a value of the wrong kind is a TypeError, not ignored.
function checkedOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new TypeError("mock gist: options must be an object");
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(MOCK_OPTIONS, key)) throw new TypeError(`mock gist: no option ${JSON.stringify(key)} (it takes ${Object.keys(MOCK_OPTIONS).join(", ")})`);
    if (value !== undefined && !MOCK_OPTIONS[key](value)) throw new TypeError(`mock gist: ${key} cannot be ${JSON.stringify(value) ?? String(value)}`);
  }
  return options;
}

// A rate limit as limit() takes it: a positive number of requests a second, and a burst of at least 1.
function checkedLimit(settings) {
  if (settings === null || settings === undefined) return undefined;
  let unknown, perSecond, burst;
  try {
    const proto = Object.getPrototypeOf(settings);
    if (typeof settings !== "object" || (proto !== Object.prototype && proto !== null)) throw new Error();
    unknown = Object.keys(settings).find((key) => key !== "perSecond" && key !== "burst");
    ({ perSecond, burst = Math.max(1, perSecond / 10) } = settings);
  } catch {
    throw new TypeError("mock gist: limit takes a plain object { perSecond, burst? }, or null");
  }
  if (unknown !== undefined) throw new TypeError(`mock gist: limit has no setting ${JSON.stringify(unknown)} (it takes perSecond, burst)`);
  if (!(typeof perSecond === "number" && perSecond > 0 && Number.isFinite(perSecond))) throw new TypeError("mock gist: limit's perSecond must be a positive number");
  if (!(typeof burst === "number" && burst >= 1 && Number.isFinite(burst))) throw new TypeError("mock gist: limit's burst must be a number from 1");
  return { perSecond, burst };
}

/**
 * Creates a mock Gist API. `apiKey` (default "mock-key") is the only key it accepts; `contacts` is the
 * size of the seeded data set (default 240, users and leads mixed); `maxPerPage` caps `per_page` (60);
 * `maxLoggedRequests` is how many of the latest requests the log keeps (1000); `seed` (1) seeds which
 * requests a failure rule with a `fraction` hits; `basePath` ("") is the path it is served under ("/api":
 * `/api/contacts`, `/api/__mock/reset`), which its pages links keep.
 */
// What the request log keeps of `text`: its first 4096 characters, copied (V8's slice of a long string
// keeps the whole string: a logged request's first 4 KB would keep its megabyte).
const logged = (text) => JSON.parse(JSON.stringify(text.slice(0, 4096)));

export function createMockGist(options = {}) {
  options = checkedOptions(options);
  const apiKey = options.apiKey ?? "mock-key";
  const seedCount = options.contacts ?? 240;
  const maxPerPage = options.maxPerPage ?? 60;
  const normalizeNames = options.normalizeEventNames ?? true;
  const maxLogged = options.maxLoggedRequests ?? 1000;
  const basePath = options.basePath ?? "";
  let state;
  let chance;
  let rules = [];
  const requests = [];
  let rateLimit; // { perSecond, burst }: a token bucket for the API key
  let bucket; // { tokens, at }, from the key's first request under a limit
  let limited;

  function reset() {
    state = seedData(seedCount);
    chance = seededRandom(options.seed ?? 1);
    rules = [];
    requests.length = 0;
    bucket = undefined;
    limited = { admitted: 0, refused: 0 };
    rateLimit = undefined;
  }
  reset();

  // Contacts by id, user_id and lower-cased email, so that lookups stay fast with 100,000 contacts.
  // Rebuilt whenever the list is replaced or changes length behind the index's back; a hit is checked
  // against the contact's current field, so a changed email or user_id never finds the wrong one. A key
  // whose holder the index may not name (`unsure`: one two contacts held at once, or one a contact left
  // with) is looked for in the list once, on a miss, and filed or dropped; past as many unsure keys as
  // contacts, the index is made afresh.
  let index;
  const INDEXED = ["id", "user_id", "email"];
  const keyOf = (field, contact) => (field === "email" ? contact?.email?.toLowerCase() : contact?.[field]);
  function indexed() {
    if (index?.list !== state.contacts || index.size !== state.contacts.length) {
      index = { list: state.contacts, size: state.contacts.length, unsure: {} };
      for (const field of INDEXED) [index[field], index.unsure[field]] = [new Map(), new Set()];
      state.contacts.forEach(remember);
    }
    return index;
  }
  // Files a contact under its current keys, noting a key another contact holds too.
  function remember(contact) {
    for (const field of INDEXED) {
      const key = keyOf(field, contact);
      if (!key) continue;
      const holder = index[field].get(key);
      if (holder !== undefined && holder !== contact && keyOf(field, holder) === key) index.unsure[field].add(key);
      index[field].set(key, contact);
    }
  }
  // Takes a contact about to leave the list out of the index.
  function forget(contact) {
    indexed();
    for (const field of INDEXED) {
      const key = keyOf(field, contact);
      if (key && index[field].get(key) === contact) {
        index[field].delete(key);
        index.unsure[field].add(key);
      }
    }
    index.size -= 1;
    if (INDEXED.reduce((sum, field) => sum + index.unsure[field].size, 0) > index.size) index = undefined;
  }
  // The contact whose `field` is `value` (an email in any case), or undefined.
  function contactBy(field, value) {
    const key = field === "email" ? String(value).toLowerCase() : value;
    const { [field]: map, unsure } = indexed();
    const contact = map.get(key);
    if (keyOf(field, contact) === key) return contact;
    if (!unsure[field].has(key)) return undefined;
    const other = state.contacts.findLast((c) => keyOf(field, c) === key);
    if (other) map.set(key, other);
    else unsure[field].delete(key);
    return other;
  }

  // Whether the API key's token bucket holds a token for this request (and takes it); counted in
  // `limited`. A request with another key is not limited (it is refused 401) and keeps no bucket.
  function admitted(request) {
    if (!rateLimit || request.headers.get("authorization") !== `Bearer ${apiKey}`) return true;
    const now = performance.now();
    bucket ??= { tokens: rateLimit.burst, at: now };
    bucket.tokens = Math.min(rateLimit.burst, bucket.tokens + ((now - bucket.at) / 1000) * rateLimit.perSecond);
    bucket.at = now;
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    limited[ok ? "admitted" : "refused"] += 1;
    return ok;
  }

  const ruleBytes = new WeakMap();
  // Keeps a checked rule, or throws a RangeError past MAX_RULES or MAX_RULE_BYTES.
  function addRule(rule) {
    const bytes = JSON.stringify(rule).length;
    const held = rules.reduce((sum, r) => sum + ruleBytes.get(r), 0);
    if (rules.length >= MAX_RULES || held + bytes > MAX_RULE_BYTES) {
      throw new RangeError(`mock gist: at most ${MAX_RULES} failure rules, ${MAX_RULE_BYTES} bytes of JSON in all, may wait to be spent (${rules.length} wait, ${held} bytes): reset() forgets them`);
    }
    ruleBytes.set(rule, bytes);
    rules.push(rule);
  }

  function fail(rule) {
    addRule(checkedRule(rule));
  }

  function findContact(url) {
    const email = url.searchParams.get("email");
    const userId = url.searchParams.get("user_id");
    if (email !== null) return contactBy("email", email);
    if (userId !== null) return contactBy("user_id", userId);
    return undefined;
  }

  // The order of the last listing of contacts, by its query but the page: a walk of n contacts takes each
  // page in time of the page, not of every contact. Made again when the contacts change (`changed`), or
  // their list is replaced or changes length (a caller may push to it).
  let listed;
  let version = 0;
  const changed = () => (version += 1);

  function listContacts(url) {
    const q = new URLSearchParams(url.searchParams);
    q.delete("page");
    q.delete("per_page");
    const query = q.toString();
    if (listed?.query !== query || listed.version !== version || listed.of !== state.contacts || listed.size !== state.contacts.length) {
      listed = { query, version, of: state.contacts, size: state.contacts.length, list: sortedContacts(q) };
    }
    const byId = tagsById(state);
    return paged(url, listed.list, "contacts", (c) => wireContact(c, state, byId));
  }

  function sortedContacts(q) {
    let list = state.contacts.slice();
    const tagId = q.get("tag_id");
    if (tagId) list = list.filter((c) => c.tags?.includes(Number(tagId)));
    const segmentId = q.get("segment_id");
    if (segmentId) list = list.filter((c) => c.segments?.includes(Number(segmentId)));
    const since = q.get("created_since");
    if (since) list = list.filter((c) => c.created_at >= Number(since));
    const orderBy = q.get("order_by") || "created_at";
    const direction = q.get("order") === "asc" ? 1 : -1;
    list.sort((a, b) => ((a[orderBy] ?? 0) - (b[orderBy] ?? 0)) * direction || (a.id - b.id) * direction);
    return list;
  }

  // A page of `items` (those of `newestFirst`: last first), each written by `wire` (a copy by default).
  function paged(url, items, key, wire = (item) => ({ ...item }), newestFirst = false) {
    // Whole numbers: a page of 1.5 is page 1 (its next link page 2), not the page that starts at item 1.5.
    const whole = (name) => Math.floor(Number(url.searchParams.get(name)));
    const page = Math.max(1, whole("page") || 1);
    const perPage = Math.min(maxPerPage, Math.max(1, whole("per_page") || 50));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n) => {
      const u = new URL(url);
      u.pathname = `${basePath}${url.pathname}`;
      u.searchParams.set("page", String(n));
      return u.toString();
    };
    return json(200, {
      [key]: pageOf(items, (page - 1) * perPage, perPage, newestFirst).map(wire),
      pages: { first: link(1), last: link(last), next: page < last ? link(page + 1) : null },
    });
  }

  // Tags by name (`map`: of several with one name, the last made; `all`: each name's tags), made again
  // when the list of tags is replaced or changes length but through tagIds and unfile; a hit is checked
  // against the tag's current name, and a renamed tag refiled (refile).
  let named;
  function tagsByName() {
    if (!stamped(named, state.tags)) {
      named = { ...stampOf(state.tags), map: new Map(), all: new Map() };
      for (const tag of state.tags) file(named, tag);
    }
    return named;
  }
  function file({ map, all }, tag) {
    const holder = map.get(tag.name);
    if (holder?.name !== tag.name || holder.id < tag.id) map.set(tag.name, tag);
    if (!all.has(tag.name)) all.set(tag.name, new Set());
    all.get(tag.name).add(tag);
  }
  // Takes `tag` off the name `was`, which goes to the last made of its other tags (costs those).
  function unfile({ map, all }, tag, was) {
    const others = all.get(was);
    others?.delete(tag);
    if (others?.size === 0) all.delete(was);
    if (map.get(was) !== tag) return;
    let last;
    for (const other of others ?? []) if (!last || other.id > last.id) last = other;
    if (last) map.set(was, last);
    else map.delete(was);
  }

  // Files a tag renamed from `was` under its new name, and `was` under the last other tag of that name.
  function refile(tag, was) {
    const byName = tagsByName();
    unfile(byName, tag, was);
    file(byName, tag);
  }

  function tagIds(names) {
    const byName = tagsByName();
    return (names || []).map((name) => {
      let tag = byName.map.get(name);
      if (tag?.name !== name) {
        tag = { id: state.nextTagId++, name }; // a deleted tag's id is never given again
        fileTag(state, tag);
        file(Object.assign(byName, stampOf(state.tags)), tag);
      }
      return tag.id;
    });
  }

  function upsertContact(body) {
    if (!body || typeof body !== "object" || Array.isArray(body)) return gistError(400, "parameter_invalid", "Body must be a JSON object");
    const problem = contactBodyProblem(body);
    if (problem) return gistError(422, "parameter_invalid", problem);
    const userId = body.user_id === undefined || body.user_id === null || body.user_id === "" ? undefined : String(body.user_id);
    const now = Math.floor(Date.now() / 1000);
    let contact =
      (body.id !== undefined && contactBy("id", idOf(body.id))) ||
      (userId !== undefined && contactBy("user_id", userId)) ||
      (body.email && contactBy("email", body.email));
    if (!contact && userId === undefined && !body.email) {
      return gistError(422, "parameter_invalid", "Either email or user_id is required");
    }
    if (!contact) {
      contact = {
        id: state.nextId++, type: "lead", user_id: null, email: null, name: null, phone: null,
        unsubscribed_from_emails: false, created_at: now, updated_at: now, signed_up_at: 0, last_seen_at: null,
        custom_properties: {}, tags: [], segments: [],
      };
      state.contacts.push(contact);
      index.size += 1;
    } else {
      contact.updated_at = Math.max(now, contact.created_at + 1);
    }
    const before = INDEXED.map((field) => keyOf(field, contact));
    // What Gist keeps for itself (ids, type, times it sets, segments) is not taken from a body.
    const { id, type, user_id, tags, custom_properties, phone, segments, created_at, updated_at, unsubscribed_from_emails, ...fields } = body;
    assignOwn(contact, fields);
    if (phone !== undefined) contact.phone = phone === null ? null : String(phone);
    if (unsubscribed_from_emails !== undefined) contact.unsubscribed_from_emails = booleanOf(unsubscribed_from_emails);
    if (userId !== undefined) contact.user_id = userId;
    contact.type = contact.user_id && type !== "lead" ? "user" : "lead";
    if (contact.type === "lead") contact.user_id = null; // a lead is a contact without a user_id
    if (custom_properties) assignOwn(contact.custom_properties, custom_properties);
    if (tags) contact.tags = [...new Set([...(contact.tags ?? []), ...tagIds(tags)])];
    changed();
    // A key it gave up leaves the index, where the index names it (one another contact holds too is
    // unsure already): an email changed at every upsert would otherwise stay filed for good.
    INDEXED.forEach((field, i) => {
      if (before[i] && before[i] !== keyOf(field, contact) && index[field].get(before[i]) === contact) index[field].delete(before[i]);
    });
    remember(contact);
    return json(200, { contact: wireContact(contact, state) });
  }

  function tagWire(tag) {
    return { ...tag };
  }

  function writeTag(body) {
    if (!body || typeof body !== "object") return gistError(400, "parameter_invalid", "Body must be a JSON object");
    const targets = (Array.isArray(body.contacts) ? body.contacts : []).filter((target) => target !== null && typeof target === "object");
    const problem = [body.id, ...targets.map((target) => target.id)].map(idProblem).find(Boolean);
    if (problem) return gistError(422, "parameter_invalid", problem);
    if (body.id !== undefined) {
      const tag = tagsById(state).get(idOf(body.id));
      if (!tag) return gistError(404, "not_found", "Tag not found");
      if (typeof body.name === "string" && body.name) {
        const was = tag.name;
        tag.name = body.name;
        refile(tag, was);
      }
      return json(200, { tag: tagWire(tag) });
    }
    if (typeof body.name !== "string" || !body.name) return gistError(422, "parameter_invalid", "name is required");
    const [id] = tagIds([body.name]);
    // Each contact named, and whether its last entry untags it (as the entries would leave it, one by
    // one): each contact's tags are written once, so that a contact named many times costs no more.
    const untagged = new Map();
    for (const target of targets) {
      const contact = contactBy("id", idOf(target.id));
      if (contact) untagged.set(contact, booleanOf(target.untag));
    }
    for (const [contact, untag] of untagged) {
      contact.tags = (contact.tags ?? []).filter((t) => t !== id);
      if (!untag) contact.tags.push(id);
    }
    if (untagged.size > 0) changed();
    return json(200, { tag: tagWire(tagsByName().map.get(body.name)) });
  }

  function deleteTag(id) {
    const tag = tagsById(state).get(idOf(id));
    const byName = tagsByName();
    if (!tag || !unfileTag(state, tag)) return gistError(404, "not_found", "Tag not found");
    unfile(Object.assign(byName, stampOf(state.tags)), tag, tag.name);
    for (const c of state.contacts) if (c.tags?.includes(tag.id)) c.tags = c.tags.filter((t) => t !== tag.id);
    changed();
    return json(200, { tag: tagWire(tag) });
  }

  function segmentWire(segment, url) {
    if (url.searchParams.get("include_count") !== "true") return { ...segment };
    return { ...segment, count: state.contacts.filter((c) => c.segments?.includes(segment.id)).length };
  }

  function recordEvent(body) {
    if (!body || typeof body !== "object" || typeof body.event_name !== "string" || !body.event_name) {
      return gistError(422, "parameter_invalid", "event_name is required");
    }
    const problem = lookupProblem(body);
    if (problem) return gistError(422, "parameter_invalid", problem);
    const userId = body.user_id === undefined || body.user_id === null ? undefined : String(body.user_id);
    const contact =
      (body.id !== undefined && contactBy("id", idOf(body.id))) ||
      (userId !== undefined && contactBy("user_id", userId)) ||
      (typeof body.email === "string" && contactBy("email", body.email));
    if (!contact) return gistError(404, "not_found", "Contact not found");
    const name = normalizeNames ? body.event_name.replace(/[.$]/g, "-") : body.event_name;
    const event = {
      id: state.nextEventId++, name, contact_id: contact.id, email: contact.email, user_id: contact.user_id,
      properties: body.properties || {}, occurred_at: body.occurred_at ?? Math.floor(Date.now() / 1000),
    };
    state.events.push(event);
    return json(200, { event });
  }

  function byId(list, id, what) {
    const item = list.find((x) => x.id === idOf(id));
    return item ? json(200, { [what]: { ...item } }) : gistError(404, "not_found", `${what} not found`);
  }

  function deleteContact(found) {
    let contact = found;
    if (contact && !state.contacts.includes(contact)) {
      // The index held an object the list no longer does (one replaced in `state`): looked up afresh.
      index = undefined;
      contact = contactBy("id", contact.id);
    }
    if (!contact) return gistError(404, "not_found", "Contact not found");
    forget(contact);
    state.contacts.splice(state.contacts.indexOf(contact), 1);
    changed();
    return json(200, { contact: wireContact(contact, state) });
  }

  /** The control routes: only for non-browser callers and pages of this server's or a loopback origin. */
  async function control(request, url) {
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== url.origin && !LOOPBACK_ORIGIN.test(origin)) {
      return gistError(403, "forbidden", "The mock's control routes do not answer other sites' pages", {});
    }
    const cors = origin === null ? {} : { ...CORS, "access-control-allow-origin": origin, vary: "origin" };
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
    if (url.pathname === "/__mock/reset" && request.method === "POST") {
      reset();
      return json(200, { ok: true }, cors);
    }
    if (url.pathname === "/__mock/fail" && request.method === "POST") {
      let rule;
      try {
        addRule(checkedRule(await request.json()));
      } catch (error) {
        return gistError(400, "parameter_invalid", error instanceof SyntaxError ? "The failure rule is not JSON" : error.message, cors);
      }
      return json(200, { ok: true }, cors);
    }
    if (url.pathname === "/__mock/requests" && request.method === "GET") {
      return json(200, { requests }, cors);
    }
    return gistError(404, "not_found", "Unknown mock control route", cors);
  }

  // `text` as JSON, or undefined where it is none.
  function parsedOrUndefined(text) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  async function route(request, url, text) {
    const parts = url.pathname.split("/").filter(Boolean);
    const [resource, id] = parts;
    const body = ["POST", "PUT", "PATCH"].includes(request.method) ? parsedOrUndefined(text) : undefined;
    if (deeperThan(body, MAX_BODY_DEPTH)) return gistError(422, "parameter_invalid", `The body nests deeper than ${MAX_BODY_DEPTH} levels, which the mock does not store`);
    if (resource === "contacts" && parts.length <= 2) {
      if (request.method === "GET" && id) {
        const contact = contactBy("id", idOf(id));
        return contact ? json(200, { contact: wireContact(contact, state) }) : gistError(404, "not_found", "Contact not found");
      }
      if (request.method === "GET") {
        if (url.searchParams.has("email") || url.searchParams.has("user_id")) {
          const contact = findContact(url);
          return contact ? json(200, { contact: wireContact(contact, state) }) : gistError(404, "not_found", "Contact not found");
        }
        return listContacts(url);
      }
      if (request.method === "POST" && !id) return upsertContact(body);
      if (request.method === "DELETE") {
        return deleteContact(id ? contactBy("id", idOf(id)) : findContact(url));
      }
    }
    if (resource === "tags" && parts.length <= 2) {
      if (request.method === "GET" && !id) return paged(url, state.tags, "tags", tagWire);
      if (request.method === "POST" && !id) return writeTag(body);
      if (request.method === "DELETE" && id) return deleteTag(id);
    }
    if (resource === "segments" && parts.length <= 2 && request.method === "GET") {
      if (id) {
        const segment = state.segments.find((x) => x.id === idOf(id));
        return segment ? json(200, { segment: segmentWire(segment, url) }) : gistError(404, "not_found", "segment not found");
      }
      return paged(url, state.segments, "segments", (x) => segmentWire(x, url));
    }
    if (resource === "campaigns" && parts.length <= 2 && request.method === "GET") {
      if (id) return byId(state.campaigns, id, "campaign");
      if (url.searchParams.has("campaign_id")) return byId(state.campaigns, url.searchParams.get("campaign_id"), "campaign");
      return paged(url, state.campaigns, "campaigns");
    }
    if (resource === "events" && parts.length === 1) {
      if (request.method === "POST") return recordEvent(body);
      if (request.method === "GET") {
        const type = url.searchParams.get("event_type");
        if (type !== "all") return gistError(400, "parameter_invalid", "event_type=all is required");
        return paged(url, state.events, "events", undefined, true);
      }
    }
    return gistError(404, "not_found", `No route for ${request.method} ${url.pathname}`);
  }

  /** Answers one Fetch-API request, every answer inert in a browser (INERT). */
  async function handle(request) {
    const response = await answer(request);
    for (const [name, value] of Object.entries(INERT)) response.headers.set(name, value);
    return response;
  }

  // The answer to one Fetch-API request, routed by its path under `basePath`.
  async function answer(request) {
    const url = new URL(request.url);
    if (basePath) {
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return gistError(404, "not_found", `The mock answers only under ${basePath}`);
      url.pathname = url.pathname.slice(basePath.length);
    }
    if (url.pathname.startsWith("/__mock/")) return control(request, url);
    if (request.method === "OPTIONS") {
      // A browser may send any header a call adds (RequestOptions.headers): the preflight allows what it asks.
      const asked = request.headers.get("access-control-request-headers");
      return new Response(null, { status: 204, headers: asked ? { ...CORS, "access-control-allow-headers": asked } : CORS });
    }
    // Read once, not from a clone: Node 20 holds a clone's body (about 1 KB a request) for as long as
    // the event loop gets no turn.
    const text = ["GET", "HEAD"].includes(request.method) ? "" : await request.text();
    requests.push({ method: request.method, path: logged(url.pathname), query: logged(url.search), body: logged(text) });
    if (requests.length > maxLogged) requests.shift();
    if (!admitted(request)) {
      return gistError(429, "rate_limited", "Rate limit exceeded", { ...CORS, "retry-after": "1" });
    }
    const rule = rules.find((r) => matchesRule(r, request, url, text, chance));
    if (rule) {
      rule.times -= 1;
      if (rule.times <= 0) rules.splice(rules.indexOf(rule), 1); // a spent rule costs later requests nothing
      if (rule.delayMs) await delay(rule.delayMs, request.signal);
      if (rule.drop) throw new TypeError("mock gist: connection dropped");
      if (rule.status) {
        const text = typeof rule.body === "string" ? rule.body : JSON.stringify(rule.body ?? { errors: [{ code: "mock_failure", message: `Mock failure ${rule.status}` }] });
        // The rule's headers replace the mock's own of the same name, whatever its case.
        const headers = new Headers({ "content-type": "application/json", ...CORS });
        for (const [name, value] of Object.entries(rule.headers || {})) headers.set(name, value);
        return new Response(NO_BODY.has(rule.status) ? null : text, { status: rule.status, headers });
      }
    }
    if (request.headers.get("authorization") !== `Bearer ${apiKey}`) {
      return gistError(401, "unauthorized", "Invalid or missing API key");
    }
    try {
      return await route(request, url, text);
    } catch (error) {
      // A body this mock cannot read as Gist would: refused as Gist refuses one, not a dropped connection.
      return gistError(422, "parameter_invalid", `The mock cannot read this request (${error.message})`);
    }
  }

  // A delivery about `topic` as Gist posts it: the mock's newest contact of the topic's kind, and the
  // workspace; a conversation topic's carries a conversation with that contact instead (its shape is the
  // REST API's conversation object: Gist's conversation deliveries are unknown).
  function deliveryAbout(topic) {
    const kind = topic.startsWith("lead") ? "lead" : "user";
    const contact = [...state.contacts].reverse().find((c) => c.type === kind) ?? state.contacts.at(-1);
    const workspace = { id: 9539, name: "Mock workspace" };
    // The contact as the REST API answers it (tags as {id, name}, its flag as a string), as Gist posts it.
    if (!topic.startsWith("conversation")) return { topic, contact: contact && wireContact(contact, state), workspace };
    const conversation = {
      id: 7001, state: topic.endsWith("closed") ? "closed" : "open", contacts: contact ? [{ id: contact.id }] : [],
      assignee: null, tags: [], custom_properties: {}, created_at: BASE_TIME, updated_at: BASE_TIME,
    };
    return { topic, conversation, workspace };
  }

  // A delivery's body: an object's JSON, as Gist posts; anything else is the package's `invalid_argument`.
  function deliveryBody(event, GistError) {
    const refused = (why) => new GistError("invalid_argument", `mock.deliverWebhook(url, event): ${why}`);
    let body;
    try {
      const proto = event !== null && typeof event === "object" ? Object.getPrototypeOf(event) : undefined;
      if (proto !== null && proto !== Object.prototype) throw refused("event must be a topic or a plain body object ({ ... })");
      body = JSON.stringify(event);
    } catch (error) {
      if (error instanceof GistError) throw error;
      throw refused("the event cannot be read or written as JSON (a BigInt, a cycle, or a getter or Proxy trap that throws)");
    }
    if (!body?.startsWith("{")) throw refused("the event must be written as a JSON object (its toJSON gave something else)");
    return body;
  }

  /**
   * POSTs a webhook delivery to `url`: `event` is a topic ("user.created"), whose body is a realistic
   * delivery about the mock's newest matching contact, or a body object; `options`, if given, sign it as
   * `verifyWebhook(…, options)` expects. Signing uses the package's `signWebhook`, so the package must be
   * loaded (import gist-wasm first). Resolves the receiver's Response.
   */
  async function deliverWebhook(url, event, options) {
    const { GistError, signWebhook } = await import("./webhooks.js");
    if (typeof event === "string" && event.trim() === "") throw new GistError("invalid_argument", "mock.deliverWebhook(url, event): the topic is empty");
    let protocol;
    try {
      ({ protocol } = new URL(url, globalThis.location?.href)); // relative to a page, as its fetch reads it
    } catch {
      // Not a URL: refused below.
    }
    if (protocol !== "http:" && protocol !== "https:") throw new GistError("invalid_argument", "mock.deliverWebhook(url, event): url must be an http: or https: URL (relative only in a page)");
    const body = deliveryBody(typeof event === "string" ? deliveryAbout(event) : event, GistError);
    const headers = { "content-type": "application/json" };
    if (options !== undefined && options !== null) Object.assign(headers, await signWebhook(body, options));
    try {
      // Not redirected: the receiver's own answer, and its secret to no other host.
      return await fetch(url, { method: "POST", headers, body, redirect: "manual" });
    } catch (error) {
      // Not the URL, which may hold an email (the caller has it).
      throw new GistError("network_error", `mock.deliverWebhook: the receiver could not be reached (${error?.cause?.code ?? error?.name})`);
    }
  }

  return {
    handle,
    deliverWebhook,
    /** A `fetch` replacement that answers from this mock, with no network at all. */
    fetch: (input, init) => fetchLike(handle, input, init),
    /**
     * Makes the next matching request(s) fail: `{ status?, body?, headers?, delayMs?, drop?, times?, method?,
     * path?, bodyIncludes?, fraction? }` (a 204, 205 or 304 has no body); throws a TypeError for a rule it
     * could not answer with (a status outside 200-599, headers HTTP cannot carry, times below 1, ...).
     */
    fail,
    /**
     * Limits the API key to `perSecond` requests a second, a token bucket of `burst` tokens (default
     * perSecond / 10, at least 1): a request past it is answered 429 with `Retry-After: 1`, before any
     * failure rule (a request with another key is not limited); `limit(null)` lifts it. A new limit
     * applies at once, to the bucket as it stands.
     */
    limit(settings) {
      rateLimit = checkedLimit(settings);
    },
    /** The requests the rate limit let through and refused since the last reset. */
    get limited() {
      return { ...limited };
    },
    /** Restores the seeded data set and forgets failures, the rate limit and the request log. */
    reset,
    /** The latest API requests received (at most `maxLoggedRequests`), oldest first: `{ method, path, query, body }`. */
    requests,
    get state() {
      return state;
    },
  };
}
