// Findings of an outside review of the types, the README and the mock (2026-12-05), in Node: the mock's
// webhook deliveries carry the contact as its REST answers do; a lead it makes has no user_id; a contact
// pushed into its state without tags or segments is served; deliverWebhook to nobody is network_error;
// serveMock's close() resolves nothing, twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError, parseWebhook } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { closedPort, startServer } from "./loopback.mjs";
import { inFreshNode } from "./fresh-node.mjs";

test("a delivery's contact is typed as the REST API's: tags as {id, name}, full_name, the flag as Gist writes it, no segments", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  t.after(() => gist.free());
  await gist.createUser({ user_id: 4242, email: "ada@example.com", name: "Ada", tags: ["VIP"] });
  const receiver = await startServer();
  t.after(() => receiver.close());
  await mock.deliverWebhook(receiver.url, "user.created");
  const body = JSON.parse(receiver.requests[0].body);
  assert.equal(body.contact.segments, undefined);
  assert.equal(body.contact.unsubscribed_from_emails, "false");
  const event = parseWebhook(receiver.requests[0].body);
  assert.deepEqual(event.contact.tags.map((tag) => tag.name), ["VIP"]);
  assert.equal(event.contact.full_name, "Ada");
  assert.equal(event.contact.unsubscribed_from_emails, false);
});

test("the mock makes a user whose email createLead names a lead without its user_id", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  t.after(() => gist.free());
  const user = mock.state.contacts.find((c) => c.type === "user" && c.email);
  const lead = await gist.createLead({ email: user.email });
  assert.deepEqual([lead.type, lead.user_id], ["lead", null]);
  assert.equal((await gist.fetchLead({ id: lead.id })).user_id, null);
});

test("a contact pushed into the mock's state without tags or segments is listed, filtered and fetched", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  t.after(() => gist.free());
  mock.state.contacts.push({ id: 99999, type: "user", user_id: "99999", email: "pushed@example.com", name: "Pushed" });
  assert.ok((await gist.listUsers({ limit: 10000 })).some((c) => c.id === 99999));
  assert.ok(!(await gist.listUsers({ tag_id: 3, limit: 10000 })).some((c) => c.id === 99999));
  assert.deepEqual((await gist.fetchUser({ id: 99999 })).tags, []);
  const tagged = await gist.tagContacts({ tag: "VIP", users: [{ id: 99999 }] });
  assert.equal(tagged.tagged, 1);
  assert.deepEqual((await gist.fetchUser({ id: 99999 })).tags.map((tag) => tag.name), ["VIP"]);
});

test("deliverWebhook to a receiver nobody listens at rejects with network_error; serveMock's close() resolves nothing, twice", async () => {
  const mock = createMockGist();
  const error = await mock.deliverWebhook(`http://127.0.0.1:${await closedPort()}/hook`, "user.created").catch((e) => e);
  assert.ok(error instanceof GistError, String(error));
  assert.equal(error.code, "network_error");
  const served = await serveMock({ port: 0 });
  assert.equal(await served.close(), undefined);
  assert.equal(await served.close(), undefined);
});

// Findings of an outside review of the mock (2026-12-06).
test("a failure rule may not set a header that frames the answer: the server writes its own (before: content-length 5 over a 65-byte body, the next answer on the connection garbled)", async (t) => {
  for (const name of ["content-length", "Transfer-Encoding", "connection"]) {
    assert.throws(() => createMockGist().fail({ status: 503, headers: { [name]: "5" } }), { name: "TypeError", message: new RegExp(name, "i") });
  }
  const served = await serveMock({ port: 0 });
  t.after(() => served.close());
  const refused = await fetch(`${served.url}/__mock/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 503, headers: { "content-length": "5" } }) });
  assert.equal(refused.status, 400);
});

// Finding of the twentieth round's review (2026-12-06).
test("a failure rule's headers given as a Headers or a Map are refused, not sent as none (before: the 429 came without its retry-after)", async () => {
  for (const headers of [new Headers({ "retry-after": "7" }), new Map([["retry-after", "7"]])]) {
    assert.throws(() => createMockGist().fail({ status: 429, headers }), { name: "TypeError", message: /headers must be a plain object/ });
  }
  // A plain object with no prototype, or of another realm (an outside review: refused), is one.
  const { runInNewContext } = await import("node:vm");
  for (const headers of [Object.create(null, { "retry-after": { value: "7", enumerable: true } }), runInNewContext('({ "retry-after": "7" })')]) {
    const mock = createMockGist();
    mock.fail({ status: 429, headers });
    const answer = await mock.fetch("http://mock.test/contacts", { headers: { authorization: "Bearer mock-key" } });
    assert.deepEqual([answer.status, answer.headers.get("retry-after")], [429, "7"]);
  }
});

test("serveMock rejects options it cannot use with a TypeError (before: an uncaught exception, every POST a 413, a Unix socket named abc)", async () => {
  for (const [options, name] of [[{ allowHosts: "mock" }, "allowHosts"], [{ maxBodyBytes: "1mb" }, "maxBodyBytes"], [{ port: "abc" }, "port"], [{ port: 70000 }, "port"], [{ host: "" }, "host"], [{ contacts: -1 }, "contacts"]]) {
    await assert.rejects(serveMock(options), (error) => error instanceof TypeError && error.message.includes(name), JSON.stringify(options));
  }
});

test("mock.fetch rejects as fetch does: a relative URL, a method the Fetch API refuses, a signal aborted before or while it answers (before: thrown at once, or a 200)", async () => {
  const mock = createMockGist();
  const headers = { authorization: "Bearer mock-key" };
  const pending = [mock.fetch("/contacts", { headers }), mock.fetch("http://mock.test/contacts", { method: "TRACE", headers })];
  for (const call of pending) await assert.rejects(call, TypeError);
  await assert.rejects(mock.fetch("http://mock.test/contacts", { headers, signal: AbortSignal.abort() }), { name: "AbortError" });
  mock.fail({ path: "/contacts", status: 503, delayMs: 5000 });
  const controller = new AbortController();
  const started = performance.now();
  const slow = mock.fetch("http://mock.test/contacts", { headers, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(slow, { name: "AbortError" });
  assert.ok(performance.now() - started < 2000, "aborted while it waited");
});

test("a rule's delay no longer holds the process once its request is given up (an outside review: 6 s after a call that timed out at 200 ms)", async () => {
  const started = performance.now();
  const seen = await inFreshNode(`
    const { GistClient } = await import("gist-wasm");
    const { createMockGist } = await import("gist-wasm/mock");
    const { serveMock } = await import("gist-wasm/mock/server");
    const mock = createMockGist();
    mock.fail({ status: 503, delayMs: 60_000 });
    const inProcess = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.test", fetch: mock.fetch, timeoutMs: 200 });
    const served = await serveMock({ port: 0 });
    served.mock.fail({ status: 503, delayMs: 60_000 });
    const overHttp = new GistClient({ apiKey: "mock-key", baseUrl: served.url, timeoutMs: 200 });
    const codes = [];
    for (const gist of [inProcess, overHttp]) codes.push(await gist.fetchUser({ id: 1001 }).then(() => "resolved", (e) => e.code));
    await served.close();
    console.log(JSON.stringify(codes));`);
  assert.deepEqual(seen, ["timeout", "timeout"]);
  assert.ok(performance.now() - started < 20_000, "the process ended long before the rules' delay");
  await assert.rejects(serveMock(null), (error) => error instanceof TypeError && /options must be an object/.test(error.message));
});
