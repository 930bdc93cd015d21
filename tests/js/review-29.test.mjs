// Findings of outside reviews (2026-12-07, twenty-ninth round), in Node through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { pacedFetch } from "gist-wasm/queues";
import { startServer } from "./loopback.mjs";

test("the hooks are told of a request pacedFetch sends, once its wait is over, and of none it held and never sent (an outside review: a refused request told as one that got no answer)", async (t) => {
  const server = await startServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"contact":{"id":1001,"type":"user"}}'));
  t.after(() => server.close());
  // A pacer whose Durable Object cannot be reached: pacedFetch paces here, at one request in 5 s.
  const unreachable = { idFromName: (name) => name, get: () => ({ fetch: async () => { throw new Error("no pacer here"); } }) };
  const fetch = pacedFetch(unreachable, "k", { requestsPerSecond: 10, fallbackRequestsPerSecond: 0.2 });
  const told = [];
  const hooks = {
    request: ({ attempt }) => told.push(`request ${attempt} (${server.requests.length} sent)`),
    response: ({ status }) => told.push(`response ${status}`),
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, fetch, hooks, logLevel: "off" });
  t.after(() => gist.free());
  await gist.fetchUser({ id: 1001 });
  const held = await gist.fetchUser({ id: 1001 }, { timeoutMs: 400 }).then(() => undefined, (error) => error);
  assert.equal(held?.code, "rate_limited");
  assert.equal(server.requests.length, 1);
  assert.deepEqual(told, ["request 1 (0 sent)", "response 200"]);
});

test("a request whose hook ran past its call's deadline is not sent through pacedFetch either: the call fails timeout, unsent (an outside review: sent 200 ms late, and the call resolved)", async (t) => {
  const server = await startServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"contact":{"id":7,"type":"user","user_id":"42"}}'));
  t.after(() => server.close());
  const unreachable = { idFromName: (name) => name, get: () => ({ fetch: async () => { throw new Error("no pacer here"); } }) };
  const fetch = pacedFetch(unreachable, "k", { requestsPerSecond: 100, fallbackRequestsPerSecond: 100 });
  const hooks = { request: () => { const end = Date.now() + 300; while (Date.now() < end); } };
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, fetch, hooks, logLevel: "off" });
  t.after(() => gist.free());
  const failed = await gist.createUser({ user_id: 42 }, { timeoutMs: 100 }).then(() => undefined, (error) => error);
  assert.equal(failed?.code, "timeout");
  assert.equal(failed.mayHaveActed, false);
  assert.equal(server.requests.length, 0);
});

test("an object literal argument is read as JSON reads it: a Proxy's get trap says what a field holds, and one that throws is invalid_argument (an outside review: the fast path read past the traps)", async (t) => {
  const bodies = [];
  const fetch = async (url, init) => {
    bodies.push(JSON.parse(init.body));
    return new Response('{"contact":{"id":7,"type":"user","user_id":"42"}}', { headers: { "content-type": "application/json" } });
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch });
  t.after(() => gist.free());
  const renamed = new Proxy({ user_id: "42", name: "Ada" }, { get: (target, key) => (key === "name" ? "Grace" : target[key]) });
  await gist.createUser(renamed);
  assert.equal(bodies[0].name, "Grace");
  const throwing = new Proxy({ user_id: "42", name: "Ada" }, { get: (target, key) => { if (key === "name") throw new Error("revoked field"); return target[key]; } });
  const refused = await gist.createUser(throwing).then(() => undefined, (error) => error);
  assert.equal(refused?.code, "invalid_argument");
  assert.equal(bodies.length, 1);
});
