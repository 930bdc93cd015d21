// Run by Node 20, Node 22, Deno 2 and Bun 1: a server echoes the key in its answer's headers, in two
// Set-Cookie lines, with an invisible character's UTF-8 bytes inside it and with a raw byte 0x85 inside
// it (each runtime's fetch reads a header's bytes as Latin-1); prints one JSON line: the error's code, and whether the key, or its first
// half, can be read in anything the client handed out (error, log lines, withResponse(), apiCall headers).
import { createServer } from "node:net";
import { GistClient } from "gist-wasm";

const KEY = "sk_live_SECRETkey0123456789abcdefXYZ";
const server = createServer((socket) => {
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    const refused = chunk.toString("latin1").startsWith("GET /contacts/2");
    const body = refused ? '{"errors":[{"code":"x","message":"no"}]}' : '{"contact":{"id":1,"type":"user","user_id":"1","email":"a@example.com"}}';
    const head = [
      `HTTP/1.1 ${refused ? "400 Bad Request" : "200 OK"}`,
      `set-cookie: a=${KEY.slice(0, 14)}`,
      `set-cookie: ${KEY.slice(14)}; Path=/`,
      `x-request-id: ${KEY.slice(0, 12)}\u00e2\u0080\u008b${KEY.slice(12)}`,
      `x-other: ${KEY.slice(0, 12)}\u0085${KEY.slice(12)}`, // a raw byte 0x85: a C1 control, read
      "content-type: application/json",
      `content-length: ${body.length}`,
    ];
    socket.write(Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`, "latin1"));
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const lines = [];
const logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
const gist = new GistClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${server.address().port}`, logLevel: "debug", logger });
const { response } = await gist.fetchUser({ id: 1 }).withResponse();
const error = await gist.fetchUser({ id: 2 }).catch((e) => e);
const raw = await gist.apiCall({ url: "/x" });
const shown = JSON.stringify([[...response.headers], response.requestId, error.requestId, error.message, lines, raw.headers]);
const bare = shown.replace(/, |\u00e2\u0080\u008b|\u0085|\\u0085|; Path=\/|a=/g, "");
console.log(JSON.stringify([error.code, bare.includes(KEY) || shown.includes(KEY.slice(0, 12))]));
gist.free();
server.close();
globalThis.process?.exit?.(0);
