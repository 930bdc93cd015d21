// The demo server: the page (www/), the built package (/pkg/), and the mock Gist API (/api/), all on
// 127.0.0.1. Usage: node www/server.mjs [--port 8080]
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

/**
 * Starts the demo server; `mounts` adds folders (`{ "/test/": "/abs/dir/" }`), for tests.
 * Resolves `{ url, mock, close() }`.
 */
export function startDemoServer({ port = 8080, host = "127.0.0.1", mounts = {} } = {}) {
  const mock = createMockGist();
  const roots = { ...mounts, "/pkg/": pkg };
  async function handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
      url.pathname = url.pathname.slice(4) || "/";
      return mock.handle(new Request(url, request));
    }
    for (const [prefix, root] of Object.entries(roots)) {
      if (url.pathname.startsWith(prefix)) return serveFile(root, url.pathname.slice(prefix.length));
    }
    return serveFile(here, url.pathname === "/" ? "index.html" : url.pathname.slice(1));
  }
  const server = createServer(toNodeListener(handle));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      resolve({ url, mock, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--port");
  const { url } = await startDemoServer({ port: i > 0 ? Number(process.argv[i + 1]) : 8080 });
  console.log(`gist-wasm demo: ${url}/  (mock Gist API at /api, key "mock-key")`);
}
