// Webhook findings of an outside review (2026-12-03), through the built package in Node: secrets that
// could never verify are refused when given, Web Crypto's own failures and shared buffers give a
// GistError, a header line break cannot forge another header, a sender that goes away ends handleWebhook,
// and normalizeEventName changes `.` and `$` only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistError, handleWebhook, normalizeEventName, parseWebhook, signWebhook, verifyWebhook } from "gist-wasm";

const BODY = '{"topic":"contact.tagged","contact":{"id":7,"type":"user"}}';
const code = (expected) => (e) => e instanceof GistError && e.code === expected;

test("a secret with white space at its ends, or a token secret past printable ASCII, is refused where it is given", async () => {
  const never = {
    "a rotation list split at ', '": { secret: "old, new".split(",") },
    "a trailing line feed (a secret file read whole)": { secret: "s3cret\n" },
    "a leading no-break space": { secret: "\u00a0s3cret" },
    "an HMAC secret with a trailing space": { secret: "s3cret ", scheme: "hmac-sha256" },
    "a token with an umlaut": { secret: "p\u00e4sswort" },
    "a token with a tab inside": { secret: "a\tb" },
  };
  for (const [what, options] of Object.entries(never)) {
    await assert.rejects(verifyWebhook({ body: BODY, headers: {} }, options), code("invalid_argument"), what);
    await assert.rejects(signWebhook(BODY, options), code("invalid_argument"), what);
    const request = new Request("http://127.0.0.1/hook", { method: "POST", body: BODY });
    await assert.rejects(handleWebhook(request, { verify: options }), code("invalid_argument"), what);
  }
  // What stays: an HMAC key past ASCII (its UTF-8 bytes key the HMAC), and a space inside a token.
  for (const options of [{ secret: "p\u00e4sswort", scheme: "hmac-sha256" }, { secret: "two words" }]) {
    const headers = await signWebhook(BODY, options);
    assert.equal(await verifyWebhook({ body: BODY, headers }, options), true, JSON.stringify(options));
  }
});

test("a signature's prefix must name the scheme's hash", async () => {
  const options = { secret: "s3cret", scheme: "hmac-sha256" };
  const { "x-gist-signature": hex } = await signWebhook(BODY, options);
  const verifies = (value) => verifyWebhook({ body: BODY, headers: { "x-gist-signature": value } }, options);
  assert.deepEqual([await verifies(hex), await verifies(`sha256=${hex}`), await verifies(`SHA256=${hex}`), await verifies(`sha1=${hex}`)], [true, true, true, false]);
});

test("a body viewing a SharedArrayBuffer verifies as its bytes; Web Crypto's own failure is a GistError", async () => {
  const options = { secret: "s3cret", scheme: "hmac-sha256" };
  const bytes = new TextEncoder().encode(BODY);
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  const headers = await signWebhook(shared, options);
  assert.deepEqual(headers, await signWebhook(BODY, options));
  assert.equal(await verifyWebhook({ body: shared, headers }, options), true);

  const importKey = SubtleCrypto.prototype.importKey;
  SubtleCrypto.prototype.importKey = () => Promise.reject(new DOMException("no keys today", "OperationError"));
  try {
    await assert.rejects(verifyWebhook({ body: BODY, headers }, options), (e) => code("invalid_argument")(e) && /Web Crypto/.test(e.message) && !e.message.includes("s3cret"));
    await assert.rejects(signWebhook(BODY, options), code("invalid_argument"));
  } finally {
    SubtleCrypto.prototype.importKey = importKey;
  }
});

test("a line break in a header's name or value is invalid_argument, not another header", async () => {
  const forged = { "x-note": "hi\nx-gist-webhook-token\ns3cret", "x-other": "1" };
  await assert.rejects(verifyWebhook({ body: BODY, headers: forged }, { secret: "s3cret" }), code("invalid_argument"));
  assert.throws(() => parseWebhook('{"a":1}', { "x-note": "a\r\nx-gist-topic\nforged" }), code("invalid_argument"));
  assert.equal(parseWebhook('{"a":1}', { "x-gist-topic": "contact.tagged" }).topic, "contact.tagged");
});

test("handleWebhook stops reading when the request's signal says the sender went away", async () => {
  const controller = new AbortController();
  const body = new ReadableStream({ start(stream) { stream.enqueue(new TextEncoder().encode('{"topic":')); } }); // and no more
  const request = new Request("http://127.0.0.1/hook", { method: "POST", body, duplex: "half", signal: controller.signal });
  const handled = handleWebhook(request);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(handled, code("aborted"));
});

test("a sender that goes away after its body was refused (413), or whose signal was already aborted, crashes nothing", async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    for (const abortFirst of [false, true]) {
      const controller = new AbortController();
      if (abortFirst) controller.abort();
      const body = new ReadableStream({ start(stream) { stream.enqueue(new TextEncoder().encode("{}")); } }); // never ends
      const request = new Request("http://127.0.0.1/hook", { method: "POST", body, duplex: "half", signal: controller.signal, headers: { "content-length": "99999999" } });
      await assert.rejects(handleWebhook(request), (e) => code("invalid_webhook")(e) && e.status === 413);
      controller.abort();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test("normalizeEventName changes `.` and `$` only, half an emoji included", () => {
  assert.equal(normalizeEventName("order.completed$v2"), "order-completed-v2");
  assert.equal(normalizeEventName("order.\ud83d"), "order-\ud83d");
  assert.equal(normalizeEventName("caf\u00e9 \ud83d\ude00."), "caf\u00e9 \ud83d\ude00-");
});

// A second outside review (2026-12-04).

test("after an HMAC check the topic is the signed body's: a replay under another topic header is the same delivery", async () => {
  const body = '{"contact":{"id":7,"type":"user"}}'; // no topic of its own, as a webhook of one topic may send
  const hmac = { secret: "s3cret", scheme: "hmac-sha256" };
  const signature = await signWebhook(body, hmac);
  const deliver = (options, topic) =>
    handleWebhook(new Request("http://127.0.0.1/hook", { method: "POST", body, headers: { ...signature, ...options.headers, "x-gist-topic": topic } }), options.verify && { verify: options.verify });
  const signed = await deliver({ verify: hmac }, "contact.unsubscribed");
  assert.equal(signed.topic, undefined, "an unsigned header names no topic of a signed delivery");
  assert.equal(signed.contact.id, 7);
  // A token covers nothing of the delivery, and no check none: there the header's topic is read.
  const token = { secret: "t0ken" };
  assert.equal((await deliver({ verify: token, headers: await signWebhook(body, token) }, "contact.tagged")).topic, "contact.tagged");
  assert.equal((await deliver({}, "contact.tagged")).topic, "contact.tagged");
  // A topic in the signed body is read as ever.
  const topical = '{"topic":"contact.tagged","contact":{"id":7,"type":"user"}}';
  const request = new Request("http://127.0.0.1/hook", { method: "POST", body: topical, headers: { ...(await signWebhook(topical, hmac)), "x-gist-topic": "other" } });
  assert.equal((await handleWebhook(request, { verify: hmac })).topic, "contact.tagged");
});

test("handleWebhook skips one byte order mark, as parseWebhook does", async () => {
  const bytes = (marks) => new TextEncoder().encode("\ufeff".repeat(marks) + BODY);
  for (const marks of [0, 1, 2, 3]) {
    const parsed = (() => {
      try {
        return parseWebhook(Buffer.from(bytes(marks)).toString("utf8")).topic;
      } catch (error) {
        return error.code;
      }
    })();
    const handled = await handleWebhook(new Request("http://127.0.0.1/hook", { method: "POST", body: bytes(marks) })).then((event) => event.topic, (error) => error.code);
    assert.equal(handled, parsed, `${marks} marks`);
    assert.equal(handled, marks <= 1 ? "contact.tagged" : "invalid_webhook", `${marks} marks`);
  }
});

test("a body's bytes are read through Uint8Array's own accessors: another realm's view verifies, a throwing getter is no foreign exception", async () => {
  const { runInNewContext } = await import("node:vm");
  const options = { secret: "s3cret", scheme: "hmac-sha256" };
  const headers = await signWebhook(BODY, options);
  const foreign = runInNewContext("(bytes) => new Uint8Array(bytes)")([...new TextEncoder().encode(BODY)]);
  assert.equal(foreign instanceof Uint8Array, false, "the view is another realm's");
  assert.equal(await verifyWebhook({ body: foreign, headers }, options), true);
  assert.deepEqual(await signWebhook(foreign, options), headers);
  const trapped = new TextEncoder().encode(BODY);
  Object.defineProperty(trapped, "buffer", { get() { throw new RangeError("boom"); } });
  assert.deepEqual(await signWebhook(trapped, options), headers, "its own getter is not asked");
  assert.equal(await verifyWebhook({ body: trapped, headers }, options), true);
  const detached = new TextEncoder().encode(BODY);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  await assert.rejects(signWebhook(detached, options), code("invalid_argument"));
  await assert.rejects(verifyWebhook({ body: detached, headers }, options), code("invalid_argument"));
});

test("a verify.header that no HTTP header could be named is refused where it is given", async () => {
  for (const header of ["x gist token", "x-g\u00efst-token", "x-gist-token:", "x-gist\0-token", "x-gist(token)"]) {
    await assert.rejects(signWebhook(BODY, { secret: "s3cret", header }), code("invalid_argument"), header);
    await assert.rejects(verifyWebhook({ body: BODY, headers: {} }, { secret: "s3cret", header }), code("invalid_argument"), header);
  }
  const headers = await signWebhook(BODY, { secret: "s3cret", header: "X-Hook_Token.v1" });
  assert.equal(await verifyWebhook({ body: BODY, headers: new Headers(headers) }, { secret: "s3cret", header: "x-hook_token.v1" }), true);
});

test("a request built with a body stream of strings, not bytes, is invalid_argument, not a sender that went away", async () => {
  const body = new ReadableStream({ start(controller) { controller.enqueue('{"topic":"x"}'); controller.close(); } });
  const request = new Request("http://receiver.test/webhooks", { method: "POST", body, duplex: "half" });
  const error = await handleWebhook(request).catch((e) => e);
  assert.deepEqual([error.code, /other than bytes/.test(error.message)], ["invalid_argument", true]);
});
