// Issue 8 (security and robustness): the built package, imported by name, over real HTTP to throwaway
// servers on 127.0.0.1. One test (or a small group) per reproduction of the issue, numbered as there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import init, { GistClient, GistError, parseWebhook, verifyWebhook, handleWebhook, normalizeEventName } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { startServer, json, closedPort, streamBody } from "./loopback.mjs";
import { inFreshNode } from "./fresh-node.mjs";

// The instance's WebAssembly.Memory: init() after the automatic initSync returns the existing exports.
const wasm = await init();
const memory = wasm && wasm.memory;
const wasmBytes = () => {
  assert.ok(memory instanceof WebAssembly.Memory, "init() gives the wasm exports with their memory");
  return memory.buffer.byteLength;
};

const MB = 1024 * 1024;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------
// Outcomes, described as short strings so that a table of them compares with one deepEqual.

/** Runs fn() and waits (at most ms) for its promise: { kind: "resolved" | "rejected" | "sync" | "hang" | "not-a-promise" }. */
async function outcome(fn, ms = 10_000) {
  let result;
  try {
    result = fn();
  } catch (error) {
    return { kind: "sync", error };
  }
  if (!result || typeof result.then !== "function") return { kind: "not-a-promise", value: result };
  let timer;
  const hang = new Promise((resolve) => { timer = setTimeout(() => resolve({ kind: "hang" }), ms); });
  try {
    return await Promise.race([
      Promise.resolve(result).then((value) => ({ kind: "resolved", value }), (error) => ({ kind: "rejected", error })),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function errorLabel(error) {
  if (error instanceof GistError) return error.code;
  const name = error && error.constructor ? error.constructor.name : typeof error;
  return `non-GistError ${name}: ${String(error && error.message !== undefined ? error.message : error).slice(0, 120)}`;
}

/** "resolves", "rejects <code>", "throws synchronously <code>", "hangs", "returns a non-promise". */
function label(result) {
  switch (result.kind) {
    case "resolved": return "resolves";
    case "rejected": return `rejects ${errorLabel(result.error)}`;
    case "sync": return `throws synchronously ${errorLabel(result.error)}`;
    case "hang": return "hangs";
    default: return "returns a non-promise";
  }
}

/** For synchronous functions: "throws <code>" or "returns". */
function thrown(fn) {
  try {
    fn();
    return "returns";
  } catch (error) {
    return `throws ${errorLabel(error)}`;
  }
}

function safeJson(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Every text an error shows: message, stack, String(), JSON, and every own property (the cause too). */
function errorTexts(error) {
  if (!error || typeof error !== "object") return { value: String(error) };
  const texts = { message: String(error.message), stack: String(error.stack), string: String(error), json: safeJson(error) };
  for (const key of Object.getOwnPropertyNames(error)) {
    const value = error[key];
    texts[`.${key}`] = typeof value === "string" ? value
      : value instanceof Error ? `${value.name}: ${value.message}\n${value.stack}` : safeJson(value);
  }
  return texts;
}

/** Where an error shows one of the needles (strings, or regexps): one "needle in where, where" per needle found. */
function leaks(error, needles) {
  const texts = Object.entries(errorTexts(error));
  const found = [];
  for (const needle of new Set(needles)) {
    const where = texts.filter(([, text]) => (needle instanceof RegExp ? needle.test(text) : text.includes(needle))).map(([w]) => w);
    if (where.length) found.push(`${needle} in ${where.join(", ")}`);
  }
  return found;
}

// Reproductions that used to kill or wedge the wasm instance run in a fresh Node process, so that they
// cannot take the rest of this file down with them; the child reports what it saw as JSON.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILD_PRELUDE = `
import { GistError, handleWebhook, normalizeEventName, parseWebhook } from "gist-wasm";
const uncaught = [];
process.on("uncaughtException", (e) => uncaught.push(String((e && e.message) || e)));
process.on("unhandledRejection", (e) => uncaught.push("unhandled rejection: " + String((e && e.message) || e)));
const errorLabel = (e) => e instanceof GistError ? e.code
  : "non-GistError " + (e && e.constructor ? e.constructor.name : typeof e) + ": " + String(e && e.message).slice(0, 120);
async function settle(fn, ms) {
  let p;
  try { p = fn(); } catch (e) { return "throws synchronously " + errorLabel(e); }
  if (!p || typeof p.then !== "function") return "returns a non-promise";
  let timer;
  const hang = new Promise((resolve) => { timer = setTimeout(() => resolve("hangs"), ms); });
  const result = await Promise.race([p.then(() => "resolves", (e) => "rejects " + errorLabel(e)), hang]);
  clearTimeout(timer);
  return result;
}
function thrown(fn) { try { fn(); return "returns"; } catch (e) { return "throws " + errorLabel(e); } }
const done = (value) => setTimeout(() => { process.stdout.write("\\n" + JSON.stringify({ ...value, uncaught })); process.exit(0); }, 100);
`;

// A logger that keeps every line, and hooks that keep every event as [name, info].
function recorders() {
  const lines = [];
  const seen = [];
  const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (line) => lines.push(line)]));
  const hooks = Object.fromEntries(["request", "response", "retry"].map((name) => [name, (info) => seen.push([name, info])]));
  return { lines, seen, logger, hooks };
}

/** Runs `source` (after CHILD_PRELUDE) as an ES module in a new Node process: { result, exit, stderr }. */
function runIsolated(source, timeout = 30_000) {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "-e", CHILD_PRELUDE + source], { cwd: ROOT, timeout }, (error, stdout, stderr) => {
      let result;
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1));
      } catch {
        result = undefined;
      }
      resolve({ result, exit: error ? (error.signal ?? error.code) : 0, stderr: String(stderr).slice(-1500) });
    });
  });
}

const EMAIL = /ada(@|%40|%2540)example\.com/i;
const contact = (id = 1, extra = {}) => ({ id, type: "user", user_id: String(id), email: `u${id}@example.com`, ...extra });

/** A server that answers like Gist for the few routes the tests use (and records every request). */
function gistLike(req, res, body) {
  const url = new URL(req.url, "http://x");
  const [resource, id] = url.pathname.split("/").filter(Boolean);
  if (resource === "contacts" && req.method === "POST") {
    const sent = JSON.parse(body.toString("utf8") || "{}");
    return json(res, 200, { contact: { ...contact(1), ...sent, id: 1 } });
  }
  if (resource === "contacts" && (id || url.searchParams.has("email") || url.searchParams.has("user_id"))) {
    return json(res, 200, { contact: contact(Number(id) || 1) });
  }
  if (resource === "contacts") return json(res, 200, { contacts: [contact(1)], pages: { next: null } });
  if (resource === "tags" && req.method === "GET") return json(res, 200, { tags: [{ id: 7, name: "T" }], pages: { next: null } });
  if (resource === "tags") return json(res, 200, { tag: { id: Number(id) || 7, name: "T" } });
  if (resource === "segments") return json(res, 200, { segment: { id: Number(id) || 1, name: "S" } });
  if (resource === "campaigns") return json(res, 200, { campaign: { id: Number(id || url.searchParams.get("campaign_id")) || 1, name: "C", status: "live" } });
  return json(res, 200, {});
}

// ---------------------------------------------------------------------------------------------------
// 1. The key never goes to another host.

test("1: apiCall paths that leave baseUrl are refused and send nothing", async (t) => {
  const evil = await startServer();
  const proxy = await startServer();
  t.after(() => Promise.all([evil.close(), proxy.close()]));
  const E = `127.0.0.1:${evil.port}`;
  const gist = new GistClient({ apiKey: "sk_live_key1", baseUrl: `${proxy.url}/proxy`, maxRetries: 0, timeoutMs: 5000 });
  const urls = [
    `/contacts/..//${E}/stolen`, "/x/../../admin", "/%2e%2e/admin", "/%2E%2E/admin", `//${E}/x`, `/\\${E}/x`,
    `/a/%2F%2F${E}`, "/a/%5C..", "/a#frag", "/a/./b", "/a/%2e/b", "/a/%2e%2E/b", "/a/%252e%252e/admin",
  ];
  const seen = {};
  for (const url of urls) seen[url] = label(await outcome(() => gist.apiCall({ url })));
  assert.deepEqual(
    { seen, proxyReceived: proxy.requests.map((r) => r.url), evilReceived: evil.requests.map((r) => r.url) },
    { seen: Object.fromEntries(urls.map((u) => [u, "rejects invalid_argument"])), proxyReceived: [], evilReceived: [] },
  );
});

test("1: a baseUrl with credentials, a query, a fragment or dot segments is refused at construction", async (t) => {
  const proxy = await startServer();
  t.after(() => proxy.close());
  const host = `127.0.0.1:${proxy.port}`;
  const bad = [
    `http://u:hunter2@${host}`, `http://u:hunter2@${host}/proxy`, `http://user@${host}`,
    `http://${host}/proxy?x=1`, `http://${host}/proxy#f`, `http://${host}/a/../proxy`, `http://${host}/a/%2e%2e/proxy`,
    `http://${host}/a/./proxy`, `http://${host}\\proxy`, `http://${host}/pro xy`, `ftp://${host}`,
    `http://u:hun/ter2@${host}`, `http://127.0.0.1:hunter2/x`,
  ];
  const seen = {};
  const shown = [];
  for (const baseUrl of bad) {
    try {
      new GistClient({ apiKey: "sk_live_key1", baseUrl });
      seen[baseUrl] = "constructs";
    } catch (error) {
      seen[baseUrl] = `throws ${errorLabel(error)}`;
      shown.push(...leaks(error, ["hunter2"]));
      if (error.message.includes("[email]")) shown.push(`${baseUrl}: the message is garbled: ${error.message}`);
    }
  }
  assert.deepEqual(
    { seen, shown, received: proxy.requests.length },
    { seen: Object.fromEntries(bad.map((u) => [u, "throws invalid_argument"])), shown: [], received: 0 },
  );
});

test("1: a call's headers may not set Host or another framing header, nor hold a control character", async (t) => {
  const proxy = await startServer((req, res) => json(res, 200, { tags: [] }));
  t.after(() => proxy.close());
  const gist = new GistClient({ apiKey: "sk_live_key1", baseUrl: proxy.url, maxRetries: 0 });
  const refused = [{ Host: "attacker.example" }, { "content-length": "0" }, { "Transfer-Encoding": "chunked" }, { "x-a": "a\u0001b" }, { "x-a": "a\u007f" },
    { "X-HTTP-Method-Override": "DELETE" }, { "x-a": "€5" }, { "x-a": "café" }];
  const seen = [];
  for (const headers of refused) {
    for (const call of [() => gist.listTags({}, { headers }), () => gist.apiCall({ url: "/tags", headers })]) {
      const error = await call().catch((e) => e);
      seen.push(error instanceof GistError ? error.code : String(error));
    }
  }
  assert.deepEqual(seen, refused.flatMap(() => ["invalid_argument", "invalid_argument"]));
  assert.equal(proxy.requests.length, 0, "nothing sent");
  await gist.listTags({}, { headers: { "x-a": "a\tb" } });
  assert.equal(proxy.requests[0].headers["x-a"], "a\tb");
});

test("1: a plain apiCall path with a query still reaches the proxy prefix", async (t) => {
  const proxy = await startServer((req, res) => json(res, 200, { ok: true }));
  t.after(() => proxy.close());
  const gist = new GistClient({ apiKey: "sk_live_key1", baseUrl: `${proxy.url}/proxy`, maxRetries: 0 });
  const answer = await gist.apiCall({ url: "/contacts?x=1" });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { ok: true });
  // A scheme in capitals is a scheme (URLs' are case-insensitive).
  const shouting = new GistClient({ apiKey: "sk_live_key1", baseUrl: `HTTP://${proxy.url.slice("http://".length)}/proxy`, maxRetries: 0 });
  assert.equal((await shouting.apiCall({ url: "/tags" })).status, 200);
  assert.deepEqual(proxy.requests.map((r) => [r.method, r.url, r.headers.authorization]),
    [["GET", "/proxy/contacts?x=1", "Bearer sk_live_key1"], ["GET", "/proxy/tags", "Bearer sk_live_key1"]]);
});

// ---------------------------------------------------------------------------------------------------
// 2. handleWebhook fails closed.

const WEBHOOK_BODY = JSON.stringify({ topic: "contact.created", contact: { id: 1, type: "user", user_id: "1" } });
const tokenRequest = (token) => new Request("http://127.0.0.1/webhooks", {
  method: "POST",
  headers: { "content-type": "application/json", "x-gist-webhook-token": token },
  body: WEBHOOK_BODY,
});

test("2: handleWebhook refuses options it does not understand and never resolves unverified", async () => {
  const cases = {
    "{ secret }": () => ({ secret: "s3cret" }),
    "{ verfy }": () => ({ verfy: { secret: "s3cret" } }),
    "{ Verify }": () => ({ Verify: { secret: "s3cret" } }),
    "a string": () => "s3cret",
    "a throwing verify getter": () => ({ get verify() { throw new Error("x"); } }),
    "{ verify: string }": () => ({ verify: "s3cret" }),
    "{ verify: { sheme } }": () => ({ verify: { secret: "s3cret", sheme: "token" } }),
    "{ verify, extra }": () => ({ verify: { secret: "s3cret" }, secret: "s3cret" }),
  };
  const seen = {};
  for (const [name, options] of Object.entries(cases)) {
    seen[name] = label(await outcome(() => handleWebhook(tokenRequest("WRONG"), options())));
  }
  assert.deepEqual(seen, Object.fromEntries(Object.keys(cases).map((k) => [k, "rejects invalid_argument"])));
});

test("2: handleWebhook with a wrong token is 401, with the right one resolves", async () => {
  const wrong = await outcome(() => handleWebhook(tokenRequest("WRONG"), { verify: { secret: "s3cret" } }));
  assert.equal(label(wrong), "rejects invalid_webhook");
  assert.equal(wrong.error.status, 401);
  const right = await outcome(() => handleWebhook(tokenRequest("s3cret"), { verify: { secret: "s3cret" } }));
  assert.equal(label(right), "resolves");
  assert.equal(right.value.topic, "contact.created");
});

// ---------------------------------------------------------------------------------------------------
// 3. Process-killers.

test("3: handleWebhook with throwing getters rejects invalid_argument, always settles, and the process survives", async () => {
  const child = await runIsolated(`
    const boom = () => { throw new Error("boom"); };
    const cases = {
      "text getter": () => ({ get text() { return boom(); }, headers: {} }),
      "headers getter": () => ({ text: async () => "{}", arrayBuffer: async () => new ArrayBuffer(2), get headers() { return boom(); } }),
      "arrayBuffer getter": () => ({ get arrayBuffer() { return boom(); }, text: async () => "{}", headers: {} }),
      "a Proxy that throws": () => new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom }),
    };
    const seen = {};
    for (const [name, request] of Object.entries(cases)) seen[name] = await settle(() => handleWebhook(request()), 3000);
    const after = await settle(() => handleWebhook(new Request("http://127.0.0.1/", { method: "POST", body: '{"topic":"t"}' })), 3000);
    done({ seen, after });
  `);
  assert.deepEqual({ exit: child.exit, ...child.result }, {
    exit: 0,
    seen: { "text getter": "rejects invalid_argument", "headers getter": "rejects invalid_argument", "arrayBuffer getter": "rejects invalid_argument", "a Proxy that throws": "rejects invalid_argument" },
    after: "resolves",
    uncaught: [],
  }, child.stderr);
});

/** A contacts server whose pages hold `perPage` users of about `size` bytes each, up to `maxPages` pages. */
async function bigPages({ size, perPage = 60, maxPages }) {
  const blob = "x".repeat(size);
  let served = 0;
  const server = await startServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const page = Number(url.searchParams.get("page")) || 1;
    served += 1;
    const contacts = [];
    for (let i = 0; i < perPage; i++) {
      const id = page * 1000 + i;
      contacts.push({ ...contact(id), custom_properties: { blob } });
    }
    const next = page < maxPages ? `${server.url}/contacts?page=${page + 1}` : null;
    json(res, 200, { contacts, pages: { next } });
  });
  return { server, served: () => served };
}

test("3: listUsers with huge pages stops at maxResponseBytes, for one page and for the sum of pages", async (t) => {
  const huge = await bigPages({ size: 100_000, maxPages: 20 });
  const many = await bigPages({ size: 10_000, maxPages: 20 }); // 600 kB a page: the 4th page passes 2 MB
  t.after(() => Promise.all([huge.server.close(), many.server.close()]));
  const seen = {};
  for (const [name, { server }] of Object.entries({ huge, many })) {
    const result = await outcome(() => new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0, maxResponseBytes: 2_000_000 })
      .listUsers({ limit: 10000 }), 20_000);
    seen[name] = [label(result), /maxResponseBytes/.test(result.error?.message)];
  }
  assert.deepEqual(seen, { huge: ["rejects invalid_response", true], many: ["rejects invalid_response", true] });
  assert.ok(many.served() <= 5, `the listing stopped once the pages passed the cap (${many.served()} pages served)`);
  assert.ok(wasmBytes() < 1024 * MB);
});

test("3: listUsers with huge pages stops at the default 32 MiB cap", async (t) => {
  // 6 MB a page, 10 pages at most: 60 MB in all, past the default cap.
  const { server, served } = await bigPages({ size: 100_000, maxPages: 10 });
  t.after(() => server.close());
  const started = Date.now();
  const result = await outcome(() => new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 }).listUsers({ limit: 10000 }), 30_000);
  assert.deepEqual([label(result), /maxResponseBytes/.test(result.error?.message)], ["rejects invalid_response", true],
    `served ${served()} pages`);
  assert.ok(Date.now() - started < 10_000, "well under 10 s");
  assert.ok(wasmBytes() < 700 * MB, `wasm memory ${Math.round(wasmBytes() / MB)} MB`);
});

// ---------------------------------------------------------------------------------------------------
// 4. An API key echoed by the server.

test("4: an API key echoed by the server never reaches the GistError", async (t) => {
  let echo;
  const server = await startServer((req, res) => {
    const headers = { "x-request-id": echo.requestId };
    if (echo.text) {
      res.writeHead(echo.status, { "content-type": "text/plain", ...headers });
      return res.end(echo.text);
    }
    json(res, echo.status, { errors: [{ code: echo.value, message: `bad key ${echo.value} and Bearer ${echo.value}` }] }, headers);
  });
  t.after(() => server.close());
  const codes = { 400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 500: "server_error" };
  const problems = [];
  for (const key of ["sk_live+abc/def=", "sk_live_0123456789abcdef"]) {
    const encoded = encodeURIComponent(key);
    const needles = [key, encoded, encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())];
    const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0 });
    for (const status of [400, 401, 403, 404, 500]) {
      for (const variant of ["raw", "encoded", "text"]) {
        const value = variant === "encoded" ? encoded : key;
        echo = { status, value, requestId: value, text: variant === "text" ? `bad key ${key} (Bearer ${key})` : undefined };
        const result = await outcome(() => gist.fetchUser({ id: 1 }));
        const where = `${key} ${status} ${variant}`;
        if (label(result) !== `rejects ${codes[status]}`) problems.push(`${where}: ${label(result)}`);
        else problems.push(...leaks(result.error, needles).map((leak) => `${where}: ${leak}`));
      }
    }
  }
  assert.ok(server.requests.length > 0 && server.requests.every((r) => /^Bearer sk_live/.test(r.headers.authorization)));
  assert.deepEqual(problems, []);
});

test("4: an API key echoed in an answer's headers or body never reaches a hook, a log line or withResponse()", async (t) => {
  const key = "sk_live+abc/def=";
  const encoded = encodeURIComponent(key);
  const needles = [key, encoded, encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())];
  let answers = 0;
  const server = await startServer((req, res) => {
    const echo = { "x-request-id": `req ${key}`, "x-echo": `Bearer ${encoded}` };
    const status = answers++ === 0 ? 503 : 200;
    json(res, status, { contact: { id: 1, type: "user", user_id: "1", name: `echo ${key}` } }, echo);
  });
  t.after(() => server.close());
  const { seen, lines, logger, hooks } = recorders();
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 1, hooks, logger, logLevel: "debug", logBodies: true });
  const { data, response } = await gist.fetchUser({ id: 1 }).withResponse();
  assert.equal(data.name, `echo ${key}`, "the call's own value is the answer, as it came");
  assert.deepEqual(seen.map(([name]) => name), ["request", "response", "retry", "request", "response"]);
  assert.ok(lines.some((line) => line.includes("answered: {")), "bodies were logged");
  assert.equal(response.headers.get("x-echo"), "Bearer [redacted]");
  const texts = { hooks: JSON.stringify(seen), logs: lines.join("\n"), withResponse: JSON.stringify({ ...response, headers: [...response.headers] }) };
  const found = Object.entries(texts).flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map((n) => `${n} in ${where}`));
  assert.deepEqual(found, []);
});

test("4: an API key echoed in an answer header's name is in no withResponse() or apiCall answer (withResponse() leaves that header out)", async (t) => {
  const key = "sk_live_0123456789abcdef";
  const server = await startServer((req, res) => json(res, 200, { contact: { id: 1, type: "user", user_id: "1" } }, { [`x-echo-${key}`]: "1" }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0 });
  const { response } = await gist.fetchUser({ id: 1 }).withResponse();
  const answer = await gist.apiCall({ url: "/contacts/1" });
  assert.deepEqual([...response.headers.keys()].filter((name) => name.startsWith("x-echo")), []);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(answer.headers["x-echo-[redacted]"], "1");
  assert.deepEqual([JSON.stringify([...response.headers]), JSON.stringify(answer)].filter((text) => text.includes(key)), []);
});

test("4: the key in a caller's body, header or path, or echoed with any byte percent-encoded, never reaches a hook, a log line or an error", async (t) => {
  const key = "sk_test~abc";
  const needles = [key, "sk_test%7Eabc", "sk_test%7eabc", "%73k_test~abc"];
  let echo = "";
  const server = await startServer((req, res) => json(res, 400, { errors: [{ code: "bad", message: `bad key ${echo}` }] }, { "x-request-id": `r-${echo}` }));
  t.after(() => server.close());
  const seen = [];
  const { lines, logger } = recorders();
  const hooks = { request: (info) => seen.push(info) };
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0, hooks, logger, logLevel: "debug", logBodies: true });
  const errors = [];
  for (const form of needles.slice(1)) {
    echo = form;
    errors.push(await gist.createTag(key, { headers: { "x-caller": `k=${key}` } }).catch((error) => error));
    const raw = await gist.apiCall({ method: "POST", url: `/notes/${key}`, body: { key } });
    assert.equal(raw.status, 400, "apiCall resolves with any answer");
  }
  assert.equal(server.requests.length, 6);
  assert.ok(server.requests.every((r) => r.body.includes(key)), "the caller's body went as given");
  assert.equal(seen.length, 6);
  for (const info of seen) {
    assert.ok(info.body.includes("[redacted]"), info.body);
    if (info.path === "/tags") assert.equal(info.headers["x-caller"], "k=[redacted]");
    else assert.equal(info.path, "/notes/[redacted]");
  }
  assert.ok(errors.every((error) => error instanceof GistError && error.code === "invalid_request" && error.message.includes("bad key [redacted]")));
  const texts = { hooks: JSON.stringify(seen), logs: lines.join("\n"), errors: JSON.stringify(errors.map((e) => ({ ...e, message: e.message }))) };
  const found = Object.entries(texts).flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map((n) => `${n} in ${where}`));
  assert.deepEqual(found, []);
});

test("4: a key echoed encoded twice, or escaped as JSON writes it, never reaches an error, a header or a log line", async (t) => {
  const key = "K/ey+with=b64/";
  const twice = encodeURIComponent(encodeURIComponent(key));
  const escaped = key.replaceAll("/", "\\/");
  const server = await startServer((req, res) => {
    res.writeHead(400, { "content-type": "application/json", "x-echo": twice });
    res.end(`{"errors":[{"code":"bad","message":"key ${escaped} or ${twice}"}]}`);
  });
  t.after(() => server.close());
  const { lines, logger } = recorders();
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0, logger, logLevel: "debug", logBodies: true });
  const error = await gist.fetchCampaign(1).catch((e) => e);
  const raw = await gist.apiCall({ url: "/campaigns/1" }).withResponse();
  assert.equal(error.code, "invalid_request");
  assert.ok(lines.some((line) => line.includes("answered:")), "bodies were logged");
  const texts = { error: `${error.message} ${JSON.stringify(error.errors)}`, logs: lines.join("\n"), headers: JSON.stringify([...raw.response.headers]) };
  const found = Object.entries(texts).flatMap(([where, text]) => [key, twice, escaped].filter((n) => text.includes(n)).map((n) => `${n} in ${where}`));
  assert.deepEqual(found, []);
});

test("4: a key echoed in another letter case, in base64 (either alphabet, any alignment, padded or not) or in hex never reaches an error, a hook, a log line or withResponse()", async (t) => {
  const key = "sk_live_0123456789AbCdEf";
  // The base64 of `prefix + key + suffix`, and its characters that only the key's bytes make.
  const blob = (prefix, suffix, encoding) => {
    const text = Buffer.from(prefix + key + suffix).toString(encoding);
    const at = Buffer.byteLength(prefix);
    return { text, own: text.slice(Math.ceil((8 * at) / 6), Math.floor((8 * (at + key.length)) / 6)) };
  };
  const blobs = [
    blob("Authorization: Bearer ", "", "base64"),
    blob("GET /contacts/1 HTTP/1.1\r\nauthorization: Bearer ", "\r\n\r\n", "base64"),
    blob("xy", "!", "base64url"),
    blob("", "", "base64url"),
  ];
  const hex = Buffer.from(key).toString("hex");
  const echo = `key ${key.toUpperCase()} (sK_LiVe_0123456789aBcDeF), ${blobs.map((b) => b.text).join(", ")}, 0x${hex.toUpperCase()}`;
  const server = await startServer((req, res) => json(res, req.url.startsWith("/contacts") ? 400 : 200,
    { errors: [{ code: "bad_key", message: echo }] },
    { "x-request-id": `req-${key.toUpperCase()}`, "x-echo": blobs[1].text, [`x-echo-${blobs[0].own}`]: hex }));
  t.after(() => server.close());
  const { seen, lines, logger, hooks } = recorders();
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0, hooks, logger, logLevel: "debug", logBodies: true });
  const error = await gist.fetchUser({ id: 1 }).catch((thrown) => thrown);
  const { data: answer, response } = await gist.apiCall({ url: "/echo" }).withResponse();
  assert.equal(error.code, "invalid_request");
  assert.equal(error.requestId, "req-[redacted]");
  assert.ok(lines.some((line) => line.includes("answered:")), "bodies were logged");
  const texts = {
    error: JSON.stringify({ message: error.message, errors: error.errors, requestId: error.requestId }),
    hooks: JSON.stringify(seen),
    logs: lines.join("\n"),
    withResponse: JSON.stringify([...response.headers]),
    apiCall: JSON.stringify(answer.headers),
  };
  for (const [where, text] of Object.entries(texts)) assert.ok(text.includes("[redacted]"), `${where}: ${text}`);
  const needles = [key, hex, ...blobs.map((b) => b.own)];
  const found = Object.entries(texts).flatMap(([where, text]) =>
    needles.filter((needle) => text.toLowerCase().includes(needle.toLowerCase())).map((needle) => `${needle} in ${where}`));
  assert.deepEqual(found, []);
});

test("4: a key echoed in parts (two lines of a header, which fetch joins with \", \"; invisible characters, raw or JSON-escaped, between its bytes) never reaches an error, a hook, a log line or withResponse()", async (t) => {
  const key = "sk_live_0123456789AbCdEf";
  const hide = (text, mark) => [...text].join(mark);
  const forms = [hide(key, "\u200b"), `sk\u061c_live_\u00ad0123\u2060456\u034f789\ufeffAb\u{e0001}CdEf`, key.replace("_", "\\u200d_")];
  const server = await startServer((req, res) => {
    res.writeHead(req.url.startsWith("/contacts") ? 400 : 200, { "content-type": "application/json", "x-request-id": [key.slice(0, 12), key.slice(12)], "x-echo": forms[2] });
    res.end(`{"errors":[{"code":"bad_key","message":"key ${forms[0]} or ${forms[1]} or ${forms[2]}"}]}`);
  });
  t.after(() => server.close());
  const { seen, lines, logger, hooks } = recorders();
  const gist = new GistClient({ apiKey: key, baseUrl: server.url, maxRetries: 0, hooks, logger, logLevel: "debug", logBodies: true });
  const error = await gist.fetchUser({ id: 1 }).catch((thrown) => thrown);
  const { response } = await gist.apiCall({ url: "/echo" }).withResponse();
  assert.equal(error.code, "invalid_request");
  assert.ok(lines.some((line) => line.includes("answered:")), "bodies were logged");
  const texts = {
    error: JSON.stringify({ message: error.message, errors: error.errors, requestId: error.requestId }),
    hooks: JSON.stringify(seen),
    logs: lines.join("\n"),
    withResponse: JSON.stringify([...response.headers, response.requestId]),
  };
  // What is left once the parts' joins are taken out (invisible characters, their escapes, ", "): no key.
  const visible = (text) => text.replace(/\\+u(00ad|200[b-f]|206[0-4]|feff)|\p{Default_Ignorable_Code_Point}|, /giu, "");
  const found = Object.entries(texts).filter(([, text]) => visible(text).includes(key)).map(([where]) => where);
  assert.deepEqual(found, []);
  assert.ok(texts.error.includes("[redacted]"), texts.error);
});

// ---------------------------------------------------------------------------------------------------
// 5. normalizeEventName of a non-string.

test("5: normalizeEventName of a non-string throws GistError invalid_argument", async () => {
  const child = await runIsolated(`
    const values = { 42: 42, "1.5": 1.5, NaN: NaN, "{}": {}, "[]": [], true: true, "10n": 10n, "Symbol()": Symbol("s"), null: null, undefined, function: () => "a.b" };
    const seen = {};
    for (const [name, value] of Object.entries(values)) seen[name] = thrown(() => normalizeEventName(value));
    seen["no argument"] = thrown(() => normalizeEventName());
    let after;
    try { after = normalizeEventName("completed.order$x"); } catch (e) { after = "throws " + errorLabel(e); }
    done({ seen, after });
  `);
  const names = ["42", "1.5", "NaN", "{}", "[]", "true", "10n", "Symbol()", "null", "undefined", "function", "no argument"];
  assert.deepEqual({ exit: child.exit, ...child.result }, {
    exit: 0,
    seen: Object.fromEntries(names.map((name) => [name, "throws invalid_argument"])),
    after: "completed-order-x",
    uncaught: [],
  }, child.stderr);
  assert.equal(normalizeEventName("completed.order$x"), "completed-order-x");
});

// ---------------------------------------------------------------------------------------------------
// 6. Answer size.

const CONTACT_HEAD = '{"contact":{"id":1,"type":"user","user_id":"1","pad":"';
const CONTACT_TAIL = '"}}';

/** A server whose every answer is a contact padded to `total` bytes, streamed; `sent()`: bytes it wrote. */
async function paddedContactServer(t, total) {
  let sent = 0;
  const server = await startServer(async (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    sent = await streamBody(res, { head: CONTACT_HEAD, chunk: Buffer.alloc(MB, 0x61), total, tail: CONTACT_TAIL });
  });
  t.after(() => server.close());
  return { url: server.url, sent: () => sent };
}

test("6: a 200 MB answer stops at the default maxResponseBytes, without growing wasm memory", async (t) => {
  const server = await paddedContactServer(t, 200 * MB);
  const before = wasmBytes();
  const result = await outcome(() => new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 }).fetchUser({ id: 1 }), 30_000);
  const grown = wasmBytes() - before;
  assert.deepEqual([label(result), /maxResponseBytes/.test(result.error?.message)], ["rejects invalid_response", true]);
  assert.ok(grown < 100 * MB, `wasm memory grew by ${Math.round(grown / MB)} MB`);
  await delay(100);
  assert.ok(server.sent() < 100 * MB, `the client stopped reading (server sent ${Math.round(server.sent() / MB)} MB)`);
});

test("6: with maxResponseBytes at its largest, one answer past 256 MiB still stops there: a GistError, not a runtime's error", async (t) => {
  const server = await paddedContactServer(t, 600 * MB);
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0, maxResponseBytes: 4294967295, timeoutMs: 120_000 });
  const result = await outcome(() => gist.fetchUser({ id: 1 }), 120_000);
  assert.deepEqual([label(result), /the 268435456 bytes one answer may hold/.test(result.error?.message)], ["rejects invalid_response", true], result.error?.message);
  await delay(100);
  assert.ok(server.sent() < 400 * MB, `the client stopped reading (server sent ${Math.round(server.sent() / MB)} MB)`);
});

test("6: maxResponseBytes 100000 refuses a 200 kB answer, with or without Content-Length", async (t) => {
  const text = CONTACT_HEAD + "a".repeat(200_000) + CONTACT_TAIL;
  const server = await startServer((req, res) => {
    if (req.url.includes("chunked")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(text.slice(0, 50_000));
      res.end(text.slice(50_000));
    } else {
      json(res, 200, text);
    }
  });
  t.after(() => server.close());
  const seen = {};
  for (const name of ["content-length", "chunked"]) {
    const result = await outcome(() => new GistClient({ apiKey: "k", baseUrl: `${server.url}/${name}`, maxRetries: 0, maxResponseBytes: 100_000 })
      .fetchUser({ id: 1 }));
    seen[name] = [label(result), /maxResponseBytes/.test(result.error?.message)];
  }
  assert.deepEqual(seen, { "content-length": ["rejects invalid_response", true], chunked: ["rejects invalid_response", true] });
  // Under the cap, the same answer is fine.
  const roomy = new GistClient({ apiKey: "k", baseUrl: `${server.url}/content-length`, maxRetries: 0, maxResponseBytes: 300_000 });
  assert.equal((await roomy.fetchUser({ id: 1 })).pad.length, 200_000);
});

test("6: an answer too large for the wasm's memory (capped at 12.5 MiB) fails the call with a GistError, not a RuntimeError, and the client goes on", async () => {
  const seen = await inFreshNode(`
    import { GistClient, GistError } from "gist-wasm";
    const contact = (x) => JSON.stringify({ contact: { id: 1, user_id: "1", type: "user", x } });
    let big = true;
    const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.test", maxRetries: 0,
      fetch: async () => new Response(contact(big ? "a".repeat(8 << 20) : "a")) });
    const label = (e) => e instanceof GistError ? [e.code, e.mayHaveActed, /out of memory/.test(e.message)] : [e?.constructor?.name, e?.message];
    const read = await gist.fetchUser({ id: 1 }).then(() => "resolved", label);
    const written = await gist.createUser({ user_id: 1 }).then(() => "resolved", label);
    big = false;
    console.log(JSON.stringify({ read, written, after: (await gist.fetchUser({ id: 1 })).id }));
  `, ["--wasm-max-mem-pages=200"]);
  assert.deepEqual(seen, { read: ["invalid_response", false, true], written: ["invalid_response", true, true], after: 1 });
});

test("6: an error answer of 150 long items keeps the first 100 on the error, each cut at 1,000 bytes; one over 256 KiB is read by its status alone", async (t) => {
  let count = 150;
  const server = await startServer((req, res) => json(res, 422, JSON.stringify({ errors: Array.from({ length: count }, (_, i) => ({ code: `c${i}`, message: "é".repeat(600) })) })));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const error = await gist.fetchUser({ id: 1 }).catch((e) => e);
  assert.ok(error instanceof GistError && error.code === "invalid_request", String(error));
  assert.equal(error.errors.length, 100);
  assert.deepEqual([error.errors[99].code, error.errors[99].message], ["c99", `${"é".repeat(500)}…`]);
  assert.ok(error.message.length < 700, `${error.message.length}`);
  count = 2000;
  const unread = await gist.fetchUser({ id: 1 }).catch((e) => e);
  assert.deepEqual([unread.code, unread.status, unread.errors], ["invalid_request", 422, undefined]);
});

/**
 * gzip of a contact whose pad is `inflated` bytes of "a" (about 300 kB of gzip for 300 MB), made as a stream. Its
 * Content-Length (the gzip's) is the "lying" one: a thousandth of what the body inflates to.
 */
async function gzipBomb(inflated) {
  const gzip = createGzip({ level: 9 });
  const parts = [];
  gzip.on("data", (part) => parts.push(part));
  const ended = once(gzip, "end");
  const chunk = Buffer.alloc(MB, 0x61);
  gzip.write(CONTACT_HEAD);
  for (let n = 0; n < inflated; n += chunk.length) if (!gzip.write(chunk)) await once(gzip, "drain");
  gzip.end(CONTACT_TAIL);
  await ended;
  return Buffer.concat(parts);
}

test("6: a gzip bomb stops at maxResponseBytes of inflated bytes and RSS stays under 1 GB", async (t) => {
  const bomb = await gzipBomb(300 * MB);
  const server = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length });
    res.end(bomb);
  });
  t.after(() => server.close());
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  const before = wasmBytes();
  const result = await outcome(() => new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 }).fetchUser({ id: 1 }), 30_000);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  assert.deepEqual([label(result), /maxResponseBytes/.test(result.error?.message)], ["rejects invalid_response", true]);
  assert.ok(wasmBytes() - before < 100 * MB, `wasm memory grew by ${Math.round((wasmBytes() - before) / MB)} MB`);
  assert.ok(peak < 1024 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
});

// ---------------------------------------------------------------------------------------------------
// 7. Emails in errors.

test("7: network failures and timeouts do not show the email of the request", async (t) => {
  const port = await closedPort();
  const silent = await startServer(() => new Promise(() => {})); // never answers
  t.after(() => silent.close());
  // A fetch that puts the URL in its error, as Deno's and Bun's do.
  const chatty = async (url, init) => {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new TypeError(`error sending request for url (${url}): ${error.message}`, { cause: error });
    }
  };
  const cases = {
    "closed port": [{ baseUrl: `http://127.0.0.1:${port}` }, "network_error"],
    "closed port, path prefix": [{ baseUrl: `http://127.0.0.1:${port}/proxy` }, "network_error"],
    "closed port, a fetch that shows the URL": [{ baseUrl: `http://127.0.0.1:${port}`, fetch: chatty }, "network_error"],
    "no answer": [{ baseUrl: silent.url, timeoutMs: 300 }, "timeout"],
  };
  const problems = [];
  for (const [name, [options, code]] of Object.entries(cases)) {
    const gist = new GistClient({ apiKey: "k", maxRetries: 0, ...options });
    for (const call of [() => gist.fetchUser({ email: "ada@example.com" }), () => gist.deleteLead({ email: "ada@example.com" })]) {
      const result = await outcome(call);
      if (label(result) !== `rejects ${code}`) problems.push(`${name}: ${label(result)}`);
      else problems.push(...leaks(result.error, [EMAIL]).map((leak) => `${name}: ${leak}`));
    }
  }
  assert.deepEqual(problems, []);
});

test("7: errors of a path or query that holds an email do not show it", async (t) => {
  const server = await startServer((req, res) => {
    if (req.url.startsWith("/redirect")) {
      res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" });
      return res.end();
    }
    json(res, 404, { errors: [{ code: "not_found", message: "Contact not found" }] });
  });
  const port = await closedPort();
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const redirecting = new GistClient({ apiKey: "k", baseUrl: `${server.url}/redirect`, maxRetries: 0 });
  const down = new GistClient({ apiKey: "k", baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
  const problems = [];
  const check = async (name, call, codes) => {
    const result = await outcome(call);
    if (!codes.includes(label(result))) problems.push(`${name}: ${label(result)}`);
    if (result.kind === "rejected") problems.push(...leaks(result.error, [EMAIL]).map((leak) => `${name}: ${leak}`));
  };
  for (const url of ["/contacts/ada@example.com", "/contacts/ada%40example.com", "/contacts/ada%2540example.com"]) {
    // apiCall resolves for every status; were it to reject, the error must not show the email.
    await check(`apiCall ${url} answered 404`, () => gist.apiCall({ url }), ["resolves", "rejects not_found"]);
    await check(`apiCall ${url} answered 302`, () => redirecting.apiCall({ url }), ["rejects invalid_response"]);
    await check(`apiCall ${url} to a closed port`, () => down.apiCall({ url }), ["rejects network_error"]);
  }
  await check("apiCall with an email in its query, 404", () => gist.apiCall({ url: "/contacts?email=ada@example.com" }), ["resolves", "rejects not_found"]);
  await check("fetchUser by email, 404", () => gist.fetchUser({ email: "ada@example.com" }), ["rejects not_found"]);
  await check("deleteUser by email, 404", () => gist.deleteUser({ email: "ada@example.com" }), ["rejects not_found"]);
  await check("fetchUser by email, 302", () => redirecting.fetchUser({ email: "ada@example.com" }), ["rejects invalid_response"]);
  assert.deepEqual(problems, []);
});

test("7: an email echoed by the server is not in the error", async (t) => {
  const server = await startServer((req, res) => json(res, 422,
    { errors: [{ code: "ada@example.com", message: "email ada%40example.com (ADA%40EXAMPLE.COM, ada@example.com) is invalid" }] },
    { "x-request-id": "ada@example.com" }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const problems = [];
  for (const [name, call] of Object.entries({
    fetchUser: () => gist.fetchUser({ email: "ada@example.com" }),
    createUser: () => gist.createUser({ user_id: 1, email: "ada@example.com" }),
    createLead: () => gist.createLead({ email: "ada@example.com" }),
  })) {
    const result = await outcome(call);
    if (label(result) !== "rejects invalid_request") problems.push(`${name}: ${label(result)}`);
    else problems.push(...leaks(result.error, [EMAIL]).map((leak) => `${name}: ${leak}`));
  }
  assert.deepEqual(problems, []);
});

test("7: an echoed email whose local part holds ! # $ * ^ { | } or is quoted is not in the error, in part either", async (t) => {
  const odd = ["a!b#c@x.io", "{d|e}@x.io", "f$g*h^i@x.io", '"ada lovelace"@x.io'];
  const server = await startServer((req, res) => json(res, 422, { errors: [{ code: "taken", message: `taken: ${odd.join(", ")}` }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "key-odd-emails", baseUrl: server.url, maxRetries: 0 });
  const error = await gist.createLead({ email: "lead@example.com" }).catch((thrown) => thrown);
  assert.equal(error.code, "invalid_request");
  for (const part of ["a!b", "c@", "{d|e}", "d|e", "f$g", "h^i", "ada", "lovelace"]) assert.ok(!error.message.includes(part), `${part} in: ${error.message}`);
  assert.match(error.message, /taken: \[email\], \[email\], \[email\], \[email\]/);
});

test("7: an echoed email whose local part holds = / ? & ` or that is written with HTML escapes is not in the error or a log line, in part either", async (t) => {
  const odd = ["a=b@x.io", "bounces+ada=example.org@lists.example", "c/d@x.io", "e?f@x.io", "g&h@x.io", "i`j@x.io",
    "kay&#64;x.io", "lee&#x40;x.io", "max&commat;x.io", "o&#x27;brien@x.io"];
  const body = { errors: [{ code: "taken", message: `taken: ${odd.join(", ")}; see /contacts?email=zed%40x.io&page=2` }] };
  const server = await startServer((req, res) => json(res, 422, body));
  t.after(() => server.close());
  const { lines, logger } = recorders();
  const gist = new GistClient({ apiKey: "key-odd-emails", baseUrl: server.url, maxRetries: 0, logger, logLevel: "debug", logBodies: true });
  const error = await gist.createLead({ email: "lead@example.com" }).catch((thrown) => thrown);
  assert.equal(error.code, "invalid_request");
  const shown = `taken: ${odd.map(() => "[email]").join(", ")}; see /contacts?email=[email]&page=2`;
  assert.ok(error.message.includes(shown), error.message);
  assert.equal(error.errors[0].message, shown);
  const logged = lines.find((line) => line.includes("answered:"));
  assert.ok(logged?.includes(shown), logged);
  for (const text of [error.message, JSON.stringify(error.errors), logged]) {
    for (const part of ["a=", "b@", "bounces", "ada", "c/d", "e?f", "g&h", "i`j", "kay", "lee", "max", "brien", "x.io", "zed", "&#"]) {
      assert.ok(!text.includes(part), `${part} in: ${text}`);
    }
  }
});

test("7: an email in a JSON document quoted in an error's message (its @ escaped twice, \\\\u0040) is not in the error, in part either", async (t) => {
  const quoted = JSON.stringify({ email: "ada.lovelace\\u0040example.com" }); // {"email":"ada.lovelace\\u0040example.com"}
  const server = await startServer((req, res) => json(res, 400, { errors: [{ code: "bad", message: `bad payload ${quoted}` }] }));
  t.after(() => server.close());
  const { lines, logger } = recorders();
  const gist = new GistClient({ apiKey: "key-quoted", baseUrl: server.url, maxRetries: 0, logger, logLevel: "debug", logBodies: true });
  const error = await gist.createLead({ email: "lead@example.com" }).catch((thrown) => thrown);
  assert.equal(error.code, "invalid_request");
  assert.equal(error.errors[0].message, 'bad payload {"email":"[email]"}');
  for (const text of [error.message, JSON.stringify(error.errors), ...lines]) {
    for (const part of ["ada", "lovelace", "example.com"]) assert.ok(!text.includes(part), `${part} in: ${text}`);
  }
});

test("7: an email the scrubber could not hide whole however it is echoed (white space, quotes, a comment, brackets in its local part) is refused unsent, in a ref, a contact's fields or a tag's target; others go", async (t) => {
  // Echoed by Gist (`Email john smith@example.com is invalid`), such an address would show its first part.
  const server = await startServer((req, res) => json(res, 422, { errors: [{ code: "invalid", message: `Email ${decodeURIComponent(req.url)} is invalid` }] }));
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const calls = (email) => ({
    fetchUser: () => gist.fetchUser({ email }),
    createLead: () => gist.createLead({ email }),
    tagContacts: () => gist.tagContacts({ tag: "VIP", targets: [{ email }] }),
  });
  const seen = {};
  for (const email of ["john smith@example.com", "john.smith(work)@example.com", "ada<x>@example.com", "ada@example.com bob@example.com", '"john smith"@example.com', '"john(b)"@example.com']) {
    for (const [name, call] of Object.entries(calls(email))) {
      const result = await outcome(call);
      seen[`${name} ${email}`] = [label(result), leaks(result.error, ["john", "smith", "ada", "bob"]).length];
    }
  }
  const refused = Object.fromEntries(Object.keys(seen).map((key) => [key, ["rejects invalid_argument", 0]]));
  assert.deepEqual({ seen, sent: server.requests.length }, { seen: refused, sent: 0 });
  for (const email of ["o'brien@example.com", " ada@example.com ", "a+b@example.com", "\u00ebl\u00efse@ex\u00e4mple.com", "a/b=c?d&e@example.com"]) {
    const result = await outcome(() => gist.fetchUser({ email }));
    assert.equal(label(result), "rejects invalid_request", email);
    assert.deepEqual(leaks(result.error, [email.trim(), "brien", "ada", "\u00ebl\u00efse", "a/b=c"]), [], email);
  }
  assert.equal(server.requests.length, 5);
});

test("7: refused input named like an email does not show it and sends nothing", async (t) => {
  const server = await startServer(gistLike);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const problems = [];
  for (const [name, user] of Object.entries({
    "unknown field": { user_id: 1, "ada@example.com": 1 },
    "custom property": { user_id: 1, custom_properties: { "ada@example.com": {} } },
  })) {
    const result = await outcome(() => gist.createUser(user));
    if (label(result) !== "rejects invalid_argument") problems.push(`${name}: ${label(result)}`);
    else problems.push(...leaks(result.error, [EMAIL]).map((leak) => `${name}: ${leak}`));
  }
  assert.deepEqual({ problems, received: server.requests.map((r) => r.body) }, { problems: [], received: [] });
});

// ---------------------------------------------------------------------------------------------------
// 8. Numbers.

/** Answers createUser with the received body itself as the contact (raw text: no re-serialisation). */
function echoContact(req, res, body) {
  const text = body.toString("utf8");
  json(res, 200, `{"contact":{"id":1,"type":"user",${text.slice(1)}}`);
}

test("8: a float in custom_properties goes on the wire exactly as JSON.stringify writes it", async (t) => {
  const server = await startServer(echoContact);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const user = await gist.createUser({ user_id: 1, email: "n@example.com", custom_properties: { score: 1.2604972236163259 } });
  assert.match(server.requests[0].body, /"score":1\.2604972236163259[,}]/);
  assert.equal(user.custom_properties.score, 1.2604972236163259);
  assert.equal(parseWebhook('{"amount":5e-32}').payload.amount, 5e-32);
});

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return (x ^ (x >>> 14)) >>> 0;
  };
}

/** `count` finite doubles made from random bits (every exponent, subnormals too). */
function randomDoubles(count, seed) {
  const next = mulberry32(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  while (out.length < count) {
    view.setUint32(0, next());
    view.setUint32(4, next());
    const d = view.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
  }
  return out;
}

test("8: 1000 random doubles survive createUser and parseWebhook exactly", async (t) => {
  const server = await startServer(echoContact);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const doubles = randomDoubles(1000, 20240608);
  const wire = [];
  const answered = [];
  const webhook = [];
  for (let start = 0; start < doubles.length; start += 100) {
    const properties = {};
    for (let i = start; i < start + 100; i++) properties[`d${i}`] = doubles[i];
    const user = await gist.createUser({ user_id: start + 1, custom_properties: properties });
    const received = JSON.parse(server.requests.at(-1).body).custom_properties;
    for (let i = start; i < start + 100; i++) {
      const expected = JSON.parse(JSON.stringify(doubles[i])); // -0 is written 0
      if (!Object.is(received[`d${i}`], expected)) wire.push(`${JSON.stringify(doubles[i])} arrived as ${received[`d${i}`]}`);
      if (!Object.is(user.custom_properties[`d${i}`], expected)) answered.push(`${JSON.stringify(doubles[i])} came back as ${user.custom_properties[`d${i}`]}`);
    }
  }
  for (const d of doubles) {
    const text = JSON.stringify({ x: d });
    const got = parseWebhook(text).payload.x;
    if (!Object.is(got, JSON.parse(text).x)) webhook.push(`${text} parsed as ${got}`);
  }
  assert.deepEqual({ wire: wire.slice(0, 5), answered: answered.slice(0, 5), webhook: webhook.slice(0, 5) }, { wire: [], answered: [], webhook: [] },
    `${wire.length} wrong on the wire, ${answered.length} in answers, ${webhook.length} in parseWebhook`);
});

// ---------------------------------------------------------------------------------------------------
// 9. Ids.

test("9: bad ids of deleteTag, updateTag, fetchSegment and fetchCampaign reject invalid_argument and send nothing", async (t) => {
  const server = await startServer(gistLike);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const ids = {
    null: () => null, undefined: () => undefined, '""': () => "", '"0x2"': () => "0x2", '"7"': () => "7", "[7]": () => [7],
    true: () => true, "new Date(5)": () => new Date(5), "1n": () => 1n, "1.5": () => 1.5, "-1": () => -1, 0: () => 0,
    NaN: () => NaN, Infinity: () => Infinity,
  };
  const methods = {
    deleteTag: (id) => gist.deleteTag(id),
    updateTag: (id) => gist.updateTag(id, "name"),
    fetchSegment: (id) => gist.fetchSegment(id),
    fetchCampaign: (id) => gist.fetchCampaign(id),
  };
  const seen = {};
  const expected = {};
  for (const [method, call] of Object.entries(methods)) {
    for (const [name, id] of Object.entries(ids)) {
      seen[`${method}(${name})`] = label(await outcome(() => call(id())));
      expected[`${method}(${name})`] = "rejects invalid_argument";
    }
  }
  assert.deepEqual({ seen, received: server.requests.map((r) => `${r.method} ${r.url}`) }, { seen: expected, received: [] });
  // A good id still works.
  assert.equal((await gist.fetchSegment(3)).id, 3);
});

// ---------------------------------------------------------------------------------------------------
// 10. Throwing getters, and a freed client.

const throwingHeaders = () => ({ get x() { throw new Error("getter"); } });

test("10: verifyWebhook and parseWebhook with throwing header getters refuse, without leaking wasm memory", async () => {
  const body = JSON.stringify({ topic: "t", pad: "p".repeat(100_000) });
  const verifyThrowing = () => verifyWebhook({ body, headers: throwingHeaders() }, { secret: "s" });
  assert.deepEqual({
    "verifyWebhook, headers getter": label(await outcome(verifyThrowing)),
    "verifyWebhook, body getter": label(await outcome(() => verifyWebhook({ get body() { throw new Error("x"); }, headers: {} }, { secret: "s" }))),
    "verifyWebhook, secret getter": label(await outcome(() => verifyWebhook({ body, headers: {} }, { get secret() { throw new Error("x"); } }))),
    "parseWebhook, headers getter": thrown(() => parseWebhook(body, throwingHeaders())),
  }, {
    "verifyWebhook, headers getter": "rejects invalid_argument",
    "verifyWebhook, body getter": "rejects invalid_argument",
    "verifyWebhook, secret getter": "rejects invalid_argument",
    "parseWebhook, headers getter": "throws invalid_argument",
  });
  // Memory: warm the allocator up, then 500 more calls.
  for (let i = 0; i < 20; i++) await outcome(verifyThrowing);
  const before = wasmBytes();
  for (let i = 0; i < 500; i++) await outcome(verifyThrowing);
  for (let i = 0; i < 500; i++) thrown(() => parseWebhook(body, throwingHeaders()));
  const grown = wasmBytes() - before;
  assert.ok(grown < 2 * MB, `wasm memory grew by ${(grown / MB).toFixed(1)} MB over 1000 refused calls`);
  // And a plain call still works.
  assert.equal(await verifyWebhook({ body, headers: { "x-gist-webhook-token": "s" } }, { secret: "s" }), true);
});

test("10: a signal whose getters throw is invalid_argument, and the client keeps working", async (t) => {
  const server = await startServer(gistLike);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  const fake = { get aborted() { throw new Error("x"); }, addEventListener() {}, removeEventListener() {} };
  const real = new AbortController().signal;
  Object.defineProperty(real, "aborted", { get() { throw new Error("x"); } });
  const seen = {
    "a fake signal": label(await outcome(() => gist.fetchUser({ id: 1 }, { signal: fake }))),
    "an AbortSignal whose aborted throws": label(await outcome(() => gist.fetchUser({ id: 1 }, { signal: real }))),
    "throwing options": label(await outcome(() => gist.fetchUser({ id: 1 }, { get signal() { throw new Error("x"); } }))),
    "unknown option": label(await outcome(() => gist.fetchUser({ id: 1 }, { signl: new AbortController().signal }))),
    "not a signal": label(await outcome(() => gist.fetchUser({ id: 1 }, { signal: {} }))),
  };
  assert.deepEqual({ seen, received: server.requests.length }, {
    seen: Object.fromEntries(Object.keys(seen).map((k) => [k, "rejects invalid_argument"])), received: 0,
  });
  assert.equal((await gist.fetchUser({ id: 1 })).id, 1);
  assert.equal(thrown(() => gist.free()), "returns");
});

test("10: a freed client refuses every call with invalid_argument, and free() twice is harmless", async (t) => {
  const server = await startServer(gistLike);
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  gist.free();
  const fetched = await outcome(() => gist.fetchUser({ id: 1 }));
  assert.equal(label(fetched), "rejects invalid_argument");
  assert.match(fetched.error.message, /freed/i);
  const seen = {
    listUsers: label(await outcome(() => gist.listUsers())),
    apiCall: label(await outcome(() => gist.apiCall({ url: "/contacts" }))),
    createTag: label(await outcome(() => gist.createTag("T"))),
    iterUsers: thrown(() => gist.iterUsers()),
    iterTags: thrown(() => gist.iterTags()),
    "free again": thrown(() => gist.free()),
  };
  assert.deepEqual({ seen, received: server.requests.length }, {
    seen: {
      listUsers: "rejects invalid_argument", apiCall: "rejects invalid_argument", createTag: "rejects invalid_argument",
      iterUsers: "throws invalid_argument", iterTags: "throws invalid_argument", "free again": "returns",
    },
    received: 0,
  });
});

test("10: [Symbol.dispose]() (what `using` calls) frees the client as free() does", async () => {
  assert.equal(typeof Symbol.dispose, "symbol", "Node 20 has Symbol.dispose");
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", maxRetries: 0 });
  assert.equal(thrown(() => gist[Symbol.dispose]()), "returns");
  const fetched = await outcome(() => gist.fetchUser({ id: 1 }));
  assert.equal(label(fetched), "rejects invalid_argument");
  assert.match(fetched.error.message, /freed/i);
  assert.equal(thrown(() => gist.free()), "returns");
});

// ---------------------------------------------------------------------------------------------------
// 11. timeoutMs bounds.

test("11: timeoutMs above 2**31-1 is invalid_argument, 2**31-1 is accepted", async (t) => {
  const server = await startServer(gistLike);
  t.after(() => server.close());
  assert.equal(thrown(() => new GistClient({ apiKey: "k", baseUrl: server.url, timeoutMs: 2 ** 31 })), "throws invalid_argument");
  const gist = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0 });
  assert.equal(label(await outcome(() => gist.fetchUser({ id: 1 }, { timeoutMs: 2 ** 31 }))), "rejects invalid_argument");
  assert.equal(server.requests.length, 0, "the refused call sent nothing");
  const max = new GistClient({ apiKey: "k", baseUrl: server.url, maxRetries: 0, timeoutMs: 2 ** 31 - 1 });
  assert.equal((await max.fetchUser({ id: 1 })).id, 1);
  assert.equal((await gist.fetchUser({ id: 1 }, { timeoutMs: 2 ** 31 - 1 })).id, 1);
});

// ---------------------------------------------------------------------------------------------------
// 12. Redirects.

test("12: redirects are refused as invalid_response and never followed", async (t) => {
  const target = await startServer(gistLike);
  let status;
  const server = await startServer((req, res) => {
    res.writeHead(status, { location: `${target.url}/stolen${req.url}` });
    res.end();
  });
  t.after(() => Promise.all([server.close(), target.close()]));
  const gist = new GistClient({ apiKey: "sk_live_redirect", baseUrl: server.url });
  const calls = {
    createLead: () => gist.createLead({ email: "lead@example.com", name: "Lead" }),
    fetchUser: () => gist.fetchUser({ id: 1 }),
    apiCall: () => gist.apiCall({ url: "/contacts/1" }),
    "apiCall POST": () => gist.apiCall({ url: "/contacts", method: "POST", body: { email: "lead@example.com" } }),
  };
  const plan = [["createLead", 307], ["createLead", 308], ["fetchUser", 301], ["fetchUser", 302], ["fetchUser", 303],
    ["apiCall", 302], ["apiCall POST", 307]];
  const seen = {};
  for (const [name, code] of plan) {
    status = code;
    const sentBefore = server.requests.length;
    const result = await outcome(calls[name]);
    seen[`${name} ${code}`] = {
      outcome: label(result),
      saysRedirect: /redirect/i.test(result.error?.message),
      status: result.error?.status === undefined || result.error.status === code ? "3xx or unknown" : result.error.status,
      requests: server.requests.length - sentBefore,
    };
  }
  const expected = { outcome: "rejects invalid_response", saysRedirect: true, status: "3xx or unknown", requests: 1 };
  assert.deepEqual(
    { seen, targetReceived: target.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization ?? ""} ${r.body}`) },
    { seen: Object.fromEntries(plan.map(([name, code]) => [`${name} ${code}`, expected])), targetReceived: [] },
  );
});

// ---------------------------------------------------------------------------------------------------
// 14. HMAC over the raw body bytes.

test("14: HMAC-signed bodies with a BOM or bytes 0xff 0xfe verify on their raw bytes", async () => {
  const secret = "whsec_raw_bytes";
  const plain = Buffer.from(WEBHOOK_BODY);
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
  const invalid = Buffer.concat([Buffer.from('{"topic":"t","s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  const options = { verify: { secret, scheme: "hmac-sha256" } };
  const deliver = (bytes) => new Request("http://127.0.0.1/webhooks", {
    method: "POST",
    body: bytes,
    headers: { "content-type": "application/json", "x-gist-signature": `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}` },
  });
  const signature = (bytes) => ({ "x-gist-signature": `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}` });

  const withBom = await outcome(() => handleWebhook(deliver(bom), options));
  const withFF = await outcome(() => handleWebhook(deliver(invalid), options));
  const tampered = await outcome(() => handleWebhook(new Request("http://127.0.0.1/webhooks", { method: "POST", body: plain, headers: signature(bom) }), options));
  const verified = async (bytes) => {
    const result = await outcome(() => verifyWebhook({ body: new Uint8Array(bytes), headers: signature(bytes) }, options.verify));
    return result.kind === "resolved" ? `resolves ${result.value}` : label(result);
  };
  assert.deepEqual({
    "handleWebhook, BOM": [label(withBom), withBom.kind === "resolved" && isDeepStrictEqual(withBom.value.payload, JSON.parse(WEBHOOK_BODY))],
    // The 0xff 0xfe body may parse (with U+FFFD) or be refused as a body, but it verifies: never 401.
    "handleWebhook, 0xff 0xfe": withFF.kind === "resolved" ? "resolves" : `${label(withFF)} ${withFF.error?.status}`,
    "verifyWebhook bytes, BOM": await verified(bom),
    "verifyWebhook bytes, 0xff 0xfe": await verified(invalid),
    "handleWebhook, tampered": `${label(tampered)} ${tampered.error?.status}`,
  }, {
    "handleWebhook, BOM": ["resolves", true],
    "handleWebhook, 0xff 0xfe": withFF.kind === "rejected" && withFF.error?.status !== 401 && withFF.error?.code === "invalid_webhook"
      ? `rejects invalid_webhook ${withFF.error.status}` : "resolves",
    "verifyWebhook bytes, BOM": "resolves true",
    "verifyWebhook bytes, 0xff 0xfe": "resolves true",
    "handleWebhook, tampered": "rejects invalid_webhook 401",
  });
});

// ---------------------------------------------------------------------------------------------------
// 15. parseWebhook is JSON.parse.

test("15: parseWebhook gives exactly JSON.parse for 1e400, deep nesting and lone surrogates, and reads a half emoji", () => {
  const texts = {
    "1e400": '{"a":1e400}',
    "1000 deep": '{"a":'.repeat(1000) + "1" + "}".repeat(1000),
    "escaped lone surrogate": '{"s":"\\ud800"}',
    "raw lone surrogate": '{"s":"\ud800"}',
    "5e-32": '{"amount":5e-32}',
  };
  const seen = {};
  for (const [name, text] of Object.entries(texts)) {
    try {
      seen[name] = isDeepStrictEqual(parseWebhook(text).payload, JSON.parse(text)) ? "same as JSON.parse" : "differs from JSON.parse";
    } catch (error) {
      seen[name] = `throws ${errorLabel(error)}`;
    }
  }
  assert.deepEqual(seen, Object.fromEntries(Object.keys(texts).map((k) => [k, "same as JSON.parse"])));
  assert.equal(parseWebhook(texts["1e400"]).payload.a, Infinity);
  assert.equal(parseWebhook(texts["escaped lone surrogate"]).payload.s, "\ud800");
  // Half an emoji in a contact's name reads as U+FFFD, whoever reads it: JS alone, or the core (for a
  // numeric user_id, or an id past 2^53), which refused the escape and so lost the event's kind and topic.
  for (const extra of ['"user_id":42', '"user_id":"42"', '"user_id":"42","big":9007199254740993']) {
    const event = parseWebhook(`{"topic":"contact.tagged","contact":{"id":1,${extra},"name":"Ann \\ud83d"}}`);
    assert.deepEqual([event.kind, event.topic, event.contact?.name, event.payload.contact.name], ["contact", "contact.tagged", "Ann \ufffd", "Ann \ud83d"], extra);
  }
});

// ---------------------------------------------------------------------------------------------------
// 16. The browser guard.

test("16: in a browser, every spelling of Gist's host needs dangerouslyAllowBrowser", () => {
  const had = { window: Object.getOwnPropertyDescriptor(globalThis, "window"), document: Object.getOwnPropertyDescriptor(globalThis, "document") };
  globalThis.window = globalThis;
  globalThis.document = {};
  try {
    const hosts = ["https://api.getgist.com", "https://API.getgist.com", "https://api.getgist.com.", "https://api.getgist.com:443",
      "http://api.getgist.com", "https://api.getgist.com/v1", "https://getgist.com", "https://eu.api.getgist.com:8443/x"];
    const seen = {};
    for (const baseUrl of hosts) {
      seen[baseUrl] = [
        thrown(() => new GistClient({ apiKey: "k", baseUrl })),
        thrown(() => new GistClient({ apiKey: "k", baseUrl, dangerouslyAllowBrowser: true })),
      ];
    }
    seen.default = [thrown(() => new GistClient({ apiKey: "k" })), thrown(() => new GistClient({ apiKey: "k", dangerouslyAllowBrowser: true }))];
    seen["http://127.0.0.1:1"] = [thrown(() => new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1" })), "returns"];
    seen["https://notgetgist.com"] = [thrown(() => new GistClient({ apiKey: "k", baseUrl: "https://notgetgist.com" })), "returns"];
    // A host a URL parser unescapes or maps to Gist's is refused with the opt-in too: it is not compared.
    const escaped = ["https://api%2Egetgist.com", "https://api.ge%74gist.com", "https://api.getgist\uff0ecom", "https://api.getgist\u3002com"];
    for (const baseUrl of escaped) {
      assert.equal(new URL(baseUrl).hostname, "api.getgist.com", baseUrl);
      seen[baseUrl] = [thrown(() => new GistClient({ apiKey: "k", baseUrl })), thrown(() => new GistClient({ apiKey: "k", baseUrl, dangerouslyAllowBrowser: true }))];
    }
    assert.deepEqual(seen, Object.fromEntries(Object.keys(seen).map((k) => [k,
      k.includes("127.0.0.1") || k.includes("notgetgist") ? ["returns", "returns"]
        : escaped.includes(k) ? ["throws invalid_argument", "throws invalid_argument"] : ["throws invalid_argument", "returns"]])));
  } finally {
    for (const [name, descriptor] of Object.entries(had)) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete globalThis[name];
    }
  }
  assert.equal(typeof globalThis.document, "undefined");
  assert.doesNotThrow(() => new GistClient({ apiKey: "k" }), "outside a browser Gist's host needs no opt-in");
});

// ---------------------------------------------------------------------------------------------------
// 17. Iterators and tagContacts.

test("17: concurrent next() calls on one iterator get distinct items, and done only at the end", async () => {
  const seen = {};
  const expected = {};
  for (const perPage of [60, 2]) {
    const mock = createMockGist();
    const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage });
    const it = gist.iterTags()[Symbol.asyncIterator]();
    const [a, b] = await Promise.all([it.next(), it.next()]);
    const ids = [a, b].filter((step) => !step.done).map((step) => step.value.id);
    let doneTooEarly = false;
    for (let round = 0; round < 20; round++) {
      const [c, d] = await Promise.all([it.next(), it.next()]);
      if (c.done && !d.done) doneTooEarly = true;
      for (const step of [c, d]) if (!step.done) ids.push(step.value.id);
      if (c.done || d.done) break;
    }
    seen[`perPage ${perPage}`] = {
      firstTwoDone: [a.done, b.done],
      firstTwoDistinct: !a.done && !b.done && a.value.id !== b.value.id,
      doneTooEarly,
      everyTagOnce: isDeepStrictEqual(ids.slice().sort((x, y) => x - y), mock.state.tags.map((tag) => tag.id).sort((x, y) => x - y)),
    };
    expected[`perPage ${perPage}`] = { firstTwoDone: [false, false], firstTwoDistinct: true, doneTooEarly: false, everyTagOnce: true };
  }
  assert.deepEqual(seen, expected);
});

test("17: tagContacts with only malformed targets rejects invalid_argument and sends nothing", async () => {
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, maxRetries: 0 });
  const seen = {};
  for (const [name, request] of Object.entries({
    "users: [{}, { id: 'x' }]": { tag: "T", users: [{}, { id: "x" }] },
    "users: [{ nope: 1 }], leads: [{}]": { tag: "T", users: [{ nope: 1 }], leads: [{}] },
  })) {
    seen[name] = label(await outcome(() => gist.tagContacts(request)));
  }
  assert.deepEqual({ seen, received: mock.requests.map((r) => `${r.method} ${r.path}${r.query}`) }, {
    seen: { "users: [{}, { id: 'x' }]": "rejects invalid_argument", "users: [{ nope: 1 }], leads: [{}]": "rejects invalid_argument" },
    received: [],
  });
});

test("the constructor's refusal of a field, an option or a hook named by the key holds no key (an outside review: named it raw)", () => {
  const key = "gk_Live_9fQ2xYz7AbC4dEf8GhJ1";
  for (const options of [{ apiKey: key, [key]: 1 }, { apiKey: key, hooks: { [key]: () => {} } }, { apiKey: key, [encodeURIComponent(key) + "%"]: 1 }]) {
    let thrown;
    try {
      new GistClient(options);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof GistError && thrown.code === "invalid_argument", String(thrown));
    for (const text of [thrown.message, thrown.stack, JSON.stringify(thrown)]) assert.ok(!text.includes(key.slice(4, 20)), text);
    assert.match(thrown.message, /\[redacted\]/);
  }
});

test("a long key that names a field is scrubbed before the refusal is cut: none of it shows (an outside review: 970 characters of a 1,008-character key did)", async () => {
  const key = `gk_live_${"Ab3dE9".repeat(167)}`;
  const gist = new GistClient({ apiKey: key, baseUrl: "http://gist.invalid", fetch: async () => new Response("{}"), logLevel: "off" });
  const refusals = [
    (() => {
      try {
        new GistClient({ apiKey: key, [key]: 1 });
      } catch (error) {
        return error;
      }
    })(),
    await gist.fetchUser({ id: 1 }, { [key]: 1 }).catch((error) => error),
    await gist.fetchUser({ id: 1, [key]: 1 }).catch((error) => error),
  ];
  for (const error of refusals) {
    assert.ok(error instanceof GistError && error.code === "invalid_argument", String(error));
    assert.ok(!error.message.includes(key.slice(8, 40)), error.message.slice(0, 120));
  }
});
