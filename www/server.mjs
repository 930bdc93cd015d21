// The demo server, on 127.0.0.1: the page (www/), the built package (/pkg/), the mock Gist API (/api/),
// a proxy to the real Gist API (/proxy/, so the page needs no CORS from Gist), and a webhook receiver
// (POST /webhooks) whose deliveries the page watches live (GET /webhooks/stream, server-sent events).
// Usage: node www/server.mjs [--port 8080]   (GIST_PROXY_TARGET changes where /proxy/ forwards to)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMockGist } from "gist-wasm/mock";
import { toNodeListener } from "gist-wasm/mock/server";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../node_modules/gist-wasm/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

async function serveFile(root, path) {
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) return new Response("forbidden", { status: 403 });
  try {
    const body = await readFile(file);
    const type = TYPES[extname(file)] || "application/octet-stream";
    return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

/** Forwards a request to the real Gist API with the page's own Authorization header. */
async function proxy(request, url, target) {
  const upstream = new URL(url.pathname.slice("/proxy".length) + url.search, target);
  const headers = {};
  for (const name of ["authorization", "content-type", "accept"]) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.text();
  try {
    const answer = await fetch(upstream, { method: request.method, headers, body });
    const keep = {};
    for (const name of ["content-type", "retry-after", "x-request-id"]) {
      const value = answer.headers.get(name);
      if (value) keep[name] = value;
    }
    return new Response(await answer.arrayBuffer(), { status: answer.status, headers: keep });
  } catch (error) {
    const message = `the demo server could not reach ${target.origin} (${error.cause?.code ?? error.message})`;
    return Response.json({ errors: [{ code: "proxy_failed", message }] }, { status: 502 });
  }
}

/** The webhook receiver: keeps the last deliveries and streams new ones to every watching page. */
function webhookReceiver() {
  const deliveries = [];
  const watchers = new Set();
  return {
    deliveries,
    async receive(request) {
      const delivery = { receivedAt: Date.now(), body: await request.text(), headers: Object.fromEntries(request.headers) };
      deliveries.push(delivery);
      if (deliveries.length > 50) deliveries.shift();
      for (const res of watchers) res.write(`data: ${JSON.stringify(delivery)}\n\n`);
      return new Response("received\n", { status: 202 });
    },
    watch(req, res) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(": watching\n\n");
      watchers.add(res);
      req.on("close", () => watchers.delete(res));
    },
    closeAll() {
      for (const res of watchers) res.end();
      watchers.clear();
    },
  };
}

/**
 * Starts the demo server; `mounts` adds folders (`{ "/test/": "/abs/dir/" }`), for tests;
 * `proxyTarget` is where /proxy/ forwards (default Gist's API). Resolves `{ url, mock, webhooks, close() }`.
 */
export function startDemoServer({ port = 8080, host = "127.0.0.1", mounts = {}, proxyTarget } = {}) {
  const mock = createMockGist();
  const webhooks = webhookReceiver();
  const target = new URL(proxyTarget ?? process.env.GIST_PROXY_TARGET ?? "https://api.getgist.com");
  const roots = { ...mounts, "/pkg/": pkg };
  async function handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
      url.pathname = url.pathname.slice(4) || "/";
      return mock.handle(new Request(url, request));
    }
    if (url.pathname.startsWith("/proxy/")) return proxy(request, url, target);
    if (url.pathname === "/webhooks" && request.method === "POST") return webhooks.receive(request);
    for (const [prefix, root] of Object.entries(roots)) {
      if (url.pathname.startsWith(prefix)) return serveFile(root, url.pathname.slice(prefix.length));
    }
    return serveFile(here, url.pathname === "/" ? "index.html" : url.pathname.slice(1));
  }
  const listener = toNodeListener(handle);
  const server = createServer((req, res) => (req.url === "/webhooks/stream" ? webhooks.watch(req, res) : listener(req, res)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      const close = () => {
        webhooks.closeAll();
        return new Promise((r) => server.close(r));
      };
      resolve({ url, mock, webhooks, close });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--port");
  const { url } = await startDemoServer({ port: i > 0 ? Number(process.argv[i + 1]) : 8080 });
  console.log(`gist-wasm demo: ${url}/  (mock Gist API at /api, key "mock-key")`);
}
