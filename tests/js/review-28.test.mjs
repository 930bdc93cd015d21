// Findings of outside reviews (2026-12-07, twenty-eighth round), in Node through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
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

test("an answer that comes a byte at a time, each byte a view of a buffer of its own, holds no more than its bytes while it is read (an outside review: workerd's 4 KiB buffers kept for each byte, 100 KB took 511 MB)", async (t) => {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const text = JSON.stringify({ contact: { id: 1, type: "user", user_id: "1", pad: "x".repeat(40_000) } });
  const bytes = new TextEncoder().encode(text);
  const buffers = []; // a WeakRef to each chunk's buffer
  let alive; // how many of those the client still held when the last byte went
  const body = () => {
    let at = 0;
    return new ReadableStream({
      pull(controller) {
        if (at === bytes.length) {
          gc();
          gc();
          alive = buffers.filter((buffer) => buffer.deref() !== undefined).length;
          return controller.close();
        }
        const chunk = new Uint8Array(new ArrayBuffer(4096), 0, 1);
        chunk[0] = bytes[at++];
        buffers.push(new WeakRef(chunk.buffer));
        controller.enqueue(chunk);
      },
    });
  };
  const fetch = async () => new Response(body(), { headers: { "content-type": "application/json" } });
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch });
  t.after(() => gist.free());
  const user = await gist.fetchUser({ id: 1 });
  assert.equal(user.pad.length, 40_000);
  // A collection leaves some of the last ones: what is held does not grow with the body.
  assert.ok(alive < buffers.length / 10, `${alive} of ${buffers.length} chunks' buffers held`);
});

test("a body that declares much and sends little holds no more than it sent (a review of the fix above: its buffer was sized by Content-Length, 1 MiB held for each stalled 2-byte webhook delivery)", async (t) => {
  let grew; // how far the process's ArrayBuffers grew while the body had sent two bytes
  const body = () => {
    let pulls = 0;
    let before;
    return new ReadableStream({
      pull(controller) {
        pulls++;
        if (pulls === 1) before = process.memoryUsage().arrayBuffers;
        if (pulls <= 2) return controller.enqueue(new TextEncoder().encode(pulls === 1 ? "{" : "}"));
        // Later, once the client has read the second byte in.
        return new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
          grew = process.memoryUsage().arrayBuffers - before;
          controller.close();
        });
      },
    });
  };
  const fetch = async () => new Response(body(), { headers: { "content-type": "application/json", "content-length": String(30 * 2 ** 20) } });
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, maxRetries: 0 });
  t.after(() => gist.free());
  const answer = await gist.apiCall({ url: "/contacts" });
  assert.deepEqual(answer.body, {});
  assert.ok(grew < 4 * 2 ** 20, `${grew} bytes of ArrayBuffers for a body of 2 bytes`);
});
