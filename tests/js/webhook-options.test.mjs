// Webhook verification fails closed on options it cannot read as a plain options object: a Promise of
// the options (a forgotten `await`), a Map, an Error... used to serialise to `{}` or `null` and skip
// verifying. Reproductions from an outside review, through the built package in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistError, handleWebhook, parseWebhook, signWebhook, verifyWebhook } from "gist-wasm";
import { receiveWebhook } from "gist-wasm/queues";

const SECRET = "s3cret-options";
const BODY = '{"topic":"contact.created","contact":{"id":7,"type":"user"}}';
const wrongToken = () => new Request("http://127.0.0.1/webhooks", { method: "POST", body: BODY, headers: { "x-gist-webhook-token": "wrong" } });
const trap = () => { throw new Error("trap"); };

// Values that are not a plain options object, though JSON writes each as `{}`, `null` or a string.
const NOT_OPTIONS = {
  "a Promise of the options": () => Promise.resolve({ verify: { secret: SECRET } }),
  "a thenable": () => ({ then(resolve) { resolve({ verify: { secret: SECRET } }); } }),
  "a Map": () => new Map([["verify", { secret: SECRET }]]),
  "a Set": () => new Set(["verify"]),
  "an Error": () => new Error("options"),
  "a RegExp": () => /verify/,
  "an ArrayBuffer": () => new ArrayBuffer(8),
  "a DataView": () => new DataView(new ArrayBuffer(8)),
  "an invalid Date": () => new Date(NaN),
  "a Date": () => new Date(0),
  "an array": () => [{ verify: { secret: SECRET } }],
  "a class instance": () => new (class Options { constructor() { this.verify = { secret: SECRET }; } })(),
  "a boxed string": () => new String(SECRET),
  "an object with toJSON": () => ({ verify: { secret: SECRET }, toJSON: () => ({}) }),
  "a Proxy whose traps throw": () => new Proxy({ verify: { secret: SECRET } }, { get: trap, ownKeys: trap, getPrototypeOf: trap }),
  "a string": () => SECRET,
  "a number": () => 1,
};

const refused = (e) => e instanceof GistError && e.code === "invalid_argument";

test("handleWebhook refuses options that are not a plain object, and never resolves an unverified delivery", async () => {
  for (const [what, make] of Object.entries(NOT_OPTIONS)) {
    await assert.rejects(handleWebhook(wrongToken(), make()), refused, what);
    await assert.rejects(handleWebhook(wrongToken(), { verify: make() }), refused, `verify as ${what}`);
  }
});

test("receiveWebhook answers no 200 and enqueues nothing for options that are not a plain object", async () => {
  for (const [what, make] of Object.entries(NOT_OPTIONS)) {
    const sent = [];
    const queue = { send: async (body) => sent.push(body), sendBatch: async () => {} };
    const outcome = await receiveWebhook(wrongToken(), queue, make()).then((r) => r.status, (e) => e);
    assert.ok(refused(outcome), `${what}: ${outcome}`);
    assert.equal(sent.length, 0, what);
  }
});

test("verifyWebhook and signWebhook refuse options that are not a plain object", async () => {
  const request = { body: BODY, headers: { "x-gist-webhook-token": SECRET } };
  for (const [what, make] of Object.entries(NOT_OPTIONS)) {
    await assert.rejects(verifyWebhook(request, make()), refused, what);
    await assert.rejects(signWebhook(BODY, make()), refused, what);
  }
});

test("plain options still verify: an object literal, one with no prototype, and a verify object of either kind", async () => {
  const headers = await signWebhook(BODY, { secret: SECRET });
  const deliver = () => new Request("http://127.0.0.1/webhooks", { method: "POST", body: BODY, headers });
  const bare = Object.assign(Object.create(null), { verify: Object.assign(Object.create(null), { secret: SECRET }) });
  for (const options of [{ verify: { secret: SECRET } }, bare]) {
    assert.equal((await handleWebhook(deliver(), options)).topic, "contact.created");
    await assert.rejects(handleWebhook(wrongToken(), options), (e) => e.code === "invalid_webhook" && e.status === 401);
  }
  assert.equal((await handleWebhook(deliver())).topic, "contact.created", "no options: no verification asked");
  assert.equal((await handleWebhook(deliver(), null)).topic, "contact.created");
});

test("signWebhook and verifyWebhook take no Proxy for a body: a GistError, not a foreign error", async () => {
  const body = new Proxy(new Uint8Array(4), { getPrototypeOf: trap, get: trap });
  await assert.rejects(signWebhook(body, { secret: SECRET }), refused);
  await assert.rejects(verifyWebhook({ body, headers: {} }, { secret: SECRET }), refused);
  await assert.rejects(verifyWebhook(new Proxy({}, { get: trap }), { secret: SECRET }), refused);
});

test("handleWebhook's error for a request that cannot be read holds no email from what the request threw", async () => {
  const request = { headers: new Headers(), arrayBuffer: async () => { throw new Error("stream of ada@example.com (ada%40example.com) failed"); } };
  const error = await handleWebhook(request).catch((e) => e);
  assert.ok(refused(error), String(error));
  assert.match(error.message, /the request cannot be read/);
  assert.ok(!/ada@|ada%40/.test(error.message), error.message);
});

test("a body with a byte order mark parses the same from its text (parseWebhook) and its bytes (handleWebhook)", async () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BODY)]);
  const fromText = parseWebhook(bytes.toString("utf8"));
  const fromBytes = await handleWebhook(new Request("http://127.0.0.1/webhooks", { method: "POST", body: bytes }));
  assert.equal(fromText.kind, "contact");
  assert.deepEqual(fromText, fromBytes);
  assert.deepEqual(fromText, parseWebhook(BODY));
});

test("an unknown option given as undefined, or under a Symbol, is refused too: a misspelled verify never skips verifying (an outside review)", async () => {
  // Before: JSON leaves out an undefined value and a Symbol key, so `{ verfy: process.env.UNSET }` read
  // as no options at all, and handleWebhook resolved (and receiveWebhook queued) an unsigned delivery.
  const unset = process.env.GIST_WASM_UNSET_SECRET;
  const typos = {
    "verfy: undefined": { verfy: unset },
    "Verify: undefined": { Verify: unset },
    "secret: undefined": { secret: unset },
    "a Symbol verify": { [Symbol("verify")]: { secret: SECRET } },
    "verify with a scheme misspelled": { verify: { secret: SECRET, shceme: unset } },
    "verify with a Symbol key": { verify: { secret: SECRET, [Symbol("scheme")]: "token" } },
  };
  for (const [what, options] of Object.entries(typos)) {
    await assert.rejects(handleWebhook(wrongToken(), options), refused, what);
    const sent = [];
    const queue = { send: async (body) => sent.push(body), sendBatch: async () => {} };
    const outcome = await receiveWebhook(wrongToken(), queue, options).then((r) => r.status, (e) => e);
    assert.ok(refused(outcome), `${what}: ${outcome}`);
    assert.equal(sent.length, 0, what);
  }
  const request = { body: BODY, headers: { "x-gist-webhook-token": SECRET } };
  for (const options of [{ secret: SECRET, shceme: unset }, { secret: SECRET, [Symbol("scheme")]: "token" }]) {
    await assert.rejects(verifyWebhook(request, options), refused);
    await assert.rejects(signWebhook(BODY, options), refused);
  }
  // A known option given as undefined is not given, as before.
  assert.equal(await verifyWebhook(request, { secret: SECRET, scheme: undefined }), true);
  assert.equal((await handleWebhook(new Request("http://127.0.0.1/webhooks", { method: "POST", body: BODY }), { maxBodyBytes: undefined })).contact.id, 7);
});
