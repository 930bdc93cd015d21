// `gist-wasm check` (the shipped conformance run) against the mock and against a contrary fake, over
// loopback HTTP: the facts each reports, that it leaves nothing behind (also when interrupted), that a
// refused key stops it before any write, and that the client works against both through its options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GistClient } from "gist-wasm";
import { serveMock } from "gist-wasm/mock/server";
import { CONTRARY_FACTS, CONTRARY_KEY, serveContrary } from "./contrary-gist.mjs";
import { startServer } from "./loopback.mjs";

const PKG = dirname(fileURLToPath(import.meta.resolve("gist-wasm/package.json")));
const RECORDED = fileURLToPath(new URL("../fixtures/gist-recorded/", import.meta.url));
const DOC = fileURLToPath(new URL("../../docs/gist-api.md", import.meta.url));
const PREFIX = "gist-wasm-check-";
/** The facts no loopback server can show (docs/gist-api.md says why). */
const NEVER_SHOWN = ["contacts.list.segment_id", "contacts.list.status"];

/** Runs the package's `check` command; resolves `{ code, stdout, stderr, child }` when it exits. */
function runCheck(baseUrl, key, args = [], { onStart } = {}) {
  const child = spawn(process.execPath, [join(PKG, "check.js"), "check", "--base-url", baseUrl, ...args], {
    env: { ...process.env, GIST_API_KEY: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  onStart?.(child);
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** The request count the run printed before it started: it may send no more. */
function assertWithinPrinted(run, report) {
  const [, reads, writes] = run.stdout.match(/at most (\d+) reads, then at most (\d+) requests/);
  assert.ok(report.requests <= Number(reads) + Number(writes), `${report.requests} > ${reads} + ${writes}`);
}

const outcomes = (report, outcome) => report.facts.filter((f) => f.outcome === outcome).map((f) => f.id).sort();
const ours = (contacts) => contacts.filter((c) => String(c.email ?? "").startsWith(PREFIX) || String(c.name ?? "").startsWith(PREFIX));

/** Every field path of a recorded shape that `actual` lacks (arrays compared by their first item). */
function missingFields(recorded, actual, path = "") {
  if (Array.isArray(recorded)) {
    return recorded.length && Array.isArray(actual) && actual.length ? missingFields(recorded[0], actual[0], `${path}[]`) : [];
  }
  if (recorded === null || typeof recorded !== "object") return [];
  if (actual === null || typeof actual !== "object") return [path || "(body)"];
  return Object.keys(recorded).flatMap((key) =>
    key in actual ? missingFields(recorded[key], actual[key], `${path}.${key}`) : [`${path}.${key}`]);
}

function fixtures(dir) {
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => [f, JSON.parse(readFileSync(join(dir, f), "utf8"))]));
}

test("check against the mock: every fact confirmed but the two no server can show, nothing left behind, no key or email in the report", async () => {
  const server = await serveMock({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const run = await runCheck(server.url, "mock-key", ["--yes", "--rate", "500", "--out", join(dir, "report.json"), "--record", join(dir, "rec")]);
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(join(dir, "report.json"), "utf8");
    const report = JSON.parse(text);
    assert.deepEqual(outcomes(report, "contradicted"), []);
    assert.deepEqual(outcomes(report, "not shown"), NEVER_SHOWN);
    const documented = [...readFileSync(DOC, "utf8").matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(report.facts.map((f) => f.id).sort(), documented.sort());
    assert.ok(documented.length >= 40);
    assert.doesNotMatch(text, /mock-key|@example\.com/);
    assertWithinPrinted(run, report);
    assert.deepEqual(ours(server.mock.state.contacts), []);
    assert.deepEqual(server.mock.state.tags.filter((t) => t.name.startsWith(PREFIX)), []);
    const recorded = readdirSync(join(dir, "rec"));
    assert.ok(recorded.length >= 20, recorded.join(" "));
    assert.doesNotMatch(recorded.map((f) => readFileSync(join(dir, "rec", f), "utf8")).join(""), /@|mock-key|gist-wasm-check/);
  } finally {
    await server.close();
  }
});

test("check against a small account (the mock with 10 contacts): the page sizes not shown, nothing contradicted", async () => {
  const server = await serveMock({ port: 0, contacts: 10 });
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const run = await runCheck(server.url, "mock-key", ["--yes", "--rate", "500", "--out", join(dir, "report.json")]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    assert.deepEqual(outcomes(report, "contradicted"), []);
    assert.deepEqual(outcomes(report, "not shown"), [...NEVER_SHOWN, "paging.default_per_page", "paging.max_per_page"].sort());
  } finally {
    await server.close();
  }
});

test("check against the contrary fake: contradicted are exactly the facts the fake changed, nothing left behind", async () => {
  const fake = await serveContrary();
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const run = await runCheck(fake.url, CONTRARY_KEY, ["--yes", "--rate", "500", "--out", join(dir, "report.json")]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    assert.deepEqual(outcomes(report, "contradicted"), Object.keys(CONTRARY_FACTS).sort());
    assert.deepEqual(outcomes(report, "not shown"), NEVER_SHOWN);
    assertWithinPrinted(run, report);
    assert.match(report.facts.find((f) => f.id === "paging.max_per_page").seen, /capped at 50/);
    assert.match(report.facts.find((f) => f.id === "paging.max_per_page").advice, /perPage/);
    // What to do about each: every contradicted fact comes with its advice.
    assert.deepEqual(report.facts.filter((f) => f.outcome === "contradicted" && !f.advice).map((f) => f.id), []);
    assert.match(run.stdout, /contradicted +contacts\.miss\.status +status 422/);
    assert.deepEqual(ours(fake.state.contacts), []);
    assert.deepEqual(fake.state.tags.map((t) => t.name), ["existing"]);
  } finally {
    await fake.close();
  }
});

test("the client works against the contrary fake through its documented options (perPage for a cap of 50)", async () => {
  const fake = await serveContrary();
  const gist = new GistClient({ apiKey: CONTRARY_KEY, baseUrl: fake.url, perPage: 50 });
  const unset = new GistClient({ apiKey: CONTRARY_KEY, baseUrl: fake.url });
  try {
    const users = fake.state.contacts.filter((c) => c.type === "user").length;
    assert.equal((await gist.listUsers({ limit: 10000 })).length, users);
    // Why the docs say to set perPage: a capped page is shorter than 60 asked, which ends a list with no `pages`.
    assert.ok((await unset.listUsers({ limit: 10000 })).length < users);
    const { data, response } = await gist.fetchUser({ email: "person2@example.org" }).withResponse();
    assert.equal(data.user_id, "802");
    assert.equal(response.rateLimit.limit, 600);
    assert.match(response.requestId, /^req-/);
    await assert.rejects(gist.fetchUser({ email: "nobody@example.org" }), { code: "not_found" });
    const event = await gist.recordEvent({ event_name: "signed.in", user: { email: "person4@example.org" } });
    assert.equal(event.name, "signed-in");
    const tagged = await gist.tagContacts({ tag: "vip", users: [{ email: "person4@example.org" }, { user_id: 806 }] });
    assert.deepEqual([tagged.tagged, tagged.failed], [2, []]);
    await gist.deleteUser({ email: "person2@example.org" });
    await assert.rejects(gist.fetchUser({ id: 70002 }), { code: "not_found" });
  } finally {
    gist.free();
    unset.free();
    await fake.close();
  }
});

test("a made-up key against a server answering 401 stops at once with a clear message and writes nothing", async () => {
  const server = await startServer((req, res) => {
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "unauthorized", message: "Invalid key" }] }));
  });
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const started = Date.now();
    const run = await runCheck(server.url, "made-up-key-123", ["--yes", "--out", join(dir, "report.json")]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Gist refused the key \(401\): check GIST_API_KEY/);
    assert.doesNotMatch(run.stdout + run.stderr + readFileSync(join(dir, "report.json"), "utf8"), /made-up-key-123/);
    assert.deepEqual(server.requests.map((r) => r.method), ["GET"]);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    assert.deepEqual(report.facts.filter((f) => f.outcome !== "not shown").map((f) => [f.id, f.outcome, f.seen]), [["auth.bearer", "contradicted", "status 401"]]);
    assert.ok(Date.now() - started < 10000, `took ${Date.now() - started} ms`);
  } finally {
    await server.close();
  }
});

test("a run interrupted (SIGINT) while its first contact is being created deletes what it created and exits 130", async () => {
  const server = await serveMock({ port: 0 });
  // The first create is answered 1.5 s late: the interrupt comes while it is under way.
  server.mock.fail({ method: "POST", path: "/contacts", delayMs: 1500 });
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const run = await runCheck(server.url, "mock-key", ["--yes", "--rate", "50", "--out", join(dir, "report.json")], {
      onStart(child) {
        const poll = setInterval(() => {
          if (server.mock.requests.some((r) => r.method === "POST" && r.path === "/contacts")) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 20);
        child.on("exit", () => clearInterval(poll));
      },
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Interrupted: deleting what this run created/);
    assert.ok(server.mock.requests.some((r) => r.method === "DELETE" && r.path.startsWith("/contacts/")));
    assert.ok(server.mock.requests.some((r) => r.method === "DELETE" && r.path.startsWith("/tags/")));
    assert.deepEqual(ours(server.mock.state.contacts), []);
    assert.deepEqual(server.mock.state.tags.filter((t) => t.name.startsWith(PREFIX)), []);
    assert.equal(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")).stopped, "interrupted");
  } finally {
    await server.close();
  }
});

test("a second SIGINT stops at once, and --cleanup then removes what that run left", async () => {
  const server = await serveMock({ port: 0 });
  // The first create is answered 5 s late; two interrupts come while it is under way.
  server.mock.fail({ method: "POST", path: "/contacts", delayMs: 5000 });
  let interruptedAt;
  try {
    const run = await runCheck(server.url, "mock-key", ["--yes", "--rate", "50", "--out", join(tmpdir(), "unused.json")], {
      onStart(child) {
        const poll = setInterval(() => {
          if (server.mock.requests.some((r) => r.method === "POST" && r.path === "/contacts")) {
            clearInterval(poll);
            interruptedAt = Date.now();
            child.kill("SIGINT");
            setTimeout(() => child.kill("SIGINT"), 200);
          }
        }, 20);
        child.on("exit", () => clearInterval(poll));
      },
    });
    assert.equal(run.code, 130);
    // It did not wait for the answer under way.
    assert.ok(Date.now() - interruptedAt < 4000, `took ${Date.now() - interruptedAt} ms`);
    assert.match(run.stderr, /run `npx gist-wasm check --cleanup`/);
    // The mock finishes the create it was answering: the run's tag and contact are left.
    while (ours(server.mock.state.contacts).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.mock.state.tags.filter((t) => t.name.startsWith(PREFIX)).length, 1);
    const cleanup = await new Promise((resolve) => {
      const child = spawn(process.execPath, [join(PKG, "check.js"), "--cleanup", "--yes", "--rate", "500", "--base-url", server.url], {
        env: { ...process.env, GIST_API_KEY: "mock-key" },
      });
      child.on("exit", resolve);
    });
    assert.equal(cleanup, 0);
    assert.deepEqual(ours(server.mock.state.contacts), []);
    assert.deepEqual(server.mock.state.tags.filter((t) => t.name.startsWith(PREFIX)), []);
  } finally {
    await server.close();
  }
});

test("without GIST_API_KEY the check sends nothing and says what to set", async () => {
  const server = await startServer();
  try {
    const run = await runCheck(server.url, "", ["--yes"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /set GIST_API_KEY to your Gist API key/);
    assert.deepEqual(server.requests, []);
  } finally {
    await server.close();
  }
});

test("without --yes and no terminal to ask in, the run reads, writes nothing and says how to allow it", async () => {
  const server = await serveMock({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    const run = await runCheck(server.url, "mock-key", ["--rate", "500", "--out", join(dir, "report.json")]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nothing written: run with --yes/);
    assert.ok(server.mock.requests.length > 0);
    assert.deepEqual([...new Set(server.mock.requests.map((r) => r.method))], ["GET"]);
  } finally {
    await server.close();
  }
});

test("--cleanup deletes earlier runs' contacts and tags by their prefix and nothing else", async () => {
  const server = await serveMock({ port: 0 });
  try {
    const gist = new GistClient({ apiKey: "mock-key", baseUrl: server.url });
    await gist.createTag("gist-wasm-check-abc123");
    await gist.createTag("gist-wasm-check-notarun!");
    await gist.createUser({ user_id: 424242, email: "gist-wasm-check-abc123-1@example.com", tags: ["gist-wasm-check-abc123"] });
    await gist.createLead({ email: "gist-wasm-check-abc123-2@example.com" });
    await gist.createLead({ email: "gist-wasm-check-other@example.com" });
    gist.free();
    const before = server.mock.state.contacts.length;
    const child = spawn(process.execPath, [join(PKG, "check.js"), "--cleanup", "--yes", "--rate", "500", "--base-url", server.url], {
      env: { ...process.env, GIST_API_KEY: "mock-key" },
    });
    const [code] = await new Promise((resolve) => child.on("exit", (...a) => resolve(a)));
    assert.equal(code, 0);
    assert.equal(server.mock.state.contacts.length, before - 2);
    assert.deepEqual(ours(server.mock.state.contacts).map((c) => c.email), ["gist-wasm-check-other@example.com"]);
    assert.deepEqual(server.mock.state.tags.filter((t) => t.name.startsWith(PREFIX)).map((t) => t.name), ["gist-wasm-check-notarun!"]);
  } finally {
    await server.close();
  }
});

test("the mock's answers have every field the recorded answers have (tests/fixtures/gist-recorded, and the contrary fake's)", async () => {
  const server = await serveMock({ port: 0 });
  const fake = await serveContrary();
  const dir = mkdtempSync(join(tmpdir(), "gist-check-"));
  try {
    await runCheck(server.url, "mock-key", ["--yes", "--rate", "500", "--out", join(dir, "m.json"), "--record", join(dir, "mock")]);
    await runCheck(fake.url, CONTRARY_KEY, ["--yes", "--rate", "500", "--out", join(dir, "c.json"), "--record", join(dir, "contrary")]);
    const mock = fixtures(join(dir, "mock"));
    const missing = (source) =>
      Object.entries(fixtures(source)).flatMap(([name, recorded]) =>
        mock[name] ? missingFields(recorded.body, mock[name].body).map((field) => `${name}: ${field}`) : []);
    // Real accounts' recordings (`check --record`), one directory each: the mock must have all their fields.
    const real = existsSync(RECORDED) ? readdirSync(RECORDED, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
    for (const source of real) assert.deepEqual(missing(join(RECORDED, source.name)), [], source.name);
    // The fake's recording: the mock has every field but the shape the fake changed on purpose.
    assert.deepEqual(missing(join(dir, "contrary")), [
      "fetch.GET._contacts.email.200.json: .contacts",
      "fetch.GET._contacts.user_id.200.json: .contacts",
    ]);
    assert.ok(Object.keys(mock).length >= 20);
    // The comparison sees a field the mock lacks.
    const contact = { contact: { id: "number", avatar: "string" } };
    assert.deepEqual(missingFields(contact, { contact: { id: "number" } }), [".contact.avatar"]);
  } finally {
    await server.close();
    await fake.close();
  }
});

test("`npx gist-wasm check` runs the bin of the package installed from its tarball; --help lists the options", async () => {
  const server = await startServer((req, res) => res.writeHead(401, { "content-type": "application/json" }).end('{"errors":[{"code":"unauthorized","message":"no"}]}'));
  const dir = mkdtempSync(join(tmpdir(), "gist-check-npx-"));
  const sh = (command, args, env = {}) => new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
  try {
    writeFileSync(join(dir, "package.json"), '{ "name": "user-project", "private": true }');
    const packed = await sh("npm", ["pack", PKG, "--silent", "--pack-destination", dir]);
    assert.equal(packed.code, 0, packed.out);
    const installed = await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, packed.out.trim())]);
    assert.equal(installed.code, 0, installed.out);
    const help = await sh("npx", ["--offline", "gist-wasm", "check", "--help"]);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /--cleanup/);
    const run = await sh("npx", ["--offline", "gist-wasm", "check", "--yes", "--base-url", server.url], { GIST_API_KEY: "made-up" });
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Gist refused the key \(401\)/);
  } finally {
    await server.close();
  }
});

test("the package ships the check as its bin, and a browser bundle of import \"gist-wasm\" holds none of it", async () => {
  const pkg = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  assert.equal(pkg.bin["gist-wasm"], "./check.js");
  assert.match(readFileSync(join(PKG, "check.js"), "utf8"), /^#!\/usr\/bin\/env node\n/);
  const { build } = await import("esbuild");
  const bundle = await build({
    stdin: { contents: 'import { GistClient } from "gist-wasm"; globalThis.c = GistClient;', resolveDir: fileURLToPath(new URL(".", import.meta.url)) },
    bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent",
  });
  const inputs = Object.keys(bundle.metafile.inputs);
  assert.ok(inputs.some((input) => input.includes("gist-wasm")), inputs.join(" "));
  assert.deepEqual(inputs.filter((input) => /check/.test(input)), []);
});
