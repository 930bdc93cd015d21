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
