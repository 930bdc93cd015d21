// The runtime reads webhooks and list pages from JSON.parse with the core's rules (normalize.js, declared.js) and
// lets the core read the text only where JSON.parse may have lost what a rule needs. Property tests: over random
// bodies full of Gist's quirks (numbers written every way, ids as strings, "true"/"false", duplicate keys, odd
// whitespace, deep nesting), parseWebhook and every list* give exactly what the core's own reading gives; and
// the runtime settles most of them itself, so that the check is not vacuous.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const installed = fileURLToPath(new URL("../../node_modules/gist-wasm/", import.meta.url));
// The package's default entry and its internals, in one module graph (one wasm instance).
const { GistClient, parseWebhook } = await import(`${installed}index.js`);
const { Core, callEnd, callRespond, webhookEvent } = await import(`${installed}gist_wasm.js`);
const { UNSURE, normalized, readPage, shallowEnough } = await import(`${installed}normalize.js`);
const { LISTS: LIST_KEYS, MODELS } = await import(`${installed}declared.js`);
const { headerLines, startCall, stepOf } = await import(`${installed}runtime.js`);

// A small seeded generator (mulberry32), so that a failure names its seed and repeats.
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  return { next, pick };
}

// JSON texts of values a Gist field may hold, chosen for the rules' edges.
const NUMBERS = ["0", "-0", "1", "12", "5001", "-7", "1.5", "-1.5", "1e3", "1.0", "2.50", "1E-400", "1e400",
  "9007199254740991", "9007199254740992", "9007199254740993", "12345678901234567890", "1700000000", "1700000000.9", "1e300", "-1e300"];
const STRINGS = ['""', '"\\ud83d"', '"a\\udc00b"', '"\\ud83d\\ude00"', '" "', '"12"', '"0012"', '" 1700000000 "', '"+5"', '"-5"', '"true"', '"TRUE"', '"False"', '"1"', '"0"',
  '"True"', '"FALSE"', '" false "', '"maybe"', '"99999999999999999999"', '"00000000000000000001"', '"user"', '"lead"', '"a@b.c"', '"9007199254740993"', '"12345678901234567890"', '"\\u0031\\u0032"', '"\\u00a012\\u00a0"',
  '" true\\u0085"', '"\\ufefffalse"', '"x\\ny"', '"[{"', '"\\\\"', '"x\\"[["'];
const OTHERS = ["null", "true", "false", "[]", "{}", '[1,"a"]', '{"a":{"b":[1]}}'];
const CONTACT_KEYS = ["id", "type", "user_id", "email", "name", "phone", "unsubscribed_from_emails", "created_at", "updated_at",
  "signed_up_at", "last_seen_at", "tags", "custom_properties", "extra", "123", "__proto__", "event_name"];
const TOP_KEYS = ["topic", "event", "event_name", "event_type", "contact", "message", "conversation", "data", "id"];

function scalar(g) {
  const r = g.next();
  return r < 0.4 ? g.pick(NUMBERS) : r < 0.85 ? g.pick(STRINGS) : g.pick(OTHERS);
}

// An object's JSON text with `count` fields named from `keys` (duplicates allowed), values from `value`.
function object(g, keys, count, value) {
  const fields = [];
  for (let i = 0; i < count; i++) fields.push(`${JSON.stringify(g.pick(keys))}${g.pick([":", " : "])}${value(g)}`);
  return `{${fields.join(",")}}`;
}

// An object's text, most with an id a model takes first (else the model refuses it, and its other fields go unread).
function withId(g, text) {
  if (g.next() < 0.1 || text === "{}") return text;
  return `{"id":${g.pick(["7", '"42"', "1e2", "3.0"])},${text.slice(1)}`;
}

const contact = (g) => withId(g, object(g, CONTACT_KEYS, 2 + Math.floor(g.next() * 12), (g) => (g.next() < 0.9 ? scalar(g) : contact(g))));
const deep = (depth) => "[".repeat(depth) + "]".repeat(depth);

// The JSON text of a top-level field `key` of a delivery.
function field(g, key) {
  if (key === "contact" || key === "conversation") return g.next() < 0.85 ? contact(g) : scalar(g);
  if (key === "message") {
    if (g.next() < 0.5) return contact(g);
    return object(g, ["contact", "email", "text", "type"], 2, (g) => (g.next() < 0.5 ? contact(g) : scalar(g)));
  }
  if (key === "data" && g.next() < 0.1) return deep(100 + Math.floor(g.next() * 60));
  return scalar(g);
}

// A delivery's body: a contact, a message or a conversation first, then a few other fields.
function body(g) {
  const fields = [];
  for (let i = 0, n = 1 + Math.floor(g.next() * 5); i < n; i++) {
    const key = i === 0 ? g.pick(["contact", "message", "conversation"]) : g.pick(TOP_KEYS);
    fields.push(`${JSON.stringify(key)}:${field(g, key)}`);
  }
  return `{${fields.join(",")}}`;
}

// A delivery's top-level topic fields that are strings.
const topicFields = (payload) => Object.fromEntries(["topic", "event", "event_name", "event_type"].filter((key) => typeof payload[key] === "string").map((key) => [key, payload[key]]));

const HEADERS = [undefined, { "X-Gist-Topic": " lead.created " }, { "x-gist-event": "" }, { "X-Gist-Webhook-Event": "tag\u0085" }];

test("parseWebhook reads every random body as the core does, and settles most of them without it", () => {
  const runs = 10000;
  let settled = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const g = generator(seed);
    const text = body(g);
    const headers = g.pick(HEADERS);
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      continue;
    }
    // The core's reading: of the body, or, where it nests past the core's 128 levels, of the body's
    // top-level topic fields alone (its kind is then unknown); the two agree on any other unknown body.
    const lines = headerLines(headers);
    const core = JSON.parse(webhookEvent(text, lines));
    const topics = JSON.parse(webhookEvent(JSON.stringify(topicFields(payload)), lines));
    const tooDeep = text.includes("[".repeat(128));
    if (core.kind === "unknown" && !tooDeep) assert.equal(core.topic, topics.topic, `seed ${seed}: ${text}`);
    const expected = tooDeep ? topics : core;
    if (expected.kind === "conversation") expected.conversation = payload.conversation;
    expected.payload = payload;
    const got = parseWebhook(text, headers);
    assert.deepStrictEqual(got, expected, `seed ${seed}: ${text}`);
    assert.equal(JSON.stringify(got), JSON.stringify(expected), `seed ${seed}, the fields' order: ${text}`);
    const context = { body: text };
    if (shallowEnough(text) && normalized(payload.contact, "contact", context) !== UNSURE) settled++;
  }
  assert.ok(settled > runs / 3, `the runtime settled only ${settled} of ${runs} bodies itself`);
});

test("a contact's user_id past 2^53, or written as 1e3, comes out exactly as the body wrote it", () => {
  for (const written of ["12345678901234567891", "1e3", "5001.0", "-0"]) {
    const event = parseWebhook(`{"contact":{"id":1,"user_id":${written}}}`);
    assert.equal(event.contact.user_id, written);
    assert.equal(event.contact.type, "user");
  }
  assert.equal(parseWebhook('{"contact":{"id":1,"user_id":5001}}').contact.user_id, "5001");
});

test("a body nested deeper than the core reads is an unknown event, its topic from the headers", () => {
  const event = parseWebhook(`{"contact":{"id":1},"data":${deep(200)}}`, { "x-gist-topic": "user.created" });
  assert.equal(event.kind, "unknown");
  assert.equal(event.topic, "user.created");
  assert.equal(event.contact, undefined);
});

test("a list page nested deeper than the core reads is read by the runtime, its items whole", async () => {
  const text = `{"contacts":[{"id":1,"user_id":"5001","custom_properties":{"deep":${deep(200)}}}]}`;
  assert.deepEqual(coreList("users", [text]), { code: "invalid_response" }, "the core alone refuses it as not JSON");
  const client = new GistClient({ apiKey: "k", maxRetries: 0, fetch: pagesFetch([text]) });
  const [user] = await client.listUsers({ limit: 1 });
  assert.equal(user.id, 1);
  assert.equal(user.type, "user");
  assert.deepEqual(user.custom_properties.deep, JSON.parse(deep(200)));
});

// Each list, the method that reads it, and the keys its random items take.
const LISTS = {
  users: ["listUsers", CONTACT_KEYS], leads: ["listLeads", CONTACT_KEYS], tags: ["listTags"], segments: ["listSegments"],
  campaigns: ["listCampaigns"], events: ["listEvents"],
};

// What the core itself reads of a list's pages (`texts`, answered in turn; the last again past the end) at
// `perPage` 3: its items, or its error's code.
function coreList(name, texts) {
  const core = new Core(JSON.stringify({ apiKey: "k", perPage: 3 }), false, undefined);
  const { id, first } = startCall(core, "list", JSON.stringify([name, { limit: 1000 }]), "null", { started: Date.now() });
  const items = [];
  try {
    for (let step = stepOf(first), page = 0; ; page++) {
      if (step.items) items.push(...step.items);
      if (step.error) return { code: step.error.code };
      if (step.done) return [...items, ...step.done];
      step = stepOf(callRespond(id, 200, "content-type\napplication/json", texts[Math.min(page, texts.length - 1)], Date.now(), 0.5));
    }
  } finally {
    callEnd(id);
    core.free();
  }
}

// A fetch that answers `texts` in turn, the last again past the end.
function pagesFetch(texts) {
  let page = 0;
  return async () => new Response(texts[Math.min(page++, texts.length - 1)], { headers: { "content-type": "application/json" } });
}

test("the runtime reads random list pages as the core does, through listUsers and the others, and reads a good share itself", async () => {
  let settled = 0;
  let compared = 0;
  for (const [name, [method, contactKeys]] of Object.entries(LISTS)) {
    const [key, model] = LIST_KEYS[name];
    const keys = contactKeys ?? [...MODELS[model].map(([field, , fallback]) => fallback ?? field), ...MODELS[model].map(([field]) => field), "extra", "7"];
    const item = (g) => (contactKeys ? contact(g) : withId(g, object(g, keys, 1 + Math.floor(g.next() * 8), scalar)));
    for (let seed = 1; seed <= 300; seed++) {
      const g = generator(seed);
      const texts = Array.from({ length: 1 + Math.floor(g.next() * 3) }, () => {
        const items = Array.from({ length: Math.floor(g.next() * 5) }, () => item(g));
        const pages = g.pick(["", "", ',"pages":{"next":null}', ',"pages":{"next":"2"}', ',"pages":{"next":""}', ',"pages":7']);
        return `{${JSON.stringify(key)}:[${items.join(",")}]${pages}}`;
      });
      const expected = coreList(name, texts);
      settled += texts.filter((text) => readPage(text, name)).length;
      const client = new GistClient({ apiKey: "k", maxRetries: 0, perPage: 3, fetch: pagesFetch(texts) });
      const got = await client[method]({ limit: 1000 }).then((list) => list, (error) => ({ code: error.code }));
      assert.deepStrictEqual(got, expected, `${name} seed ${seed}: ${texts.join(" ")}`);
      assert.equal(JSON.stringify(got), JSON.stringify(expected), `${name} seed ${seed}, the fields' order: ${texts.join(" ")}`);
      compared += texts.length;
    }
  }
  assert.ok(settled > compared / 4, `the runtime read only ${settled} of ${compared} pages itself`);
});
