// Findings of an outside review of the client's calls over real HTTP (2026-12-03), through the built
// package in Node against loopback servers: a list page's deep `pages` is invalid_response; a
// tagContacts batch or lookup that gets no answer is in `failed` and the rest goes on; a looked-up contact
// that lacks the user_id or email asked for is not acted on; logged bodies hold no email.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

const code = (expected) => (e) => e instanceof GistError && e.code === expected;

test("a list page whose `pages` is nested past what the client reads is invalid_response", async (t) => {
  let depth = 0;
  const server = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(`{"tags":[{"id":1,"name":"a"}],"pages":${"[".repeat(depth)}${"]".repeat(depth)}}`);
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  for (depth of [128, 129, 1_000, 10_000]) {
    await assert.rejects(gist.listTags(), code("invalid_response"), `depth ${depth}`);
    await assert.rejects((async () => { for await (const tag of gist.iterTags()) void tag; })(), code("invalid_response"), `iter, depth ${depth}`);
  }
  depth = 3;
  assert.deepEqual((await gist.listTags()).map((tag) => tag.id), [1], "a shallow one is read");
});

/** A server for tagContacts: the tagging POSTs answer in turn as `batches` says ("ok", "reset", "hang"). */
async function tagServer(t, batches) {
  let posts = 0;
  const server = await startServer((req, res, body) => {
    const { contacts } = JSON.parse(body.toString("utf8") || "{}");
    if (req.method !== "POST" || !contacts) return json(res, 200, { tag: { id: 3, name: "VIP" } });
    const answer = batches[posts++] ?? "ok";
    if (answer === "reset") return res.destroy();
    if (answer === "hang") return;
    if (answer === "429") return json(res, 429, { errors: [{ code: "rate_limited", message: "slow down" }] }, { "retry-after": "1" });
    json(res, 200, { tag: { id: 3, name: "VIP" } });
  });
  t.after(() => server.close());
  return server;
}

const users = (n) => Array.from({ length: n }, (_, i) => ({ id: 100 + i }));
// How many targets failed with each code, in the order the codes first come.
function failures(result) {
  const counts = new Map();
  for (const { error } of result.failed) counts.set(error.code, (counts.get(error.code) ?? 0) + 1);
  return [...counts];
}

test("a tagContacts batch that gets no answer is in `failed`, and the batches after it still go", async (t) => {
  const server = await tagServer(t, ["ok", "reset", "ok"]);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const result = await gist.tagContacts({ tag: "VIP", users: users(120) });
  assert.deepEqual([result.tagged, failures(result)], [70, [["network_error", 50]]]);
  assert.deepEqual(result.failed.map((f) => f.target.id), users(120).slice(50, 100).map((u) => u.id));
  assert.equal(server.requests.filter((r) => r.method === "POST").length, 3);
});

test("a tagContacts batch that outlasts the call's deadline leaves every target not yet sent in `failed` as timeout", async (t) => {
  const server = await tagServer(t, ["ok", "hang"]);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0, timeoutMs: 500 });
  const result = await gist.tagContacts({ tag: "VIP", users: users(120) });
  // 50 tagged; the hung batch's 50 and the last batch's 20, never sent, timed out.
  assert.deepEqual([result.tagged, failures(result)], [50, [["timeout", 70]]]);
  assert.equal(server.requests.filter((r) => r.method === "POST").length, 2, "nothing sent after the deadline");
});

test("a tagContacts call whose every batch gets no answer rejects, saying the write may have acted", async (t) => {
  const server = await tagServer(t, ["reset", "reset"]);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const error = await gist.tagContacts({ tag: "VIP", users: users(60) }).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(code("network_error")(error), String(error));
  assert.equal(error.mayHaveActed, true);
  assert.equal(server.requests.filter((r) => r.method === "POST").length, 2, "both batches were tried");
});

test("a tagContacts batch answered 429 and not retried is in `failed`, and the next batch still goes", async (t) => {
  const server = await tagServer(t, ["429", "ok"]);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const result = await gist.tagContacts({ tag: "VIP", users: users(60) });
  assert.deepEqual([result.tagged, failures(result)], [10, [["rate_limited", 50]]]);
  assert.equal(server.requests.filter((r) => r.method === "POST").length, 2);
});

test("a tagContacts call whose answers pass maxResponseBytes fails the rest invalid_response, sends no more, and reports what was tagged", async (t) => {
  const server = await tagServer(t, []);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0, maxResponseBytes: 100 });
  const result = await gist.tagContacts({ tag: "VIP", users: users(260) });
  const posts = server.requests.filter((r) => r.method === "POST").length;
  assert.ok(posts < 6, "it stopped before the last batch");
  assert.equal(result.tagged, 50 * (posts - 1), "every batch answered within the limit");
  assert.equal(result.failed.length, 260 - result.tagged);
  assert.ok(result.failed.every(({ error }) => error.code === "invalid_response" && /maxResponseBytes/.test(error.message)));
});

test("deleteUser and updateUser do not act on a looked-up contact that lacks the user_id or email asked for", async (t) => {
  let contact;
  const server = await startServer((req, res) => json(res, 200, { contact }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  for (contact of [{ id: 7, type: "user" }, { id: 7, type: "user", user_id: null, email: "" }]) {
    await assert.rejects(gist.deleteUser({ user_id: 42 }), code("invalid_response"), JSON.stringify(contact));
    await assert.rejects(gist.deleteUser({ email: "ada@example.com" }), code("invalid_response"), JSON.stringify(contact));
    await assert.rejects(gist.updateUser({ email: "ada@example.com" }, { name: "x" }), code("invalid_response"), JSON.stringify(contact));
  }
  assert.deepEqual(server.requests.filter((r) => r.method !== "GET"), [], "nothing deleted or updated");
  contact = { id: 7, type: "user", user_id: "42", email: "ADA@example.com" };
  await gist.deleteUser({ user_id: 42 });
  await gist.deleteUser({ email: "ada@example.com" });
  assert.deepEqual(server.requests.filter((r) => r.method === "DELETE").map((r) => r.url), ["/contacts/7", "/contacts/7"]);
});

test("with logBodies, a logged request or answer body holds no email", async (t) => {
  const server = await startServer((req, res) => json(res, 200, { contact: { id: 7, type: "user", user_id: "42", email: "answer@example.com" } }));
  t.after(() => server.close());
  const lines = [];
  const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (line) => lines.push(line)]));
  const bodies = [];
  const hooks = { request: (info) => bodies.push(info.body) };
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, logger, hooks, logLevel: "debug", logBodies: true });
  await gist.createUser({ user_id: 42, email: "sent@example.com" });
  const text = lines.join("\n");
  assert.ok(text.includes("answered: {") && text.includes("[email]"), text);
  assert.deepEqual([text, JSON.stringify(bodies)].filter((each) => /sent@|answer@/.test(each)), []);
});

test("withResponse taken off its promise rejects with invalid_argument, and never throws", async (t) => {
  const server = await startServer((req, res) => json(res, 200, { contact: { id: 7, type: "user", user_id: "42" } }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url });
  const pending = gist.fetchUser({ id: 7 });
  const { withResponse } = pending;
  // The class is reachable (`pending.constructor`): what it makes itself holds no call.
  const made = pending.constructor;
  const trap = new Proxy({}, { getPrototypeOf() { throw new Error("trap"); } });
  for (const on of [undefined, {}, Promise.resolve(1), made.resolve(1), new made(() => {}), made.all([]), trap]) {
    let returned;
    assert.doesNotThrow(() => (returned = withResponse.call(on)), String(on));
    await assert.rejects(returned, code("invalid_argument"), String(on));
  }
  assert.equal((await pending.withResponse()).data.id, 7, "bound, it still works");
});
