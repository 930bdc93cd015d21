// The built package through require(), as a CommonJS user would load it.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { GistClient, GistError } = require("gist-wasm");
const { createMockGist } = require("gist-wasm/mock");

test("require() gives the same working client", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  const users = await gist.listUsers({ limit: 5 });
  assert.equal(users.length, 5);
  const error = await gist.fetchUser({ user_id: "abc" }).catch((e) => e);
  assert.ok(error instanceof GistError);
  assert.equal(error.code, "invalid_argument");
});
