// The client's edge through real fetch, end to end, from the built package,
// imported by name in Node, through real fetch to a mock Gist API on 127.0.0.1 on a port of its own.
// Every case of tests/js/edge.mjs is one test, on a freshly reset mock.
import { test, before, after } from "node:test";
import * as pkg from "gist-wasm";
import { serveMock } from "gist-wasm/mock/server";
import { cases, resetMock } from "./edge.mjs";

let server;
before(async () => {
  await pkg.default(); // a no-op in Node, as in every runtime's first lines
  server = await serveMock({ port: 0 });
});
after(() => server?.close());

for (const [name, run] of Object.entries(cases)) {
  test(name, async () => {
    await resetMock(server.url);
    await run(pkg, server.url, { inBrowser: false });
  });
}
