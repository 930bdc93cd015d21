// handleWebhook reads at most `maxBodyBytes` of a delivery (1 MiB by default): a body declared or found
// larger is refused with 413 before more is read, so a receiver's memory stays bounded whatever is sent.
// Through the built package in Node, with real Fetch-API Requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistError, handleWebhook, signWebhook } from "gist-wasm";
import { receiveWebhook } from "gist-wasm/queues";

const MB = 1024 * 1024;
const delivery = (size) => JSON.stringify({ topic: "contact.created", contact: { id: 7, type: "user", note: "x".repeat(size) } });
const post = (body, headers = {}) => new Request("http://127.0.0.1/webhooks", { method: "POST", body, headers, duplex: "half" });
const tooLarge = (e) => e instanceof GistError && e.code === "invalid_webhook" && e.status === 413;

/** A streamed body of `total` bytes in 64 KiB chunks; `pulled()` says how many bytes were read from it. */
function stream(total) {
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = new Uint8Array(Math.min(64 * 1024, total - sent)).fill(0x20);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled: () => sent };
}

test("a delivery up to maxBodyBytes is read and parsed; one byte more is 413", async () => {
  const body = delivery(1000);
  const size = new TextEncoder().encode(body).byteLength;
  const event = await handleWebhook(post(body), { maxBodyBytes: size });
  assert.equal(event.kind, "contact");
  await assert.rejects(handleWebhook(post(body), { maxBodyBytes: size - 1 }), tooLarge);
  const signed = await signWebhook(body, { secret: "s" });
  await assert.rejects(handleWebhook(post(body, signed), { verify: { secret: "s" }, maxBodyBytes: size - 1 }), tooLarge,
    "the cap holds before verifying");
  assert.equal((await handleWebhook(post(body, signed), { verify: { secret: "s" }, maxBodyBytes: size })).kind, "contact");
});

test("by default 1 MiB is read, and a larger body, declared or streamed, is refused before it is all read", async () => {
  assert.equal((await handleWebhook(post(delivery(MB - 200)))).kind, "contact");
  await assert.rejects(handleWebhook(post(delivery(MB))), tooLarge);
  const declared = stream(64 * MB);
  await assert.rejects(handleWebhook(post(declared.body, { "content-length": String(64 * MB) })), tooLarge);
  assert.ok(declared.pulled() <= 2 * 64 * 1024, `a declared length over the cap reads (almost) nothing: ${declared.pulled()} bytes`);
  const streamed = stream(64 * MB);
  await assert.rejects(handleWebhook(post(streamed.body)), tooLarge);
  assert.ok(streamed.pulled() < 2 * MB, `a stream is read only to the cap: ${streamed.pulled()} bytes`);
});

test("maxBodyBytes must be a whole number from 1 to 4294967295; receiveWebhook answers 413", async () => {
  for (const bad of [0, -1, 1.5, 2 ** 32, "1000", true]) {
    await assert.rejects(handleWebhook(post(delivery(10)), { maxBodyBytes: bad }),
      (e) => e instanceof GistError && e.code === "invalid_argument" && /from 1 to 4294967295/.test(e.message), String(bad));
  }
  const sent = [];
  const queue = { send: async (body) => { sent.push(body); }, sendBatch: async () => {} };
  const answer = await receiveWebhook(post(delivery(1000)), queue, { maxBodyBytes: 100 });
  assert.equal(answer.status, 413);
  assert.deepEqual(sent, [], "nothing over the cap is enqueued");
});

test("a signature header of megabytes does not verify, and the wasm keeps about its size, not 25 times it (an outside review)", async () => {
  // Before: the signature was decoded whole and handed on as a JSON array of its bytes: a header of
  // 8 MB of hex grew the wasm by 196 MB, for good. One longer than the hash's output matches no secret.
  const { inFreshNode } = await import("./fresh-node.mjs");
  const seen = await inFreshNode(`
    import { verifyWebhook, signWebhook } from "gist-wasm";
    const options = { secret: "whsec_test", scheme: "hmac-sha256", header: "x-signature" };
    const body = '{"topic":"contact.created"}';
    const external = () => { globalThis.gc(); return process.memoryUsage().external; };
    const signed = await signWebhook(body, options);
    const good = await verifyWebhook({ body, headers: signed }, options);
    const before = external();
    const long = await verifyWebhook({ body, headers: { "x-signature": "ab".repeat(4 * 2 ** 20) } }, options);
    const padded = await verifyWebhook({ body, headers: { "x-signature": signed["x-signature"] + "00" } }, options);
    console.log(JSON.stringify({ good, long, padded, grewMB: Math.round((external() - before) / 2 ** 20) }));
  `, ["--expose-gc"]);
  assert.deepEqual([seen.good, seen.long, seen.padded], [true, false, false]);
  assert.ok(seen.grewMB < 40, `the wasm grew ${seen.grewMB} MB for an 8 MB header`);
});

test("a body only the core reads exactly (a user_id past 2^53) is read to 32 Mi characters: a larger one is invalid_webhook 413, and the wasm does not grow (an outside review)", async () => {
  // Before: the core read any such body, at about 7 times its size in wasm memory that never shrinks
  // (and up to 40 times for some shapes): a few hundred MB of body left the wasm out of memory, and the
  // process's later calls failing.
  const { inFreshNode } = await import("./fresh-node.mjs");
  const seen = await inFreshNode(`
    import { handleWebhook, parseWebhook } from "gist-wasm";
    const external = () => { globalThis.gc(); return process.memoryUsage().external; };
    const body = (size) => '{"topic":"contact.created","contact":{"id":7,"type":"user","user_id":9007199254740993,"note":"' + "x".repeat(size) + '"}}';
    const small = parseWebhook(body(2 ** 20));
    const large = body(40 * 2 ** 20);
    const before = external();
    const refused = (() => { try { parseWebhook(large); return "parsed"; } catch (error) { return [error.code, error.status]; } })();
    const grewMB = Math.round((external() - before) / 2 ** 20);
    const request = new Request("http://127.0.0.1/webhooks", { method: "POST", body: large });
    const handled = await handleWebhook(request, { maxBodyBytes: 64 * 2 ** 20 }).then(() => "parsed", (error) => [error.code, error.status]);
    console.log(JSON.stringify({ id: small.contact.user_id, refused, handled, grewMB }));
  `, ["--expose-gc"]);
  assert.equal(seen.id, "9007199254740993", "a smaller one is read exactly");
  assert.deepEqual(seen.refused, ["invalid_webhook", 413]);
  assert.deepEqual(seen.handled, ["invalid_webhook", 413]);
  assert.ok(seen.grewMB < 10, `the wasm grew ${seen.grewMB} MB`);
});

test("a body past 32 Mi characters with hundreds of objects, or of brackets in its strings, is read by JS: only nesting counts (an outside review)", async () => {
  // Before: every `{` and `[` counted as a level, even in a string, so such a body went to the core, past
  // whose 32 Mi characters it was a 413 said to be "nested past 127 levels".
  const { inFreshNode } = await import("./fresh-node.mjs");
  const seen = await inFreshNode(`
    import { parseWebhook } from "gist-wasm";
    const pad = "x".repeat(33 * 2 ** 20);
    const outcome = (body) => { try { const event = parseWebhook(body); return [event.kind, event.contact.id, event.payload.items?.length ?? null]; } catch (error) { return [error.code, error.status]; } };
    const items = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i })));
    console.log(JSON.stringify({
      objects: outcome('{"topic":"contact.created","contact":{"id":7,"type":"user"},"items":' + items + ',"note":"' + pad + '"}'),
      inStrings: outcome('{"topic":"contact.created","contact":{"id":7,"type":"user","name":"' + "[{".repeat(200) + '\\\\"}","note":"' + pad + '"}}'),
    }));
  `, ["--max-old-space-size=1024"]);
  assert.deepEqual(seen.objects, ["contact", 7, 200]);
  assert.deepEqual(seen.inStrings, ["contact", 7, null]);
});
