// The demo server, on 127.0.0.1: the page (www/), the built package (/pkg/), the API reference that
// `./build.sh docs` writes into target/api/ (/reference/), the mock Gist API (/api/),
// a proxy to the real Gist API (/proxy/, so the page needs no CORS from Gist), and a webhook receiver
// (POST /webhooks) whose deliveries the page watches live (GET /webhooks/stream, server-sent events).
// Usage: node www/server.mjs [--port 8080]   (GIST_PROXY_TARGET changes where /proxy/ forwards to)
// Limits: a Host header that is not this server's gets 421; bodies are capped (413: 1 MB for /api and
// /proxy, GIST_DEMO_MAX_WEBHOOK_BYTES or 1 MB for /webhooks); a POST /webhooks from another site's page
// (an Origin header not this server's, or Sec-Fetch-Site cross-site or same-site) gets 403, as do a watch
// of the stream, a /proxy/ call and a call of the mock's controls (/api/__mock/...) from one (an <img> or a
// no-cors fetch sends no Origin); at most 20 pages
// watch the stream (503 past it), and a watcher with over 1 MB unsent is dropped; /proxy/ only forwards
// plain paths to the target's origin, never follows a redirect, refuses answers over 10 MB, gives up after
// 60 s (504; GIST_DEMO_PROXY_TIMEOUT_MS changes it) or when the page goes away, and serves what comes back
// as JSON or as plain text (never as a page).
// It serves no service worker (403 to a request with a Service-Worker header), so that nothing but the
// page sees the key typed into it.
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createMockGist } from "gist-wasm/mock";
import { allowedHosts, bracketed, toNodeListener } from "gist-wasm/mock/server";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../node_modules/gist-wasm/", import.meta.url));
const reference = fileURLToPath(new URL("../target/api/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};
/** Types worth compressing (a .wasm is too: gzip takes it from 164 KB to 72 KB). */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm)|image\/svg)/;
const MB = 1024 * 1024;
const MAX_PROXY_ANSWER_BYTES = 10 * MB;
// How long a proxied call may take, its answer read (GIST_DEMO_PROXY_TIMEOUT_MS changes it); it stops
// sooner when the page goes away.
const PROXY_TIMEOUT_MS = Number(process.env.GIST_DEMO_PROXY_TIMEOUT_MS) || 60_000;
const MAX_WATCHER_BACKLOG = MB;

/** An answer in Gist's error shape: `{ errors: [{ code, message }] }` with `status`. */
const gistError = (status, code, message) => Response.json({ errors: [{ code, message }] }, { status });

/**
 * Whether a failure rule posted to the demo's mock redirects off the demo's origin: any page that can post
 * a rule would make the origin where a key is typed an open redirect.
 */
async function offOrigin(request) {
  try {
    const { headers } = await request.clone().json();
    const location = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "location")?.[1];
    return location !== undefined && new URL(String(location), request.url).origin !== new URL(request.url).origin;
  } catch {
    return false; // not a rule: the mock says why
  }
}

/** A file of `root`, gzipped when the request accepts it. Revalidated on every load ("no-cache"): it is a dev server. */
async function serveFile(root, path, request) {
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) return new Response("forbidden", { status: 403 });
  let body;
  try {
    body = await readFile(file);
  } catch {
    return new Response("not found", { status: 404 });
  }
  const type = TYPES[extname(file)] || "application/octet-stream";
  // A page where a key is typed: no other origin may frame it (clickjacking), and nothing is sniffed.
  const headers = {
    "content-type": type, "cache-control": "no-cache", vary: "accept-encoding",
    "content-security-policy": "frame-ancestors 'none'", "x-frame-options": "DENY", "x-content-type-options": "nosniff",
  };
  if (COMPRESSIBLE.test(type) && /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "")) {
    return new Response(gzipSync(body), { headers: { ...headers, "content-encoding": "gzip" } });
  }
  return new Response(body, { headers });
}

/** Ends `res` with a Gist-style JSON error and closes the connection. */
function refuse(req, res, status, code, message) {
  res.on("finish", () => req.socket.destroy());
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

/** The upstream URL of a raw `/proxy/...` request target: the target's origin plus that path, or null if the path is not plain. */
function upstreamUrl(raw, target) {
  const rest = raw.slice("/proxy".length);
  try {
    const path = decodeURIComponent(rest.split("?")[0]);
    const plain = !/[\\\x00-\x1f\x7f]/.test(path) && path.split("/").slice(1).every((s) => s !== "" && s !== "." && s !== "..");
    const url = new URL(target.origin + rest);
    return plain && url.origin === target.origin ? url : null;
  } catch {
    return null;
  }
}

/** Reads a fetch answer's body, or null if it is over `limit` bytes. */
async function readCapped(body, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Whether a request comes from no page, or from this server's own (its Origin, if any, is this server's). */
const sameOrigin = (req) => req.headers.origin === undefined || req.headers.origin === `http://${req.headers.host}`;
/** Whether a browser says another site's page sent it: an <img>, an <iframe> or a no-cors fetch sends no Origin. */
const otherSite = (req) => ["cross-site", "same-site"].includes(req.headers["sec-fetch-site"]);

/** Statuses whose answer has no body. */
const NO_BODY = new Set([204, 205, 304]);

/** Forwards a request to `upstream` with the page's own Authorization header; never follows a redirect. */
async function proxy(request, upstream, timeoutMs) {
  const headers = {};
  for (const name of ["authorization", "content-type", "accept"]) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.arrayBuffer();
  const failed = (code, message, status = 502) => gistError(status, code, message);
  // A timer of its own, not AbortSignal.timeout: on Node 20, one inside AbortSignal.any never fires once collected.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
  const onGone = () => controller.abort(request.signal.reason);
  if (request.signal.aborted) onGone();
  else request.signal.addEventListener("abort", onGone, { once: true });
  const { signal } = controller;
  try {
    const answer = await fetch(upstream, { method: request.method, headers, body, redirect: "manual", signal });
    // A 304 is no redirect: it has no Location, and passes on as itself.
    if (answer.status >= 300 && answer.status < 400 && answer.status !== 304) {
      await answer.body?.cancel();
      // Its own status, without the Location: the client refuses a redirect unretried, as from Gist itself
      // (a 502 would be retried, and sent the key again each time).
      return failed("proxy_redirect", `${upstream.origin} answered a redirect (${answer.status}), which the demo proxy does not follow`, answer.status);
    }
    const bytes = await readCapped(answer.body, MAX_PROXY_ANSWER_BYTES);
    if (bytes === null) return failed("proxy_answer_too_large", `${upstream.origin} answered more than ${MAX_PROXY_ANSWER_BYTES} bytes`);
    // Served on this server's origin: JSON as JSON, anything else (an HTML error page) as text.
    const json = /^application\/([\w.+-]+\+)?json\b/i.test(answer.headers.get("content-type") ?? "");
    const keep = { "content-type": json ? "application/json" : "text/plain; charset=utf-8", "x-content-type-options": "nosniff" };
    // What the client reads of an answer's headers: its wait, its id, and the rate limit it paces by.
    for (const name of ["retry-after", "x-request-id", ...["limit", "remaining", "reset"].flatMap((part) => [`x-ratelimit-${part}`, `ratelimit-${part}`])]) {
      const value = answer.headers.get(name);
      if (value) keep[name] = value;
    }
    if (answer.status < 200 || answer.status > 599) return failed("proxy_status", `${upstream.origin} answered status ${answer.status}, which is no HTTP status the demo proxy passes on`);
    // A 204, 205 or 304 has no body (the Response constructor refuses one): the upstream acted all the same.
    return new Response(NO_BODY.has(answer.status) ? null : bytes, { status: answer.status, headers: keep });
  } catch (error) {
    if (signal.reason?.name === "TimeoutError") return failed("proxy_timeout", `${upstream.origin} did not answer within ${timeoutMs} ms`, 504);
    return failed("proxy_failed", `the demo server could not reach ${upstream.origin} (${error.cause?.code ?? error.message})`);
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener("abort", onGone);
  }
}

/** The webhook receiver: keeps the last deliveries and streams new ones to at most `maxWatchers` pages. */
function webhookReceiver(maxWatchers) {
  const deliveries = [];
  const watchers = new Set();
  return {
    deliveries,
    /** How many pages watch the stream now. */
    get watching() {
      return watchers.size;
    },
    async receive(request) {
      // The bytes as they came, which a signature covers (base64 in the stream's JSON), and their text
      // (UTF-8, a byte order mark dropped, a byte that is not UTF-8 read as U+FFFD) to parse and show.
      const bytes = Buffer.from(await request.arrayBuffer());
      const body = new TextDecoder().decode(bytes);
      const delivery = { receivedAt: Date.now(), body, bodyBase64: bytes.toString("base64"), headers: Object.fromEntries(request.headers) };
      deliveries.push(delivery);
      if (deliveries.length > 50) deliveries.shift();
      // One buffer shared by every watcher; a watcher with over 1 MB still unsent is dropped, not buffered for.
      const event = Buffer.from(`data: ${JSON.stringify(delivery)}\n\n`);
      for (const res of watchers) {
        if (res.writableLength > MAX_WATCHER_BACKLOG) res.destroy();
        else res.write(event);
      }
      return new Response("received\n", { status: 202 });
    },
    watch(req, res) {
      if (watchers.size >= maxWatchers) return refuse(req, res, 503, "too_many_watchers", `At most ${maxWatchers} pages may watch`);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(": watching\n\n");
      watchers.add(res);
      res.on("close", () => watchers.delete(res));
    },
    closeAll() {
      for (const res of watchers) res.end();
      watchers.clear();
    },
  };
}

/**
 * Starts the demo server; `mounts` adds folders (`{ "/test/": "/abs/dir/" }`), for tests;
 * `proxyTarget` is where /proxy/ forwards (default Gist's API); `maxBodyBytes` caps /api and /proxy
 * bodies, `maxWebhookBytes` webhook deliveries (1 MB each), `maxWatchers` the stream's pages (20),
 * `proxyTimeoutMs` how long a proxied call may take (60 s).
 * Resolves `{ url, mock, webhooks, close() }`.
 */
export function startDemoServer({
  port = 8080,
  host = "127.0.0.1",
  mounts = {},
  proxyTarget,
  maxBodyBytes = MB,
  maxWebhookBytes = Number(process.env.GIST_DEMO_MAX_WEBHOOK_BYTES) || MB,
  maxWatchers = 20,
  proxyTimeoutMs = PROXY_TIMEOUT_MS,
} = {}) {
  const mock = createMockGist({ basePath: "/api" });
  const webhooks = webhookReceiver(maxWatchers);
  const target = new URL(proxyTarget ?? process.env.GIST_PROXY_TARGET ?? "https://api.getgist.com");
  const roots = { ...mounts, "/pkg/": pkg, "/reference/": reference };
  async function handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/api/__mock/fail" && (await offOrigin(request))) {
      return gistError(400, "parameter_invalid", "a rule's location must be on this server (/api/contacts): the demo's origin redirects nowhere else");
    }
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return mock.handle(request);
    if (url.pathname.startsWith("/reference/") && !existsSync(reference)) {
      return new Response("The API reference is not built: run ./build.sh docs (./build.sh demo does)", { status: 404 });
    }
    for (const [prefix, root] of Object.entries(roots)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const path = url.pathname.slice(prefix.length);
      return serveFile(root, path === "" || path.endsWith("/") ? `${path}index.html` : path, request);
    }
    return serveFile(here, url.pathname === "/" ? "index.html" : url.pathname.slice(1), request);
  }
  const listener = toNodeListener(handle, { maxBodyBytes });
  const receive = toNodeListener(webhooks.receive, { maxBodyBytes: maxWebhookBytes });
  let hosts;
  /** Checks Host (and the sending site for webhooks and the proxy), refuses a service worker's script, then routes by the raw request target. */
  function route(req, res) {
    if (!hosts.has(String(req.headers.host).toLowerCase())) {
      return refuse(req, res, 421, "misdirected_request", `This server answers only for ${[...hosts].join(", ")}`);
    }
    if (req.headers["service-worker"] !== undefined) {
      return refuse(req, res, 403, "service_worker_refused", "This server serves no service worker");
    }
    if (req.url === "/webhooks/stream") {
      if (req.method !== "GET" || !sameOrigin(req) || otherSite(req)) return refuse(req, res, 403, "cross_origin_refused", "Only this server's own page may watch deliveries");
      return webhooks.watch(req, res);
    }
    if (req.url.split("?")[0] === "/webhooks" && req.method === "POST") {
      if (!sameOrigin(req) || otherSite(req)) {
        return refuse(req, res, 403, "cross_origin_refused", "Webhook deliveries from other sites' pages are refused");
      }
      return receive(req, res);
    }
    if (req.url.startsWith("/proxy/")) {
      if (!sameOrigin(req) || otherSite(req)) return refuse(req, res, 403, "cross_origin_refused", "The proxy forwards only this server's own page's calls");
      const upstream = upstreamUrl(req.url, target);
      if (!upstream) return refuse(req, res, 400, "proxy_refused", `The proxy forwards only plain paths to ${target.origin}`);
      return toNodeListener((request) => proxy(request, upstream, proxyTimeoutMs), { maxBodyBytes })(req, res);
    }
    // The mock's controls (its failure rules, a reset) are the page's: another site's may not set them (the
    // mock refuses a foreign Origin itself; a request a browser marks cross-site may come with none).
    if (req.url.startsWith("/api/__mock/") && otherSite(req)) {
      return refuse(req, res, 403, "cross_origin_refused", "Only this server's own page may set the mock's failures or reset it");
    }
    return listener(req, res);
  }
  const server = createServer(route);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      hosts = allowedHosts(host, server.address().port);
      const url = `http://${bracketed(host)}:${server.address().port}`;
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
