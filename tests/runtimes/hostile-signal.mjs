// Run by Node 20, Node 22, Deno 2 and Bun 1: calls given a real AbortSignal whose addEventListener and
// removeEventListener were replaced by ones that throw (and whose `aborted` throws from its second read),
// while another call holds the client's one place (maxConcurrent 1). Prints one JSON line: how each call
// ended, how many POSTs the server read, whether aborting such a signal still stops its call, and that the
// process lived past every deadline (a timer the pacer armed must not fire into a failed call).
import { createServer } from "node:http";
import { GistClient } from "gist-wasm";

let posts = 0;
const server = createServer((req, res) => {
  if (req.method === "POST") posts += 1;
  req.resume();
  req.on("end", () => setTimeout(() => {
    res.writeHead(200, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ contact: { id: 7, type: "user", user_id: "7" } }));
  }, 30));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const gist = new GistClient({ apiKey: "mock-key", baseUrl: `http://127.0.0.1:${server.address().port}`, logLevel: "off", maxConcurrent: 1, timeoutMs: 500 });
// (An `aborted` that throws only where the signal is never aborted: Deno's own abort() reads it.)
const hostile = (controller) => {
  const signal = (controller ?? new AbortController()).signal;
  let reads = 0;
  const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get;
  if (!controller) Object.defineProperty(signal, "aborted", { get() { if (++reads > 1) throw new Error("hostile aborted"); return aborted.call(this); } });
  signal.addEventListener = () => { throw new Error("hostile addEventListener"); };
  signal.removeEventListener = () => { throw new Error("hostile removeEventListener"); };
  return signal;
};
const ended = (promise) => promise.then(() => "resolved", (e) => (e?.name === "GistError" ? e.code : `foreign ${e?.message}`));
const calls = [
  gist.fetchUser({ id: 7 }),
  gist.fetchUser({ id: 7 }, { signal: hostile() }),
  gist.createUser({ user_id: "7" }, { signal: hostile() }),
  gist.fetchUser({ id: 7 }),
].map(ended);
const controller = new AbortController();
const stopped = ended(gist.fetchUser({ id: 7 }, { signal: hostile(controller) }));
setTimeout(() => controller.abort(), 5);
const outcome = [await Promise.all(calls), await stopped, posts];
await new Promise((resolve) => setTimeout(resolve, 700)); // past every call's deadline
outcome.push(await ended(gist.fetchUser({ id: 7 })));
server.close();
server.closeAllConnections?.();
console.log(JSON.stringify(outcome));
