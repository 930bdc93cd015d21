// Run by Node 20, Node 22, Deno 2 and Bun 1: a call's deadline under a wall clock that moves. Prints one
// JSON line: for each case, the call's outcome (its error's code, or "resolved") and whether it ended in
// time: (a) set back an hour during a request that took most of the call's budget, then answered 503
// (before: the retry got the whole budget again); (b) `Date.now` frozen, as a test's spy freezes it,
// through a list's pages (before: every page was read, three times the budget); (d) and (f): the
// pacer's, below.
import { createServer } from "node:http";
import { GistClient } from "gist-wasm";

const realNow = Date.now;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let delayMs = 0;
let statuses = [];
let onRequest = () => {};
let requests = 0;
let limited = false; // the first answer says no request remains for a second
const server = createServer(async (req, res) => {
  const status = statuses[requests++] ?? 200;
  const rateLimit = limited && requests === 1 ? { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" } : {};
  onRequest();
  await sleep(delayMs);
  res.writeHead(status, { "content-type": "application/json", "retry-after": "0", ...rateLimit });
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
  limited = false;
  gist.free();
  return [outcome, performance.now() - began];
}

delayMs = 1000;
statuses = [503, 503, 503, 503, 503, 503];
const setBack = await timed({ timeoutMs: 1500, maxRetries: 5 }, () => setTimeout(() => { Date.now = () => realNow() - 3_600_000; }, 700), (gist) => gist.listTags({ limit: 1 }));
delayMs = 250;
statuses = [];
const frozen = await timed({ timeoutMs: 1000, perPage: 2 }, () => { const at = realNow(); Date.now = () => at; }, (gist) => gist.listTags({ limit: 20 }));

// (d) Set back an hour during a request whose answer pauses the client for a second: the next call waits
// that second (before: an hour, so it failed rate_limited at once). (f) `Date.now` frozen under
// requestsPerSecond: 15 calls go at its pace or half of it (before: each waited longer, then all timed
// out).
statuses = [];
delayMs = 200;
const pause = await timed({ timeoutMs: 5000 }, () => { limited = true; onRequest = () => { Date.now = () => realNow() - 3_600_000; }; }, async (gist) => {
  await gist.listTags({ limit: 1 });
  const next = performance.now();
  await gist.listTags({ limit: 1 });
  if (performance.now() - next < 900) throw Object.assign(new Error("not paused"), { code: "not paused" });
});
delayMs = 0;
const steady = await timed({ timeoutMs: 1000, requestsPerSecond: 20 }, () => { const at = realNow(); Date.now = () => at; }, async (gist) => {
  for (let i = 0; i < 15; i++) await gist.listTags({ limit: 1 });
});
console.log(JSON.stringify([
  [setBack[0], setBack[1] < 2300],
  [frozen[0], frozen[1] < 1800],
  [pause[0], pause[1] < 3000],
  [steady[0], steady[1] < 2500],
]));
server.close();
globalThis.process?.exit?.(0);
