// Serves a mock Gist API (or any Fetch-API handler) over HTTP with Node's http module.
// As a command: `node mock-server.js [--port 4010] [--host 127.0.0.1] [--key mock-key]`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createMockGist } from "./mock.js";

/** Turns a Fetch-API handler into a Node `http` request listener. */
export function toNodeListener(handler) {
  return async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks);
      const url = `http://${req.headers.host || "127.0.0.1"}${req.url}`;
      const response = await handler(new Request(url, { method: req.method, headers: req.headers, body }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  };
}

/** Starts a mock Gist API over HTTP; resolves `{ url, mock, close() }`. */
export function serveMock({ port = 4010, host = "127.0.0.1", ...options } = {}) {
  const mock = createMockGist(options);
  const server = createServer(toNodeListener(mock.handle));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ url: `http://${host}:${address.port}`, mock, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await serveMock({ port: Number(arg("port", 4010)), host: arg("host", "127.0.0.1"), apiKey: arg("key", "mock-key") });
  console.log(`mock Gist API on ${url} (key: ${arg("key", "mock-key")})`);
}
