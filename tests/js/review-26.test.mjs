// Findings of outside reviews (2026-12-07, twenty-sixth round), in Node through the built package over
// real HTTP on loopback: a key echoed with a byte no UTF-8 reader can read inside it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { GistClient, GistError } from "gist-wasm";
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
