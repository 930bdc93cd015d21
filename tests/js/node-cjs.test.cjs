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

// What require() gives for each entry is what index.d.cts and mock*.d.cts declare: import()'s exports, the very
// same values (require("gist-wasm/web") gives the main entry: require() cannot wait for web.js's top-level await).
for (const [entry, esm] of [["gist-wasm", "gist-wasm"], ["gist-wasm/web", "gist-wasm"], ["gist-wasm/mock", "gist-wasm/mock"], ["gist-wasm/mock/server", "gist-wasm/mock/server"]]) {
  test(`require("${entry}") gives import("${esm}")'s exports`, async () => {
    const required = require(entry);
    const imported = await import(esm);
    assert.deepEqual(Object.keys(required).filter((k) => k !== "__esModule").sort(), Object.keys(imported).sort());
    for (const key of Object.keys(imported)) assert.equal(required[key], imported[key], key);
    // TypeScript's CommonJS output reads a default import as `.default` only where `__esModule` is set.
    if ("default" in imported) assert.equal(required.__esModule, true);
  });
}
