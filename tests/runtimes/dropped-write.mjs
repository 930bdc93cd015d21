// Run by Node 20, Node 22, Deno 2 and Bun 1: a read opens a keep-alive connection, then a write whose
// connection the server drops once it has read the whole request (a crash after commit looks so), through
// the runtime's own fetch; prints one JSON line: the write's error code, mayHaveActed, and how many times
// the server read it. A runtime that resends a request on a pooled connection that failed (Deno's fetch
// does) must not get the write: it is sent once.
import { createServer } from "node:net";
import { GistClient } from "gist-wasm";

let posts = 0;
const server = createServer((socket) => {
  let read = "";
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    read += chunk.toString("latin1");
    for (let end = read.indexOf("\r\n\r\n"); end >= 0; end = read.indexOf("\r\n\r\n")) {
      const length = Number(/content-length: *(\d+)/i.exec(read.slice(0, end))?.[1] ?? 0);
      if (read.length < end + 4 + length) return;
      const post = read.startsWith("POST");
      read = read.slice(end + 4 + length);
      if (post && ++posts === 1) return socket.destroy();
      const body = JSON.stringify({ contact: { id: 7, type: "user", user_id: "7", email: "a@example.com" } });
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    }
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const gist = new GistClient({ apiKey: "mock-key", baseUrl: `http://127.0.0.1:${server.address().port}`, logLevel: "off" });
await gist.fetchUser({ id: 7 });
const outcome = await gist.createUser({ user_id: "7", email: "a@example.com" }).then(() => ["resolved", false], (e) => [e.code, e.mayHaveActed]);
console.log(JSON.stringify([...outcome, posts]));
server.close();
globalThis.process?.exit?.(0);
