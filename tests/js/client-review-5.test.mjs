// Findings of the outside reviews of 2026-12-05 (the twelfth round), through the built package in Node:
// a write whose answer names another contact, and an answer nested past the reader's 128 levels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";

const KEY = "mock-key-review-5-4b1d";
const user = { id: 5, user_id: "1", type: "user", email: "ada@example.com" };

// A client whose fetch finds `found` (a GET) and answers a write (a POST) with `written`.
function answering(found, written) {
  const fetch = async (url, init) => Response.json({ contact: init.method === "GET" ? found : written });
  return new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch, maxRetries: 0, logLevel: "off" });
}

test("a write whose answer names another contact (an upsert that matched another one) is invalid_response, not that contact", async () => {
  const writes = {
    "updateUser({id: 5})": (gist) => gist.updateUser({ id: 5 }, { name: "Ada" }),
    "createUser({user_id: 1})": (gist) => gist.createUser({ user_id: 1, email: "ada@example.com" }),
    "createLead({email})": (gist) => gist.createLead({ email: "lead@example.com" }),
    "updateLead({id: 5})": (gist) => gist.updateLead({ id: 5 }, { name: "Lee" }),
  };
  const other = { id: 6, user_id: "999", type: "user", email: "someone.else@example.com" };
  for (const [name, write] of Object.entries(writes)) {
    const found = name.includes("Lead") ? { ...user, user_id: null, type: "lead" } : user;
    const error = await write(answering(found, other)).then(() => null, (thrown) => thrown);
    assert.equal(error?.code, "invalid_response", name);
    assert.equal(error.mayHaveActed, true, `${name}: the write went`);
    assert.match(error.message, /a contact other than/, name);
    assert.doesNotMatch(error.message, /@|%40/, `${name}: no email in the message`);
  }
});

test("a write whose answer names the contact written resolves with it, a lead's email in any case, or a user's (Gist's upsert by email)", async () => {
  assert.equal((await answering(user, { ...user, name: "Ada" }).updateUser({ id: 5 }, { name: "Ada" })).name, "Ada");
  assert.equal((await answering(user, user).createUser({ user_id: 1 })).id, 5);
  const lead = await answering(null, { id: 7, type: "lead", email: "Lead@Example.com" }).createLead({ email: "lead@example.com" });
  assert.equal(lead.id, 7);
  const theUser = await answering(null, user).createLead({ email: "ada@example.com" });
  assert.deepEqual([theUser.id, theUser.type], [5, "user"], "a user's email posts to that user, as createLead documents");
});

test("an answer nested deeper than the reader's 128 levels is invalid_response that says so, not only 'not JSON'", async () => {
  const deep = `{"segment":{"id":1,"x":${"[".repeat(200)}${"]".repeat(200)}}}`;
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch: async () => new Response(deep), maxRetries: 0, logLevel: "off" });
  const error = await gist.fetchSegment(1).then(() => null, (thrown) => thrown);
  assert.equal(error?.code, "invalid_response");
  assert.match(error.message, /nests past 128 levels/);
});

test("a blank request-id header is no request id: requestId is null, and the next header named for one is read", async () => {
  for (const [headers, expected] of [[{ "x-request-id": "" }, null], [{ "x-request-id": "", "request-id": "req_2" }, "req_2"], [{ "x-request-id": "req_1" }, "req_1"]]) {
    const fetch = async () => Response.json({ segment: { id: 1 } }, { headers });
    const gist = new GistClient({ apiKey: KEY, baseUrl: "http://gist.invalid", fetch, maxRetries: 0, logLevel: "off" });
    const { response } = await gist.fetchSegment(1).withResponse();
    assert.equal(response.requestId, expected, JSON.stringify(headers));
  }
});

test("a base URL whose bracketed host is not closed or not an IPv6 address, or whose port is past 65535, is refused when the client is made", () => {
  for (const baseUrl of ["http://[::1", "http://[zz]", "http://a:99999", "http://a:65536"]) {
    assert.throws(() => new GistClient({ apiKey: KEY, baseUrl }), (error) => error.code === "invalid_argument", baseUrl);
  }
  for (const baseUrl of ["http://[::1]:4010", "http://a:65535"]) assert.ok(new GistClient({ apiKey: KEY, baseUrl }));
});

test("an email with letters outside ASCII names only an address that agrees with it in every ASCII character; spaces around one do not count", async () => {
  const lead = (email) => ({ id: 7, type: "lead", user_id: null, email });
  const refused = [["visitor@example.com", "zoë@attacker.org"], ["jörg@example.com", "someone@else.org"], ["åsa@example.com", "åsa@example.org"]];
  for (const [asked, answered] of refused) {
    const error = await answering(null, lead(answered)).createLead({ email: asked }).then(() => null, (thrown) => thrown);
    assert.equal(error?.code, "invalid_response", `${asked} answered as ${answered}`);
  }
  for (const [asked, answered] of [["åsa@example.com", "Åsa@Example.com"], [" visitor@example.com ", "visitor@example.com"]]) {
    assert.equal((await answering(null, lead(answered)).createLead({ email: asked })).id, 7, `${asked} answered as ${answered}`);
  }
  assert.equal((await answering(lead("Åsa@Example.com"), null).fetchLead({ email: "åsa@example.com" })).id, 7, "a lookup takes it too");
});
