// The retry budget at the scale, in Node against the in-memory mock failing every request:
// 1,000 calls send at most 1,000 × 1.2 + 10 requests (tests/js/runtime-smoke.mjs checks 150 in every runtime).
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";

test("1,000 calls to an API that always fails send at most 1,210 requests, and say when the budget refused", async () => {
  const mock = createMockGist({ apiKey: "k" });
  let sent = 0;
  const gist = new GistClient({
    apiKey: "k",
    baseUrl: "http://mock.invalid",
    logLevel: "off",
    fetch: (url, init) => {
      sent += 1;
      return mock.fetch(url, init);
    },
  });
  mock.fail({ status: 503, headers: { "retry-after": "0" }, times: 1_000_000 });
  let refused = 0;
  for (let i = 0; i < 1000; i++) {
    const error = await gist.fetchUser({ id: 1001 }).then(() => null, (e) => e);
    assert.equal(error?.code, "server_error");
    if (/retry budget/.test(error.message)) refused += 1;
  }
  assert.ok(sent <= 1000 * 1.2 + 10, `${sent} requests`);
  assert.ok(sent >= 1000 * 1.2 - 10, `the budget still pays for retries: ${sent} requests`);
  assert.ok(refused > 0, "a call the budget refused says so");
});
