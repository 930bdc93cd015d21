// Findings of outside reviews (2026-12-07, twenty-sixth round), in Node through the built package over
// real HTTP on loopback: a key echoed with a byte no UTF-8 reader can read inside it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { GistClient, GistError } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { startServer } from "./loopback.mjs";

const KEY = "gK7live9Qw2ErT5yU1iO3pAzXc4Vb6Nm8Lk0Jh2";

test("a key echoed in an error body with a byte UTF-8 cannot read inside it (read as U+FFFD) is scrubbed (an outside review of the Rust crate's headers)", async (t) => {
  for (const byte of [0x85, 0xff]) {
    const server = await startServer((req, res) => {
      const half = KEY.length / 2;
      const body = Buffer.concat([Buffer.from(`{"errors":[{"code":"bad","message":"key ${KEY.slice(0, half)}`), Buffer.from([byte]), Buffer.from(`${KEY.slice(half)} refused"}]}`)]);
      res.writeHead(400, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    });
    t.after(() => server.close());
    const gist = new GistClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
    t.after(() => gist.free());
    const error = await gist.listTags().then(() => assert.fail("answered"), (e) => e);
    assert.ok(error instanceof GistError, inspect(error));
    const shown = `${error.message} ${inspect(error, { depth: 5 })}`;
    assert.ok(shown.includes("[redacted]"), shown);
    for (let i = 0; i + 8 <= KEY.length; i++) assert.ok(!shown.includes(KEY.slice(i, i + 8)), `${byte}: ${shown}`);
  }
});

test("a response hook or log line that takes time does not move the call's deadline: a write after it is not sent past timeoutMs (an outside review: sent at 1.5 s of 1 s)", async () => {
  const mock = createMockGist();
  const busy = (ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end);
  };
  const started = Date.now();
  const sent = [];
  const fetch = (url, init) => (sent.push(`${init.method} ${Date.now() - started}`), mock.fetch(url, init));
  const slowHook = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch, logLevel: "off", hooks: { response: (answer) => answer.method === "GET" && busy(1200) } });
  const error = await slowHook.updateUser({ id: 1001 }, { name: "Late write" }, { timeoutMs: 1000 }).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(error.code, "timeout");
  assert.equal(error.mayHaveActed, false);
  assert.deepEqual(sent.map((line) => line.split(" ")[0]), ["GET"], `sent: ${sent}`);
  // A slow logger line, with no hooks: a list's later pages are not asked for past the deadline.
  sent.length = 0;
  const slowLog = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch, perPage: 2, logLevel: "info", logger: { debug() {}, info: () => busy(400), warn() {}, error() {} } });
  const at = Date.now();
  await assert.rejects(slowLog.listUsers({ limit: 20 }, { timeoutMs: 1000 }), (e) => e.code === "timeout");
  assert.ok(sent.length <= 3, `pages asked for: ${sent.length}`);
  assert.ok(Date.now() - at < 1700, `ended after ${Date.now() - at} ms`);
});

test("hooks, logger, logLevel, logBodies, fetch and a call's signal given as null count as not given, as the README says of every field (an outside review: invalid_argument)", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, hooks: null, logger: null, logLevel: null, logBodies: null, maxConcurrent: null });
  assert.equal((await gist.fetchUser({ id: 1001 }, { signal: null })).id, 1001);
  assert.ok((await gist.listUsers({ limit: 3, signal: null }, { signal: null })).length > 0);
  assert.throws(() => new GistClient({ apiKey: "mock-key", fetch: null, baseUrl: "http://mock.invalid", logLevel: "loud" }), (e) => e.code === "invalid_argument");
});

test("a key echoed in a header with one stray byte 0x80 to 0xFF inside it (fetch reads it as Latin-1) is scrubbed (a review of this round's fix: 0xA0 to 0xFF showed the whole key)", async (t) => {
  for (const byte of [0x85, 0xa0, 0xc3, 0xe2, 0xff]) {
    const server = await startServer((req, res) => {
      const half = KEY.length / 2;
      res.writeHead(200, [["content-type", "application/json"], ["x-request-id", Buffer.concat([Buffer.from(`r-${KEY.slice(0, half)}`), Buffer.from([byte]), Buffer.from(KEY.slice(half))]).toString("latin1")]]);
      res.end('{"tags":[]}');
    });
    t.after(() => server.close());
    const gist = new GistClient({ apiKey: KEY, baseUrl: server.url });
    t.after(() => gist.free());
    const { response } = await gist.listTags().withResponse();
    const shown = inspect(response, { depth: 5 });
    for (let i = 0; i + 8 <= KEY.length; i++) assert.ok(!shown.includes(KEY.slice(i, i + 8)), `${byte.toString(16)}: ${shown}`);
  }
});

test("the mock's tags by id and by name see a tag taken out of state.tags with another pushed: the right tag is renamed or deleted (a review of this round's maps: the wrong one was deleted)", async () => {
  const mock = createMockGist();
  const ask = async (method, path, body) => {
    const answer = await mock.fetch(`http://mock.invalid${path}`, { method, headers: { authorization: "Bearer mock-key", "content-type": "application/json" }, body: body && JSON.stringify(body) });
    return [answer.status, await answer.json()];
  };
  await ask("POST", "/tags", { name: "alpha" });
  await ask("GET", "/contacts?per_page=1"); // the maps are made
  const removed = mock.state.tags.shift();
  mock.state.tags.push({ id: 9999, name: "pushed" });
  const names = () => mock.state.tags.map((tag) => tag.name);
  const before = names();
  assert.equal((await ask("DELETE", `/tags/${removed.id}`))[0], 404);
  assert.deepEqual(names(), before, "nothing deleted");
  assert.equal((await ask("POST", "/tags", { id: 9999, name: "pushed2" }))[0], 200);
  mock.state.tags.shift();
  mock.state.tags.push({ id: 8888, name: "gamma" });
  await ask("POST", "/contacts", { user_id: "u-77", tags: ["gamma"] });
  assert.equal(mock.state.tags.filter((tag) => tag.name === "gamma").length, 1, "the pushed tag's name is found");
  assert.equal((await ask("DELETE", "/tags/9999"))[0], 200);
  assert.ok(!names().includes("pushed2"));
});
