// retry.test.js: node --test retry.test.js
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";

test("a 503 with Retry-After is retried after its wait, with no real waiting", async () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
  try {
    const gist = createMockGist();
    let retrying;
    const retryWait = new Promise((resolve) => { retrying = resolve; });
    const client = new GistClient({
      apiKey: "mock-key",
      baseUrl: "http://mock.invalid",
      fetch: gist.fetch,
      logLevel: "off", // no "retrying" warning in the test's output
      hooks: { retry: ({ waitMs }) => retrying(waitMs) },
    });
    gist.fail({ status: 503, headers: { "retry-after": "5" } });
    const users = client.listUsers({ limit: 3 });
    mock.timers.tick(await retryWait); // the client is waiting 5 s: let them pass at once
    assert.equal((await users).length, 3);
    assert.equal(gist.requests.length, 2);
  } finally {
    mock.timers.reset();
  }
});
