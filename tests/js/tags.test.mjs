// tagContacts' targets (README, "Tags"; docs/gist-api.md, "Tags"), in Node against the in-memory mock: a
// target named by email or user_id is looked up and listed in `failed` when it matches nobody; a target
// named by its Gist id is sent as given (what Gist does with an id it does not know is unknown), and the
// mock, like the client, takes it as tagged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";

function client() {
  const mock = createMockGist();
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ method: init?.method ?? "GET", path: new URL(url).pathname, body: init?.body ? JSON.parse(init.body) : undefined });
    return mock.fetch(url, init);
  };
  return { gist: new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch }), mock, sent };
}

test("a target by email or user_id that matches nobody is in `failed`, and the rest is tagged", async () => {
  const { gist, mock } = client();
  const user = mock.state.contacts.find((c) => c.type === "user");
  const result = await gist.tagContacts({ tag: "VIP", users: [{ email: user.email }, { email: "nobody@example.com" }, { user_id: 999999 }] });
  assert.equal(result.tagged, 1);
  assert.deepEqual(result.failed.map((f) => [f.target, f.error.code]), [[{ email: "nobody@example.com" }, "not_found"], [{ user_id: 999999 }, "not_found"]]);
  assert.ok(mock.state.contacts.find((c) => c.id === user.id).tags.includes(result.tag.id));
});

test("a target by email resolved to a contact of the other type is in `failed` as not_found, not tagged", async () => {
  const { gist, mock } = client();
  const user = mock.state.contacts.find((c) => c.type === "user" && c.email);
  const lead = mock.state.contacts.find((c) => c.type === "lead" && c.email);
  const result = await gist.tagContacts({ tag: "Typed", users: [{ email: lead.email }], leads: [{ email: user.email }] });
  assert.deepEqual([result.tagged, result.failed.map((f) => [f.target, f.error.code])],
    [0, [[{ email: lead.email }, "not_found"], [{ email: user.email }, "not_found"]]]);
  assert.match(result.failed[0].error.message, /is a lead, not a user/);
  assert.ok(!mock.state.contacts.some((c) => c.tags.includes(result.tag.id)), "nobody tagged");
});

test("a target by id is sent as given, with no lookup: an unknown id counts as tagged, and the mock ignores it", async () => {
  const { gist, mock, sent } = client();
  const known = mock.state.contacts.find((c) => c.type === "lead" && !c.tags.includes(3));
  const contacts = mock.state.contacts.length;
  const result = await gist.tagContacts({ tag: "VIP", users: [{ id: 999999 }, { id: 12, untag: true }], leads: [{ id: known.id }] });
  assert.deepEqual([result.tagged, result.untagged, result.failed], [2, 1, []]);
  assert.deepEqual(sent.map((s) => `${s.method} ${s.path}`), ["POST /tags"], "no lookup of an id");
  assert.deepEqual(sent[0].body, { name: "VIP", contacts: [{ id: 999999 }, { id: 12, untag: true }, { id: known.id }] });
  assert.ok(mock.state.contacts.find((c) => c.id === known.id).tags.includes(3), "the known lead is tagged");
  assert.equal(mock.state.contacts.length, contacts, "an unknown id creates no contact");
});

test("a contact named twice (by id and by email) is sent and counted once; named to be tagged and untagged, the later target fails as invalid_argument", async () => {
  const { gist, mock, sent } = client();
  const [user, other] = mock.state.contacts.filter((c) => c.type === "user" && c.email);
  const result = await gist.tagContacts({ tag: "Twice", users: [{ id: user.id }, { email: user.email }, { id: user.id }, { id: other.id }, { id: other.id, untag: true }] });
  assert.deepEqual([result.tagged, result.untagged], [2, 0]);
  assert.deepEqual(result.failed.map((f) => [f.target, f.error.code]), [[{ id: other.id, untag: true }, "invalid_argument"]]);
  assert.ok(!result.failed[0].error.message.includes("@"), "no email in the message");
  assert.deepEqual(sent.filter((s) => s.method === "POST").map((s) => s.body.contacts), [[{ id: user.id }, { id: other.id }]]);
  assert.ok(mock.state.contacts.find((c) => c.id === other.id).tags.includes(result.tag.id), "the first target's end is kept");
});

test("a batch the deadline cuts off before its answer says its contacts may have been tagged; a batch never sent says only timeout", async () => {
  const mock = createMockGist({ contacts: 150 });
  const delayMs = 300;
  const fetch = async (url, init) => {
    // The mock acts at once; its answer comes delayMs later, so the deadline can fall between.
    const answer = await mock.fetch(url, init);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return answer;
  };
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch, timeoutMs: 450, maxRetries: 0 });
  const ids = mock.state.contacts.slice(0, 120).map((c) => c.id); // by id: sent as given, with no lookup
  assert.equal(ids.length, 120);
  const result = await gist.tagContacts({ tag: "cut-off", users: ids.map((id) => ({ id })) });
  // Batches of 50, 50, 20: the first answered, the second sent and cut off, the third never sent.
  assert.equal(result.tagged, 50);
  const cutOff = result.failed.filter((f) => /may have been tagged/.test(f.error.message));
  const unsent = result.failed.filter((f) => !/may have been tagged/.test(f.error.message));
  assert.deepEqual([cutOff.length, unsent.length], [50, 20]);
  assert.ok(result.failed.every((f) => f.error.code === "timeout"));
  const tagId = result.tag.id;
  assert.ok(cutOff.every((f) => mock.state.contacts.find((c) => c.id === f.target.id).tags.includes(tagId)), "the cut-off batch was acted on");
  assert.ok(unsent.every((f) => !mock.state.contacts.find((c) => c.id === f.target.id).tags.includes(tagId)));
});

test("a batch answered with a redirect, or past maxResponseBytes, fails it and the targets not yet sent; what was tagged is still reported", async () => {
  const users = Array.from({ length: 150 }, (_, i) => ({ id: i + 1 }));
  for (const [refusal, options, message] of [
    [{ status: 302, headers: { location: "http://elsewhere.invalid/tags" } }, {}, /redirect/],
    [{ body: JSON.stringify({ tag: { id: 7, name: "VIP", padding: "x".repeat(6000) } }) }, { maxResponseBytes: 5000 }, /maxResponseBytes/],
  ]) {
    let posts = 0;
    const fetch = async () => {
      posts += 1;
      const answer = posts === 2 ? refusal : { body: JSON.stringify({ tag: { id: 7, name: "VIP" } }) };
      return new Response(answer.body ?? null, { status: answer.status ?? 200, headers: { "content-type": "application/json", ...answer.headers } });
    };
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, logLevel: "off", ...options });
    const result = await gist.tagContacts({ tag: "VIP", users });
    assert.equal(result.tagged, 50, "the first batch's 50 are reported");
    assert.equal(posts, 2, "the third batch is not sent");
    assert.equal(result.failed.length, 100);
    for (const [index, { error }] of result.failed.entries()) {
      assert.equal(error.code, "invalid_response");
      assert.match(error.message, message);
      // The refused batch went, and Gist may have acted on it; the last was never sent.
      assert.equal(/may have been tagged/.test(error.message), index < 50, error.message);
    }
    assert.deepEqual(result.failed.map((f) => f.target.id), users.slice(50).map((u) => u.id));
  }
});

test("a redirect on every batch rejects: nothing could be done", async () => {
  const fetch = async () => new Response(null, { status: 301, headers: { location: "http://elsewhere.invalid/" } });
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, logLevel: "off" });
  await assert.rejects(gist.tagContacts({ tag: "VIP", users: [{ id: 1 }, { id: 2 }] }), { code: "invalid_response", message: /redirect/ });
});

test("a batch that got no answer, or a server error Gist did not refuse with, says its contacts may have been tagged; one Gist refused does not", async () => {
  // Before, only a batch cut off by the deadline or refused by the client said so: a 500's said "retry later".
  const users = Array.from({ length: 51 }, (_, i) => ({ id: 100 + i }));
  for (const [second, tagged] of [
    [() => new Response('{"errors":[{"code":"oops","message":"boom"}]}', { status: 500 }), true],
    [() => { throw new TypeError("fetch failed"); }, true],
    [() => new Response('{"errors":[{"code":"invalid","message":"no"}]}', { status: 422 }), false],
  ]) {
    let posts = 0;
    const fetch = async () => {
      posts += 1;
      return posts === 2 ? second() : new Response(JSON.stringify({ tag: { id: 7, name: "VIP" } }), { headers: { "content-type": "application/json" } });
    };
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, logLevel: "off" });
    const result = await gist.tagContacts({ tag: "VIP", users });
    assert.equal(result.tagged, 50);
    assert.equal(result.failed.length, 1);
    assert.equal(/may have been tagged/.test(result.failed[0].error.message), tagged, result.failed[0].error.message);
  }
});
