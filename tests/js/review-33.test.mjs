// Findings of the thirty-third round's outside reviews, and what the last round left, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { pacedFetch } from "gist-wasm/queues";

test("pacedFetch gives back a permit the pacer grants after its call stopped waiting, for the next caller (left alone last round: the booked start was never returned)", async () => {
  const asked = [];
  const pacer = {
    fetch: async (url, init) => {
      const { pathname } = new URL(url);
      asked.push([pathname, JSON.parse(init.body).slot]);
      if (pathname === "/permit") await new Promise((resolve) => setTimeout(resolve, 800));
      return Response.json(pathname === "/permit" ? { waitMs: 5000, slot: 123 } : {});
    },
  };
  const namespace = { idFromName: (name) => name, get: () => pacer };
  let sent = 0;
  const fetch = pacedFetch(namespace, "sk_test_review33", { requestsPerSecond: 10, fetch: async () => (sent++, Response.json({ tags: [] })) });
  const gist = new GistClient({ apiKey: "sk_test_review33", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", maxRetries: 0 });
  const error = await gist.listTags({}, { timeoutMs: 400 }).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.mayHaveActed, sent], ["timeout", false, 0]);
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.deepEqual(asked, [["/permit", undefined], ["/release", 123]]);
  gist.free();
});
