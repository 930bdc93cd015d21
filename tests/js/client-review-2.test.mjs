// Findings of outside reviews of the client (2026-12-04), through the built package in Node against
// loopback servers: a 401, 403, 429 or 5xx keeps its code whatever Gist's items say (and
// gist-wasm/queues retries it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { consume, enqueue } from "gist-wasm/queues";
import { json, startServer } from "./loopback.mjs";

const code = (expected) => (e) => e instanceof GistError && e.code === expected;

test("a not_found item in an answer's body makes a 4xx not_found, but a 401, 403, 429 or 5xx keeps its code", async (t) => {
  let status = 400;
  const server = await startServer((req, res) => json(res, status, { errors: [{ code: "not_found", message: "upstream cache miss" }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const expected = { 400: "not_found", 404: "not_found", 422: "not_found", 401: "unauthorized", 403: "forbidden", 429: "rate_limited", 500: "server_error", 503: "server_error" };
  for (status of Object.keys(expected).map(Number)) {
    await assert.rejects(gist.fetchCampaign(7), code(expected[status]), `status ${status}`);
  }

  // gist-wasm/queues retries a 503 (with backoff), where a not_found would be final.
  status = 503;
  const sent = [];
  await enqueue({ send: async (body) => sent.push(body), sendBatch: async (messages) => sent.push(...messages.map((m) => m.body)) },
    [{ upsertUser: { user_id: 42, name: "Ada" } }]);
  const outcome = [];
  const messages = sent.map((body, i) => ({ id: `m${i}`, body, attempts: 1, ack: () => outcome.push("ack"), retry: () => outcome.push("retry") }));
  const dead = [];
  const deadLetterQueue = { send: async (body) => dead.push(body), sendBatch: async (ms) => dead.push(...ms) };
  await consume({ queue: "gist-sync", messages }, gist, { deadLetterQueue });
  assert.deepEqual([outcome, dead.length], [["retry"], 0]);
});
