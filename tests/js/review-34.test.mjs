// Findings of the thirty-fourth round's outside reviews, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import init, { GistClient, handleWebhook, signWebhook, verifyWebhook } from "gist-wasm";
import { consume } from "gist-wasm/queues";
import { recordEventBatch, slowLedger } from "./queued.mjs";

const SECRET = "whsec_review34_0123456789";
const KEY = "sk_live_review34_AbCdEf0123456789xyzQRSTUVWXYZ";

test("a webhook secret used as the name of an option whose value JS refuses is hidden, as the core's refusal of an unknown one hides it (an outside review: shown raw)", async () => {
  const delivery = { body: "{}", headers: {} };
  const post = () => new Request("http://127.0.0.1/", { method: "POST", body: "{}" });
  const calls = {
    "verify, NaN": () => verifyWebhook(delivery, { secret: SECRET, [SECRET]: NaN }),
    "verify, a BigInt, among secrets": () => verifyWebhook(delivery, { secret: ["other-secret", SECRET], [SECRET]: 1n }),
    "handle's verify": () => handleWebhook(post(), { verify: { secret: SECRET, [SECRET]: NaN } }),
    "handle's own, after verify": () => handleWebhook(post(), { verify: { secret: SECRET }, [SECRET]: NaN }),
    "handle's own, before verify": () => handleWebhook(post(), { [SECRET]: NaN, verify: { secret: SECRET } }),
    "sign, a Symbol": () => signWebhook("{}", { secret: SECRET, [SECRET]: Symbol("x") }),
    // Refused before the secret, itself given in a form refused: a String object, a callable wrapper.
    "verify, a String object secret": () => verifyWebhook(delivery, { [SECRET]: NaN, secret: new String(SECRET) }),
    "verify, a callable wrapper secret": () => verifyWebhook(delivery, { [SECRET]: NaN, secret: Object.assign(() => SECRET, { toJSON: () => SECRET }) }),
  };
  for (const [name, call] of Object.entries(calls)) {
    const error = await call().then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", name);
    assert.match(error.message, /\[redacted\]/, name);
    assert.ok(![error.message, error.stack].join("\n").includes(SECRET), `${name}: ${error.message}`);
  }
});

test("an API key echoed in base64 wrapped in indented or folded lines is scrubbed from an error and the body log, as one in bare lines is (an outside review: it survived whole)", async () => {
  const dump = Buffer.from(`GET /contacts/1 HTTP/1.1\r\nAuthorization: Bearer ${KEY}\r\nAccept: application/json\r\n\r\n`).toString("base64");
  const wrap = (text, width, joint) => text.match(new RegExp(`.{1,${width}}`, "g")).join(joint);
  // Whether a base64 run left in `text`, its whitespace taken out, still decodes to the key.
  const holdsKey = (text) => {
    const flat = text.replace(/\\[nrt]|\s/g, "");
    return flat.includes(KEY) || (flat.match(/[A-Za-z0-9+/=]{16,}/g) ?? []).some((run) =>
      [0, 1, 2, 3].some((skip) => Buffer.from(run.slice(skip), "base64").toString("latin1").includes(KEY)));
  };
  for (const echo of [`dump: |\n  ${wrap(dump, 60, "\n  ")}`, `X-Debug: ${wrap(dump, 60, "\r\n ")}`, `dump:\n\t${wrap(dump, 64, "\n\t")}`, `token:\n  ${wrap(KEY, 16, "\n  ")}`]) {
    assert.ok(holdsKey(echo), "the echo holds the key");
    const lines = [];
    const gist = new GistClient({
      apiKey: KEY, baseUrl: "https://api.getgist.com", maxRetries: 0, logLevel: "debug", logBodies: true,
      logger: { debug: (line) => lines.push(line), info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line) },
      fetch: async () => Response.json({ errors: [{ code: "bad_request", message: echo }] }, { status: 400 }),
    });
    const error = await gist.fetchUser({ id: 1 }).then(() => undefined, (e) => e);
    gist.free();
    assert.equal(error?.code, "invalid_request");
    const shown = error.errors?.[0]?.message ?? "";
    assert.match(shown, /\[redacted\]/);
    assert.ok(!holdsKey(shown), JSON.stringify(shown));
    assert.ok(lines.length > 0 && !holdsKey(lines.join("\n")), "the log");
  }
});

test("a write's retry counts a slow retry or response hook in its wait: one that would leave its request too little time is not sent, and says so (an outside review: sent with under a second left, and may have acted)", async () => {
  const busy = (ms) => {
    const start = Date.now();
    while (Date.now() - start < ms);
  };
  for (const hook of ["retry", "response", undefined]) {
    let sent = 0;
    // A 429 that asks for 1 s: with 3 s left, the retry may wait 1.5 s (its request keeps half).
    const fetch = async () => (++sent === 1 ? Response.json({}, { status: 429, headers: { "retry-after": "1" } }) : Response.json({ contact: { id: 1, type: "user", user_id: "7" } }));
    const hooks = hook && { [hook]: (info) => (hook === "retry" || info.status === 429) && busy(800) };
    const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", timeoutMs: 3000, logLevel: "off", fetch, ...(hooks && { hooks }) });
    const outcome = await gist.apiCall({ url: "/contacts", method: "POST", body: { user_id: "7" } }).then((answer) => answer.status, (e) => [e.code, e.mayHaveActed]);
    gist.free();
    if (hook) assert.deepEqual([outcome, sent], [["timeout", false], 1], `a slow ${hook} hook`);
    else assert.deepEqual([outcome, sent], [200, 2], "no hook: the retry goes");
  }
});

test("consume's ledger mark before a recordEvent counts in its call's deadline without pacedFetch too: a slow mark ends the call at its time, unsent, and the message is retried once the mark is taken back (an outside review: 4 s for a 1 s call)", async () => {
  let sent = 0;
  const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", timeoutMs: 1000, logLevel: "off", fetch: async () => (sent++, Response.json({ event: { name: "signup" } })) });
  const verdicts = [];
  const batch = await recordEventBatch(verdicts);
  // The call's own end, seen through the prototype's method (which consume takes as the client's own).
  const own = GistClient.prototype.recordEvent;
  let ended;
  GistClient.prototype.recordEvent = function (...args) {
    const started = performance.now();
    const call = own.apply(this, args);
    call.then(() => (ended = ["resolved"]), (e) => (ended = [e.code, e.mayHaveActed, performance.now() - started]));
    return call;
  };
  try {
    await consume(batch, gist, { ledger: slowLedger(4000), deadLetterQueue: { send: async () => {}, sendBatch: async () => {} } });
  } finally {
    GistClient.prototype.recordEvent = own;
    gist.free();
  }
  assert.deepEqual([sent, verdicts, ended?.slice(0, 2)], [0, ["retry"], ["timeout", false]]);
  assert.ok(ended[2] < 2500, `the call took ${Math.round(ended[2])} ms`);
});

test("an options object's field that is a wrapper with toJSON is refused, not read as what toJSON stands in with: a webhook check never verifies against a secret's placeholder (an outside review: it verified \"<redacted>\")", async () => {
  class Redacted {
    #value;
    constructor(value) {
      this.#value = value;
    }
    toJSON() {
      return "<redacted>";
    }
  }
  const secret = new Redacted(SECRET);
  const forged = { "x-gist-webhook-token": "<redacted>" };
  const post = (headers) => new Request("http://127.0.0.1/", { method: "POST", body: '{"topic":"user.created","contact":{"id":1}}', headers });
  class WebhookConfig {
    constructor(value) {
      this.secret = value;
    }
    toJSON() {
      return { secret: "***" };
    }
  }
  const calls = {
    "verify, secret": () => verifyWebhook({ body: "{}", headers: forged }, { secret }),
    "verify, secret list": () => verifyWebhook({ body: "{}", headers: forged }, { secret: [secret] }),
    "handle, verify.secret": () => handleWebhook(post(forged), { verify: { secret } }),
    "handle, verify as a class with toJSON": () => handleWebhook(post({ "x-gist-webhook-token": "***" }), { verify: new WebhookConfig(SECRET) }),
    "sign, secret": () => signWebhook("{}", { secret }),
    "a client's apiKey": async () => new GistClient({ apiKey: secret, baseUrl: "https://api.getgist.com" }),
    // A callable wrapper, which JSON asks for its toJSON too.
    "verify, a callable secret": () => verifyWebhook({ body: "{}", headers: forged }, { secret: Object.assign(() => SECRET, { toJSON: () => "<redacted>" }) }),
    "handle, a callable verify": () => handleWebhook(post({ "x-gist-webhook-token": "***" }), { verify: Object.assign(() => {}, { toJSON: () => ({ secret: "***" }) }) }),
  };
  for (const [name, call] of Object.entries(calls)) {
    const error = await call().then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument", name);
  }
  // A Date stays an option's value, as its seconds.
  const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", fetch: async () => Response.json({ contacts: [], pages: {} }) });
  await gist.listUsers({ limit: 1 }, { timeoutMs: 1000 });
  gist.free();
});

test("a logger or hooks that is a function with the methods (Roarr's logger is one) is taken, as the types take it; a function with none is refused (an outside review: refused though it type-checks)", async () => {
  const lines = [];
  const logger = Object.assign((line) => lines.push(["called", line]), { debug: (line) => lines.push(["debug", line]), warn: (line) => lines.push(["warn", line]) });
  const told = [];
  const hooks = Object.assign(() => {}, { request: (request) => told.push(request.method) });
  const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", logger, logLevel: "debug", hooks, maxRetries: 0, fetch: async () => Response.json({}, { status: 500 }) });
  const error = await gist.fetchUser({ id: 1 }).then(() => undefined, (e) => e);
  gist.free();
  assert.equal(error?.code, "server_error");
  assert.deepEqual(told, ["GET"]);
  assert.ok(lines.length > 0 && lines.every(([level]) => level !== "called"), JSON.stringify(lines));
  for (const options of [{ logger: () => {} }, { hooks: () => {} }]) {
    assert.throws(() => new GistClient({ apiKey: KEY, ...options }), (e) => e.code === "invalid_argument" && /must be an object of functions/.test(e.message));
  }
});

test("tagContacts holds a batch's error once, not once for each of its targets with Gist's items, and takes at most 10,000 targets a call: wasm memory stays bounded (an outside review: 2,000 targets answered 422 grew it 394 MB, and more trapped the core for the process)", async () => {
  const { memory } = await init();
  const item = (i) => ({ code: "c".repeat(995) + i, message: "m".repeat(995) + i });
  const fat = JSON.stringify({ errors: Array.from({ length: 100 }, (_, i) => item(i)) });
  let sent = 0;
  const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", maxRetries: 0, logLevel: "off", fetch: async () => (sent++, new Response(fat, { status: 422, headers: { "content-type": "application/json" } })) });
  const before = memory.buffer.byteLength;
  const users = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1 }));
  const result = await gist.tagContacts({ tag: "vip", users }).catch((e) => e);
  const grownMb = (memory.buffer.byteLength - before) / 2 ** 20;
  assert.deepEqual([result.code, sent], ["invalid_request", 40], "every batch refused: the call says so");
  assert.ok(grownMb < 40, `wasm memory grew ${grownMb} MB`);
  sent = 0;
  const tooMany = await gist.tagContacts({ tag: "vip", users: Array.from({ length: 6000 }, (_, i) => ({ id: i + 1 })), leads: Array.from({ length: 4001 }, (_, i) => ({ id: i + 1 })) }).then(() => undefined, (e) => e);
  gist.free();
  assert.deepEqual([tooMany?.code, sent], ["invalid_argument", 0]);
  assert.match(tooMany.message, /more than 10000 targets/);
});

test("an argument is refused once what JSON writes of it passes the cap, counting numbers and empty objects as written: nothing far past the cap is read; a key past what options hold is refused as a GistError (an outside review: 24 times the cap written first; a RangeError for a key of 8 Mi characters)", async () => {
  const gist = new GistClient({ apiKey: KEY, baseUrl: "https://api.getgist.com", fetch: async () => Response.json({}) });
  for (const item of [-1.2345678901234567e-300, {}]) {
    // 24 characters each as JSON (or 2, and a comma): the 8 MiB cap is passed long before item 5,000,000.
    const body = new Array(6_000_000).fill(item);
    let read = false;
    Object.defineProperty(body, 5_000_000, { get: () => ((read = true), item), enumerable: true });
    const error = await gist.apiCall({ url: "/x", method: "POST", body }).then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument");
    assert.equal(read, false, `${JSON.stringify(item)}: read past the cap`);
  }
  gist.free();
  for (const length of [4 << 20, 8 << 20]) {
    assert.throws(() => new GistClient({ apiKey: "k".repeat(length), baseUrl: "https://api.getgist.com" }), (e) => e.code === "invalid_argument", `a key of ${length} characters`);
  }
});
