// Serves a mock Gist API (or any Fetch-API handler) over HTTP with Node's http module.
// As a command: `node mock-server.js [--port 4010] [--host 127.0.0.1] [--key mock-key]`.
// Request bodies are capped (`maxBodyBytes`, 1 MB: 413 past it), and a request whose Host header is
// not a name the server is bound to gets 421, so a DNS-rebinding web page cannot reach it.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createMockGist } from "./mock.js";

const MAX_BODY_BYTES = 1024 * 1024;

/** Ends `res` with a Gist-style JSON error, closing the connection. */
function refuse(req, res, status, code, message) {
  res.on("finish", () => req.socket.destroy());
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

/** Reads a request body; resolves null, and stops reading, as soon as it is over `limit` bytes. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) return resolve(null);
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        req.off("data", onData).pause();
        resolve(null);
      }
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Turns a Fetch-API handler into a Node `http` request listener; a body over `maxBodyBytes` gets 413. */
export function toNodeListener(handler, { maxBodyBytes = MAX_BODY_BYTES } = {}) {
  return async (req, res) => {
    try {
      const bytes = await readBody(req, maxBodyBytes);
      if (bytes === null) return refuse(req, res, 413, "payload_too_large", `The body is over ${maxBodyBytes} bytes`);
      const body = ["GET", "HEAD"].includes(req.method) ? undefined : bytes;
      const url = `http://${req.headers.host || "127.0.0.1"}${req.url}`;
      const response = await handler(new Request(url, { method: req.method, headers: req.headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  };
}

/** The Host header values a server listening on `host:port` answers: loopback names and `host`, with the port. */
export function allowedHosts(host, port) {
  const names = ["127.0.0.1", "localhost", "[::1]", host.includes(":") ? `[${host}]` : host];
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/** Starts a mock Gist API over HTTP; resolves `{ url, mock, close() }`. */
export function serveMock({ port = 4010, host = "127.0.0.1", maxBodyBytes, ...options } = {}) {
  const mock = createMockGist(options);
  const listener = toNodeListener(mock.handle, { maxBodyBytes });
  let hosts;
  const server = createServer((req, res) => {
    if (hosts.has(String(req.headers.host).toLowerCase())) return listener(req, res);
    refuse(req, res, 421, "misdirected_request", `This server answers only for ${[...hosts].join(", ")}`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      hosts = allowedHosts(host, address.port);
      resolve({ url: `http://${host}:${address.port}`, mock, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  // No top-level await, so that require() can load this module.
  serveMock({ port: Number(arg("port", 4010)), host: arg("host", "127.0.0.1"), apiKey: arg("key", "mock-key") })
    .then(({ url }) => console.log(`mock Gist API on ${url} (key: ${arg("key", "mock-key")})`));
}
