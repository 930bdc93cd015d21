// Run by Node 20, Node 22, Deno 2 and Bun 1: for each write method (POST, PUT, DELETE), a read opens a
// keep-alive connection, then a write whose connection the server drops once it has read the whole
// request (a crash after commit looks so), through the runtime's own fetch and through a `fetch` option that
// hands its arguments on to it; prints one JSON line: for each, for each method, the write's error code,
// mayHaveActed, and how many times the server read it. A runtime that resends a request on a pooled
// connection that failed (Deno's fetch does, Bun's a PUT or a DELETE) must not get the write: it is sent once.
import { createServer } from "node:net";
import { GistClient } from "gist-wasm";

let writes;
const server = createServer((socket) => {
  let read = "";
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    read += chunk.toString("latin1");
    for (let end = read.indexOf("\r\n\r\n"); end >= 0; end = read.indexOf("\r\n\r\n")) {
      const length = Number(/content-length: *(\d+)/i.exec(read.slice(0, end))?.[1] ?? 0);
      if (read.length < end + 4 + length) return;
      const method = read.slice(0, read.indexOf(" "));
      read = read.slice(end + 4 + length);
      if (method in writes && ++writes[method] === 1) return socket.destroy();
      const body = JSON.stringify({ contact: { id: 7, type: "user", user_id: "7", email: "a@example.com" } });
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    }
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
// No retries of its own (a delete is retried after a network failure): every write the server reads twice is the runtime's.
const options = { apiKey: "mock-key", baseUrl: `http://127.0.0.1:${server.address().port}`, logLevel: "off", maxRetries: 0 };
const outcomes = {};
for (const [name, fetch] of [["own", undefined], ["wrapped", (url, init) => globalThis.fetch(url, init)]]) {
  const gist = new GistClient({ ...options, fetch });
  const calls = {
    POST: () => gist.createUser({ user_id: "7", email: "a@example.com" }),
    PUT: () => gist.apiCall({ method: "PUT", url: "/contacts/7", body: { name: "x" } }),
    DELETE: () => gist.deleteTag(3),
  };
  writes = { POST: 0, PUT: 0, DELETE: 0 };
  outcomes[name] = {};
  for (const [method, call] of Object.entries(calls)) {
    await gist.fetchUser({ id: 7 });
    const outcome = await call().then(() => ["resolved", false], (e) => [e.code, e.mayHaveActed]);
    outcomes[name][method] = [...outcome, writes[method]];
  }
}
console.log(JSON.stringify(outcomes));
server.close();
globalThis.process?.exit?.(0);
