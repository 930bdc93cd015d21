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
