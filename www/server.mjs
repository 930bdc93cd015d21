// The demo server: the page (www/), the built package (/pkg/), and the mock Gist API (/api/), all on
// 127.0.0.1. Usage: node www/server.mjs [--port 8080]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { createMockGist } from "gist-wasm/mock";
import { toNodeListener } from "gist-wasm/mock/server";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../node_modules/gist-wasm/", import.meta.url));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml" };
const mock = createMockGist();

async function serveFile(root, path) {
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) return new Response("forbidden", { status: 403 });
  try {
    const body = await readFile(file);
    return new Response(body, { headers: { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
    url.pathname = url.pathname.slice(4) || "/";
    return mock.handle(new Request(url, request));
  }
  if (url.pathname.startsWith("/pkg/")) return serveFile(pkg, url.pathname.slice(5));
  return serveFile(here, url.pathname === "/" ? "index.html" : url.pathname.slice(1));
}

const i = process.argv.indexOf("--port");
const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
createServer(toNodeListener(handle)).listen(port, "127.0.0.1", () => {
  console.log(`gist-wasm demo: http://127.0.0.1:${port}/  (mock Gist API at /api, key "mock-key")`);
});
