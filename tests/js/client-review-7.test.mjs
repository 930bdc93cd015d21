// Findings of an outside review of the client against a hostile server (2026-12-05), in Node over real
// HTTP on loopback: tagContacts sends each batch once it is full, so a deadline that passes during the
// lookups keeps what was sent before it; a server that goes round pages (alternating replicas that
// ignore `page`) ends a list, where a walk went on for ever; a status past 599 is not called the
// caller's fault.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { json, startServer } from "./loopback.mjs";

test("tagContacts sends a full batch before the next lookups: a deadline among them leaves that batch tagged and the rest in failed", async (t) => {
  let lookups = 0;
  const server = await startServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.method === "POST") return json(res, 200, { tag: { id: 3, name: "VIP" } });
    if (++lookups > 50) return new Promise(() => {}); // no answer: the call's deadline comes
    const email = url.searchParams.get("email");
    json(res, 200, { contact: { id: 1000 + lookups, type: "user", email } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, timeoutMs: 4000 });
  t.after(() => gist.free());
  const users = Array.from({ length: 60 }, (_, i) => ({ email: `user${i}@example.com` }));
  const result = await gist.tagContacts({ tag: "VIP", users });
  assert.equal(result.tagged, 50);
  assert.deepEqual(result.failed.map((f) => f.error.code), Array(10).fill("timeout"));
  assert.deepEqual(new Set(result.failed.map((f) => f.target.email)), new Set(users.slice(50).map((u) => u.email)));
  const posts = server.requests.filter((r) => r.method === "POST");
  assert.equal(posts.length, 1);
  assert.equal(JSON.parse(posts[0].body).contacts.length, 50);
  assert.equal(server.requests.indexOf(posts[0]), 50, "the batch right after its 50th lookup");
});

test("a server that answers every page from two replicas in turn ends the walk and the list, each within three rounds", async (t) => {
  let answered = 0;
  const server = await startServer((req, res) => {
    const replica = answered++ % 2;
    const tags = Array.from({ length: 10 }, (_, i) => ({ id: 10 * replica + i + 1, name: `t${10 * replica + i + 1}` }));
    json(res, 200, { tags, pages: { next: "more" } });
  });
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, perPage: 10 });
  t.after(() => gist.free());
  const walked = [];
  for await (const tag of gist.iterTags()) {
    walked.push(tag.id);
    if (walked.length > 1_000) break;
  }
  assert.ok(walked.length <= 60, `the walk ended after ${walked.length} tags`);
  assert.deepEqual(new Set(walked).size, 20);
  answered = 0;
  const listed = await gist.listTags({ limit: 1_000 });
  assert.ok(listed.length <= 60, `the list ended after ${listed.length} tags`);
  assert.deepEqual(new Set(listed.map((tag) => tag.id)).size, 20);
});

test("an answer with a status past 599 is invalid_response that says so, not 'check the arguments'", async (t) => {
  let status = 600;
  const server = await startServer((req, res) => json(res, status, { errors: [] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url });
  t.after(() => gist.free());
  for (status of [600, 999]) {
    const error = await gist.fetchUser({ id: 1 }).then(() => assert.fail("resolved"), (e) => e);
    assert.equal(error.code, "invalid_response");
    assert.equal(error.status, status);
    assert.match(error.message, /no HTTP error status/);
    assert.doesNotMatch(error.message, /check the arguments/);
  }
});
