// Throwaway HTTP servers on 127.0.0.1 (ephemeral ports) that record every request, for the security tests.
import { createServer } from "node:http";
import { once } from "node:events";

/**
 * Starts a server. `handler(req, res, body)` answers (body: the request body as a Buffer, already read);
 * without one, every request gets `200 {}`. Resolves `{ url, port, requests, close }`; `requests` holds
 * `{ method, url, headers, body, at }` (body as text; `at`: performance.now() when it came in) for every
 * request received, oldest first.
 */
export async function startServer(handler) {
  const requests = [];
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: body.toString("utf8"), at });
    try {
      if (handler) await handler(req, res, body);
      else json(res, 200, {});
    } catch (error) {
      if (!res.headersSent) json(res, 500, { errors: [{ code: "test_server", message: String(error) }] });
      else res.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers JSON (a value, or a string sent as is). */
export function json(res, status, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A loopback port that nothing listens on (bound once, then closed). */
export async function closedPort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Streams `head`, then `chunk` repeated until `total` bytes were sent or the client went away, then `tail`.
 * Resolves the number of bytes written.
 */
export async function streamBody(res, { head = "", chunk, total, tail = "" }) {
  let sent = 0;
  let closed = false;
  let wake = null;
  res.on("close", () => { closed = true; if (wake) wake(); });
  res.on("drain", () => { if (wake) wake(); });
  const write = async (data) => {
    if (closed || res.destroyed) return false;
    sent += data.length;
    if (!res.write(data) && !closed) {
      await new Promise((resolve) => { wake = resolve; });
      wake = null;
    }
    return !closed && !res.destroyed;
  };
  if (!(await write(Buffer.from(head)))) return sent;
  while (sent < total) {
    if (!(await write(chunk))) return sent;
  }
  if (await write(Buffer.from(tail))) res.end();
  return sent;
}
