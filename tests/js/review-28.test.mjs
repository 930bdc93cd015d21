// Findings of outside reviews (2026-12-07, twenty-eighth round), in Node through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { pacedFetch } from "gist-wasm/queues";
import { startServer } from "./loopback.mjs";

test("the mock stores a body's fields as given, `__proto__` too, where Object.assign set the prototype with it (an outside review: a custom property dropped)", async (t) => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  t.after(() => gist.free());
  const properties = JSON.parse('{"__proto__":"kept","plan":"pro"}');
  const created = await gist.createUser({ user_id: 4242, custom_properties: properties });
  assert.deepEqual(Object.entries(created.custom_properties), [["__proto__", "kept"], ["plan", "pro"]]);
  const fetched = await gist.fetchUser({ user_id: 4242 });
  assert.deepEqual(Object.entries(fetched.custom_properties), [["__proto__", "kept"], ["plan", "pro"]]);

  // A top-level field named `__proto__` is a field of the contact, not its prototype.
  const answer = await mock.fetch("http://mock.invalid/contacts", {
    method: "POST", headers: { authorization: "Bearer mock-key", "content-type": "application/json" },
    body: '{"user_id":"77","__proto__":{"planted":true}}',
  });
  assert.equal(answer.status, 200);
  const { contact } = await answer.json();
  assert.deepEqual(contact.__proto__, { planted: true });
  const listed = await mock.fetch("http://mock.invalid/contacts?user_id=77", { headers: { authorization: "Bearer mock-key" } });
  const again = (await listed.json()).contact;
  assert.equal(Object.hasOwn(again, "__proto__"), true);
  assert.equal(again.planted, undefined);
});

test("withResponse's `requests` leaves out a request a pacing fetch held and never sent, as it does one the client's own pacing held (an outside review: 3 counted, 2 sent)", async (t) => {
  const server = await startServer((req, res) => {
    const body = req.method === "GET" ? '{"tags":[]}' : '{"tag":{"id":7,"name":"vip"}}';
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  t.after(() => server.close());
  // A pacer whose Durable Object cannot be reached: pacedFetch paces here, at one request a second.
  const unreachable = { idFromName: (name) => name, get: () => ({ fetch: async () => { throw new Error("no pacer here"); } }) };
  const fetch = pacedFetch(unreachable, "k", { requestsPerSecond: 10, fallbackRequestsPerSecond: 1 });
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, fetch, logLevel: "off" });
  t.after(() => gist.free());
  const users = Array.from({ length: 200 }, (_, i) => ({ id: i + 1 }));
  const { data, response } = await gist.tagContacts({ tag: "vip", users }, { timeoutMs: 1500 }).withResponse();
  assert.ok(data.failed.length > 0, "a batch was held past the deadline");
  assert.equal(response.requests, server.requests.length);
});
