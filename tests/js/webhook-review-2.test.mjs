// Webhook findings of a second outside review (2026-12-03), through the built package in Node: a queued
// delivery whose topic has a line break reaches its handler; a blank topic does not hide the next one
// (read by the runtime, and by the core where only it can tell); headers may be [name, value] pairs;
// header names and values are read as HTTP gives them; the mock's deliverWebhook refuses what it cannot
// post with a GistError.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistError, handleWebhook, parseWebhook, signWebhook, verifyWebhook } from "gist-wasm";
import { consumeWebhooks, receiveWebhook } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";

const code = (expected) => (e) => e instanceof GistError && e.code === expected;
// A body the runtime leaves to the core: more than 128 brackets in all (see normalize.js).
const forCore = (fields) => `{${fields},"pad":[${Array(130).fill("[]").join(",")}]}`;

test("a verified delivery whose body's topic holds a line break is handled, once, with that topic", async () => {
  const verify = { secret: "s3cret", scheme: "hmac-sha256" };
  const body = '{"topic":"user.created\\nextra","contact":{"id":1}}';
  const sent = [];
  const queue = { send: async (message) => sent.push(message), sendBatch: async () => {} };
  const request = new Request("http://127.0.0.1/hook", { method: "POST", body, headers: await signWebhook(body, verify) });
  assert.equal((await receiveWebhook(request, queue, { verify })).status, 200);
  const store = new Map();
  const dedupe = { get: async (k) => store.get(k) ?? null, put: async (k, v) => store.set(k, v), delete: async (k) => store.delete(k) };
  const dead = [];
  const deadLetterQueue = { send: async (m) => dead.push(m), sendBatch: async (ms) => dead.push(...ms) };
  const messages = sent.map((message, i) => ({ id: `m${i}`, body: message, attempts: 1, timestamp: new Date(), ack() {}, retry() {} }));
  const topics = [];
  const result = await consumeWebhooks({ queue: "hooks", messages }, (event) => topics.push(event.topic), { dedupe, deadLetterQueue });
  assert.deepEqual([result.handled, result.deadLettered, topics], [1, 0, ["user.created\nextra"]], JSON.stringify(dead));
});

test("a delivery's topic is the first that is not blank, in the body, then the headers, read by the runtime or the core", () => {
  const cases = [
    [['"topic":""', '"event":"user.created"'], undefined],
    [['"topic":"  "'], { "x-gist-topic": "user.created" }],
    [['"event_name":"\\t"'], { "x-gist-topic": "", "x-gist-event": "user.created" }],
    [[], { "x-gist-topic": " ", "x-gist-webhook-event": " user.created " }],
  ];
  for (const [fields, headers] of cases) {
    for (const body of [`{${fields.join(",")}}`, forCore(fields.join(",") || '"x":1')]) {
      assert.equal(parseWebhook(body, headers).topic, "user.created", `${body.slice(0, 60)} ${JSON.stringify(headers)}`);
    }
  }
  assert.equal(parseWebhook('{"topic":" "}', { "x-gist-topic": "" }).topic, undefined, "none at all");
});

test("headers may be [name, value] pairs; anything else in an array is invalid_argument", async () => {
  const options = { secret: "s3cret" };
  const body = '{"topic":"user.created"}';
  assert.equal(await verifyWebhook({ body, headers: [["x-gist-webhook-token", "s3cret"]] }, options), true);
  assert.equal(await verifyWebhook({ body, headers: [["x-gist-webhook-token", "other"]] }, options), false);
  assert.equal(parseWebhook("{}", [["X-Gist-Topic", "user.created"]]).topic, "user.created");
  for (const headers of [["x-gist-topic"], [["x-gist-topic", "a", "b"]], [{ name: "x-gist-topic" }]]) {
    assert.throws(() => parseWebhook("{}", headers), code("invalid_argument"), JSON.stringify(headers));
  }
});

test("a header's name matches in ASCII case only, and its value is trimmed of ASCII white space only", async () => {
  const body = '{"topic":"user.created"}';
  const token = { secret: "s3cret" };
  const hmac = { secret: "s3cret", scheme: "hmac-sha256" };
  const { "x-gist-signature": signature } = await signWebhook(body, hmac);
  const verifies = (headers, options) => verifyWebhook({ body, headers }, options);
  const given = (value, options) => ({ [options === token ? "x-gist-webhook-token" : "x-gist-signature"]: value });
  for (const [value, options] of [[" s3cret\t", token], [` ${signature}`, hmac]]) {
    assert.equal(await verifies(given(value, options), options), true, JSON.stringify(value));
  }
  assert.equal(await verifies({ "X-GIST-WEBHOOK-TOKEN": "s3cret" }, token), true, "ASCII case");
  assert.equal(await verifies({ "x-gist-webhoo\u212a-token": "s3cret" }, token), false, "a Kelvin sign is no k");
  for (const [value, options] of [["\u3000s3cret\u00a0", token], [`\u3000${signature}\u00a0`, hmac]]) {
    assert.equal(await verifies(given(value, options), options), false, JSON.stringify(value));
  }
});

test("the mock's deliverWebhook refuses an event it cannot post with invalid_argument", async () => {
  const mock = createMockGist();
  const url = "http://127.0.0.1:9/never-reached";
  for (const event of [{ topic: "user.created", id: 1n }, 5, null, ["user.created"]]) {
    await assert.rejects(mock.deliverWebhook(url, event, { secret: "s3cret" }), code("invalid_argument"), String(event));
  }
});

// Finding of an outside review of a fresh user's first hour (2026-12-06, twenty-second round).
test("signWebhook's and verifyWebhook's errors name their options, handleWebhook's its verify (before: all three said verify.*, which sign and verify have none of)", async () => {
  const messageOf = (promise) => promise.then(() => "resolved", (error) => `${error.code} ${error.message}`);
  const request = () => new Request("http://receiver.test/hooks", { method: "POST", body: "{}" });
  for (const [bad, field] of [[{ secret: "s3cret", scheme: "md5" }, "scheme"], [{ secret: "s3cret", typo: 1 }, "typo"]]) {
    assert.match(await messageOf(signWebhook("{}", bad)), /^invalid_argument options\b/, `sign ${field}`);
    assert.match(await messageOf(verifyWebhook({ body: "{}", headers: {} }, bad)), /^invalid_argument options\b/, `verify ${field}`);
    assert.match(await messageOf(handleWebhook(request(), { verify: bad })), /^invalid_argument (options\.)?verify\b/, `handle ${field}`);
  }
  for (const bad of [{ secret: "s3cret", header: "bad header" }, { secret: " s3cret" }, { secret: [] }]) {
    for (const message of [await messageOf(signWebhook("{}", bad)), await messageOf(verifyWebhook({ body: "{}", headers: {} }, bad))]) {
      assert.ok(message.startsWith("invalid_argument") && !message.includes("verify."), message);
    }
  }
});
