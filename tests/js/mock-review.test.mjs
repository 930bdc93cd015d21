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
