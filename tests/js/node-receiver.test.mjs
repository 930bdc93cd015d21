// examples/node/receiver.mjs on a real HTTP port, fed real deliveries, recording into the loopback mock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { serveMock } from "gist-wasm/mock/server";
import { createReceiver } from "../../examples/node/receiver.mjs";

let mock;
let receiver;
let url;
before(async () => {
  mock = await serveMock({ port: 0 });
  receiver = createServer(createReceiver({ GIST_API_KEY: "mock-key", GIST_BASE_URL: mock.url, GIST_WEBHOOK_SECRET: "s3cret" }));
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${receiver.address().port}/`;
});
after(async () => {
  await new Promise((r) => receiver.close(r));
  await mock.close();
});

const post = (body, token) =>
  fetch(url, { method: "POST", body, headers: token ? { "x-gist-webhook-token": token } : {} });

test("the Node receiver records verified contact events and refuses the rest", async () => {
  const contact = mock.mock.state.contacts.find((c) => c.type === "lead");
  const before = mock.mock.state.events.length;
  assert.equal((await post(JSON.stringify({ topic: "lead.created", contact }), "forged")).status, 401);
  assert.equal((await post("not json", "s3cret")).status, 400);
  assert.equal(mock.mock.state.events.length, before);
  const response = await post(JSON.stringify({ topic: "lead.created", contact }), "s3cret");
  assert.equal(response.status, 200);
  for (let i = 0; i < 100 && mock.mock.state.events.length === before; i++) await new Promise((r) => setTimeout(r, 20));
  const recorded = mock.mock.state.events.at(-1);
  assert.equal(recorded.name, "webhook-lead-created");
  assert.equal(recorded.contact_id, contact.id);
});
