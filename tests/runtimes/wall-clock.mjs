// Run by Node 20, Node 22, Deno 2 and Bun 1: a call's deadline under a wall clock that moves. Prints one
// JSON line: for each case, the call's outcome (its error's code, or "resolved") and whether it ended in
// time: (a) set back an hour during a request that took most of the call's budget, then answered 503
// (before: the retry got the whole budget again); (b) `Date.now` frozen, as a test's spy freezes it,
// through a list's pages (before: every page was read, three times the budget); (c) set forward an hour
// during a request answered 503 (before: the call ended there, with the 503, where it would retry).
import { createServer } from "node:http";
import { GistClient } from "gist-wasm";

const realNow = Date.now;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let delayMs = 0;
let statuses = [];
let onRequest = () => {};
let requests = 0;
const server = createServer(async (req, res) => {
  const status = statuses[requests++] ?? 200;
  onRequest();
  await sleep(delayMs);
  res.writeHead(status, { "content-type": "application/json", "retry-after": "0" });
  res.end(status === 200 ? JSON.stringify({ tags: [{ id: 2 * requests, name: "a" }, { id: 2 * requests + 1, name: "b" }], pages: { next: "more" } }) : "{}");
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;

async function timed(options, setUp, call) {
  const gist = new GistClient({ apiKey: "sk_test_clock", baseUrl, logLevel: "off", ...options });
  const began = performance.now();
  setUp();
  const outcome = await call(gist).then(() => "resolved", (error) => error.code);
  Date.now = realNow;
  onRequest = () => {};
  requests = 0;
  gist.free();
  return [outcome, performance.now() - began];
}

delayMs = 1000;
statuses = [503, 503, 503, 503, 503, 503];
const setBack = await timed({ timeoutMs: 1500, maxRetries: 5 }, () => setTimeout(() => { Date.now = () => realNow() - 3_600_000; }, 700), (gist) => gist.listTags({ limit: 1 }));
delayMs = 250;
statuses = [];
const frozen = await timed({ timeoutMs: 1000, perPage: 2 }, () => { const at = realNow(); Date.now = () => at; }, (gist) => gist.listTags({ limit: 20 }));
delayMs = 300;
statuses = [503];
const forward = await timed({ timeoutMs: 5000 }, () => { onRequest = () => { Date.now = () => realNow() + 3_600_000; }; }, (gist) => gist.listTags({ limit: 1 }));
console.log(JSON.stringify([
  [setBack[0], setBack[1] < 2300],
  [frozen[0], frozen[1] < 1800],
  [forward[0], forward[1] < 2000],
]));
server.close();
globalThis.process?.exit?.(0);
