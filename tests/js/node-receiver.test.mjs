// examples/node/receiver.mjs on a real HTTP port, fed real deliveries, recording into the loopback mock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { serveMock } from "gist-wasm/mock/server";
import { createReceiver } from "../../examples/node/receiver.mjs";
import { startServer } from "./loopback.mjs";

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

test("the mock delivers signed webhooks that a receiver verifies, and unsigned ones it refuses", async () => {
  await import("gist-wasm"); // the mock signs with the package's signWebhook
  const before = mock.mock.state.events.length;
  assert.equal((await mock.mock.deliverWebhook(url, "user.created")).status, 401, "unsigned");
  assert.equal((await mock.mock.deliverWebhook(url, "user.created", { secret: "other" })).status, 401, "wrong secret");
  const response = await mock.mock.deliverWebhook(url, "user.created", { secret: "s3cret" });
  assert.equal(response.status, 200);
  for (let i = 0; i < 100 && mock.mock.state.events.length === before; i++) await new Promise((r) => setTimeout(r, 20));
  const newestUser = [...mock.mock.state.contacts].reverse().find((c) => c.type === "user");
  assert.equal(mock.mock.state.events.at(-1).name, "webhook-user-created");
  assert.equal(mock.mock.state.events.at(-1).contact_id, newestUser.id);
});

test("deliverWebhook signs an HMAC the way verifyWebhook expects", async () => {
  const { verifyWebhook } = await import("gist-wasm");
  const sink = await startServer();
  try {
    const options = { secret: ["k1", "k0"], scheme: "hmac-sha1", header: "X-Hub-Signature", encoding: "base64" };
    await mock.mock.deliverWebhook(sink.url, { topic: "tag.added", tag: { id: 1 } }, options);
    const [{ body, headers }] = sink.requests;
    assert.deepEqual(JSON.parse(body), { topic: "tag.added", tag: { id: 1 } });
    assert.equal(await verifyWebhook({ body, headers }, options), true);
    assert.equal(await verifyWebhook({ body: `${body} `, headers }, options), false);
  } finally {
    await sink.close();
  }
});

test("deliverWebhook of a conversation topic posts a conversation with the newest user, which parses as one", async () => {
  const { parseWebhook } = await import("gist-wasm");
  const sink = await startServer();
  try {
    await mock.mock.deliverWebhook(sink.url, "conversation.closed");
    await mock.mock.deliverWebhook(sink.url, "user.created");
    const [conversation, user] = sink.requests.map(({ body }) => parseWebhook(body));
    assert.equal(conversation.kind, "conversation");
    assert.equal(conversation.topic, "conversation.closed");
    assert.equal(conversation.conversation.state, "closed");
    assert.deepEqual(conversation.conversation.contacts, [{ id: user.contact.id }]);
    assert.equal(user.kind, "contact");
  } finally {
    await sink.close();
  }
});

test("the Node receiver lives through a sender that hangs up mid-body, and answers 413 past 1 MiB without reading on", async () => {
  const { connect } = await import("node:net");
  const { port } = receiver.address();
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\nx-gist-webhook-token: forged\r\n\r\n{\"topic\":");
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const big = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(1 << 20).fill(32));
      controller.close();
    },
  });
  const tooLarge = await fetch(url, { method: "POST", body: big, duplex: "half", headers: { "x-gist-webhook-token": "s3cret" } });
  assert.equal(tooLarge.status, 413);
  assert.equal((await post("not json", "s3cret")).status, 400, "the receiver still answers");
});

test("the Node receiver given a secret verifyWebhook refuses (\"old, new\") answers 500 and lives: no stranger's POST ends the process", async (t) => {
  const broken = createServer(createReceiver({ GIST_API_KEY: "mock-key", GIST_BASE_URL: mock.url, GIST_WEBHOOK_SECRET: "old, new" }));
  await new Promise((r) => broken.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => broken.close(r)));
  const logged = [];
  const { error } = console;
  console.error = (...args) => logged.push(args.join(" "));
  t.after(() => (console.error = error));
  const at = `http://127.0.0.1:${broken.address().port}/`;
  const statuses = [];
  for (let i = 0; i < 2; i++) statuses.push((await fetch(at, { method: "POST", body: "{}" })).status);
  assert.deepEqual(statuses, [500, 500]);
  assert.equal(logged.length, 2);
  assert.match(logged[0], /invalid_argument: .*white space/);
});
