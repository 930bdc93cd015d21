// The built package, imported by name in Node (ESM), against the mock served over HTTP on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import init, { GistClient, GistError, handleWebhook, verifyWebhook } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { smoke, expectedFor } from "./smoke.mjs";

let server;
before(async () => { server = await serveMock({ port: 0 }); });
after(() => server.close());

test("init() is a harmless no-op in Node", async () => {
  await init();
  await init();
});

test("every Users function works over real HTTP", async () => {
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: server.url });
  const user = await gist.createUser({ user_id: "4242", email: "a+b@example.com", phone: "555", tags: ["VIP"] });
  assert.equal(user.type, "user");
  assert.equal(user.user_id, "4242");
  assert.equal(typeof user.unsubscribed_from_emails, "boolean");
  assert.deepEqual((await gist.fetchUser({ email: "a+b@example.com" })).id, user.id);
  assert.deepEqual((await gist.fetchUser({ user_id: 4242 })).id, user.id);
  const updated = await gist.updateUser({ id: user.id }, { name: "Renamed" });
  assert.equal(updated.name, "Renamed");
  const users = await gist.listUsers({ limit: 70, order: "asc", order_by: "created_at" });
  assert.equal(users.length, 70);
  assert.ok(users.every((u) => u.type === "user"));
  let n = 0;
  for await (const u of gist.iterUsers()) {
    assert.equal(u.type, "user");
    if (++n === 10) break;
  }
  assert.equal(n, 10);
  await gist.deleteUser({ user_id: "4242" });
  await assert.rejects(gist.fetchUser({ id: user.id }), (e) => e instanceof GistError && e.code === "not_found");
});

test("errors are GistError instances with a stable code and no secret", async () => {
  const gist = new GistClient({ apiKey: "sk_wrong_key", baseUrl: server.url });
  const error = await gist.listUsers().catch((e) => e);
  assert.ok(error instanceof GistError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "GistError");
  assert.equal(error.code, "unauthorized");
  assert.equal(error.status, 401);
  assert.ok(!JSON.stringify(error).includes("sk_wrong_key"));
  assert.ok(!String(error.stack).includes("sk_wrong_key"));
  assert.throws(() => new GistClient({ apiKey: "" }), (e) => e instanceof GistError && e.code === "invalid_argument");
});

test("the mock works as an injected fetch, with no network", async () => {
  const mock = createMockGist({ contacts: 30 });
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  const users = await gist.listUsers({ limit: 1000 });
  assert.equal(users.length, mock.state.contacts.filter((c) => c.type === "user").length);
  mock.fail({ status: 503, headers: { "retry-after": "0" } });
  assert.equal((await gist.listUsers({ limit: 1 })).length, 1, "the read was retried after 503");
});

test("a network failure is network_error", async () => {
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const error = await gist.fetchUser({ id: 1 }).catch((e) => e);
  assert.equal(error.code, "network_error");
});

test("every Gist module works from the built package, over HTTP and through an injected fetch", async () => {
  const overHttp = new GistClient({ apiKey: "mock-key", baseUrl: server.url });
  const seen = await smoke(overHttp, GistError);
  assert.match(seen.user.user_id, /^[0-9]+$/);
  assert.deepEqual(seen, expectedFor(seen));
  const injected = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: createMockGist().fetch });
  const again = await smoke(injected, GistError);
  assert.deepEqual(again, expectedFor(again));
});

test("a custom fetch that ignores the abort signal still cannot outlive the deadline", async () => {
  const never = () => new Promise(() => {});
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://mock.invalid", fetch: never, timeoutMs: 200 });
  const started = Date.now();
  const error = await gist.listUsers().catch((e) => e);
  assert.equal(error.code, "timeout");
  assert.ok(Date.now() - started < 2000, "no hang");
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const aborted = await gist.fetchUser({ id: 1 }, { signal: controller.signal, timeoutMs: 10_000 }).catch((e) => e);
  assert.equal(aborted.code, "aborted");
});

test("a call stopped by its signal keeps the reason as cause; an AbortSignal.timeout() that fired is a timeout", async () => {
  const mock = createMockGist({ apiKey: "k" });
  const slow = async (url, init) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://mock.invalid", fetch: slow, maxRetries: 0 });
  const reason = new Error("the user left the page");
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), 30);
  const aborted = await gist.fetchUser({ id: 1 }, { signal: controller.signal }).catch((e) => e);
  assert.deepEqual([aborted instanceof GistError, aborted.code, aborted.cause], [true, "aborted", reason]);
  const timedOut = await gist.listTags({ limit: 1 }, { signal: AbortSignal.timeout(30) }).catch((e) => e);
  assert.deepEqual([timedOut instanceof GistError, timedOut.code, timedOut.cause?.name], [true, "timeout", "TimeoutError"]);
  const paged = new GistClient({ apiKey: "k", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage: 50 });
  const walk = paged.iterUsers({}, { signal: AbortSignal.timeout(100) });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  const stopped = await (async () => { for await (const _user of walk) await pause(); })().catch((e) => e);
  assert.equal(stopped.code, "timeout", "a walk stopped between items too");
});

test("without Web Crypto (a browser page that is not secure) an HMAC check is invalid_argument; a token check still works", async () => {
  const webCrypto = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });
  try {
    const hmac = { secret: "s3cret", scheme: "hmac-sha256" };
    const signed = { body: "{}", headers: { "x-gist-signature": `sha256=${"00".repeat(32)}` } }; // a SHA-256's length
    const refused = await verifyWebhook(signed, hmac).catch((e) => e);
    assert.ok(refused instanceof GistError, String(refused));
    assert.equal(refused.code, "invalid_argument");
    assert.match(refused.message, /Web Crypto/);
    const request = new Request("http://127.0.0.1/hook", { method: "POST", body: "{}", headers: signed.headers });
    assert.equal((await handleWebhook(request, { verify: hmac }).catch((e) => e)).code, "invalid_argument");
    assert.equal(await verifyWebhook({ body: "{}", headers: { "x-gist-webhook-token": "s3cret" } }, { secret: "s3cret" }), true);
  } finally {
    Object.defineProperty(globalThis, "crypto", webCrypto);
  }
});
