// The package's public types: no `any` anywhere in its .d.ts files (`unknown` where data is open), the reviewed
// API, what attw and publint say of its types and exports map (tests/js/typescript.test.mjs compiles them), and
// the models' declared fields against what a client returns for the fixtures of tests/fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { GistClient, GistError } from "gist-wasm";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);
const root = dirname(createRequire(import.meta.url).resolve("gist-wasm/package.json"));
const workspace = fileURLToPath(new URL("../../", import.meta.url));

test("no .d.ts or .d.cts of the package uses `any`", () => {
  const files = readdirSync(root).filter((f) => /\.d\.c?ts$/.test(f));
  assert.ok(files.includes("index.d.ts") && files.includes("index.d.cts") && files.includes("mock.d.ts") && files.includes("queues.d.cts"), files.join(", "));
  for (const file of files) {
    const code = readFileSync(join(root, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const hits = code.split("\n").filter((line) => /\bany\b/.test(line));
    assert.deepEqual(hits, [], `${file} uses any`);
  }
});

test("the public .d.ts is the reviewed one in pkg-template (what the Rust declarations make), and require()'s .d.cts is the same", () => {
  const built = readFileSync(join(root, "index.d.ts"), "utf8");
  const reviewed = readFileSync(new URL("../../pkg-template/index.d.ts", import.meta.url), "utf8");
  assert.ok(built.includes("export class GistClient {"));
  assert.equal(built, reviewed, "the package's index.d.ts is not pkg-template's: run ./build.sh build");
  assert.equal(readFileSync(join(root, "index.d.cts"), "utf8"), built);
});

test("attw finds no problem in any entry of the packed package, under any module resolution", async () => {
  const { stdout } = await run(`${workspace}node_modules/.bin/attw`, ["--pack", "pkg", "--format", "json"], { cwd: workspace })
    .catch((error) => error);
  const { analysis } = JSON.parse(stdout);
  assert.deepEqual(Object.keys(analysis.entrypoints), [".", "./web", "./queues", "./mock", "./mock/server", "./package.json"]);
  const problems = analysis.problems.map((p) => `${p.kind} (${p.entrypoint ?? ""} ${p.resolutionKind ?? ""})`);
  assert.deepEqual(problems, []);
});

test("publint --strict finds nothing in the packed package, suggestions included", async () => {
  const { messages, pkg } = await publint({ pkgDir: `${workspace}pkg`, strict: true });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`), []);
});

test("new GistError(code, message, details) is the error its declaration describes", () => {
  const error = new GistError("not_found", "no such user", { status: 404, path: "/contacts", method: undefined });
  assert.ok(error instanceof Error);
  assert.deepEqual({ ...error, name: error.name, message: error.message },
    { name: "GistError", code: "not_found", message: "no such user", status: 404, path: "/contacts" });
});

// A client whose every request is answered with `fixture` (a file of tests/fixtures).
function answering(fixture) {
  const body = readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), "utf8");
  const fetch = async () => new Response(body, { headers: { "content-type": "application/json" } });
  return { sent: JSON.parse(body), gist: new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch }) };
}

// The fields of `object` named in `keys`, with the JS type of each value ("null" for null).
const typesOf = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k] === null ? "null" : typeof object[k]]));

test("a Contact has the fields index.d.ts declares: normalised, or as Gist sent them", async () => {
  const { sent, gist } = answering("contact_user_quirks.json");
  const contact = await gist.fetchUser({ id: 179351 });
  assert.deepEqual(typesOf(contact, ["id", "type", "user_id", "email", "name", "phone", "unsubscribed_from_emails",
    "created_at", "updated_at", "signed_up_at", "last_seen_at"]), {
    id: "number", type: "string", user_id: "string", email: "string", name: "string", phone: "string",
    unsubscribed_from_emails: "boolean", created_at: "number", updated_at: "number", signed_up_at: "null", last_seen_at: "null",
  });
  for (const key of ["tags", "custom_properties", "full_name", "avatar", "last_seen_ip", "location_data"]) {
    assert.deepEqual(contact[key], sent.contact[key], key);
  }
});

test("a Campaign, a Segment and a TrackedEvent have the fields index.d.ts declares", async () => {
  const campaign = answering("campaign.json");
  assert.deepEqual(typesOf(await campaign.gist.fetchCampaign(101), ["id", "name", "status", "href", "created_at",
    "updated_at", "active_subscriber_count", "unsubscribed_subscriber_count", "email_count", "email_open_rate", "email_click_rate"]), {
    id: "number", name: "string", status: "string", href: "string", created_at: "number", updated_at: "number",
    active_subscriber_count: "number", unsubscribed_subscriber_count: "number", email_count: "number",
    email_open_rate: "string", email_click_rate: "string",
  });
  const [counted, uncounted] = await answering("segments_page.json").gist.listSegments({ include_count: true });
  assert.deepEqual(typesOf(counted, ["id", "name", "count", "created_at", "updated_at"]), {
    id: "number", name: "string", count: "number", created_at: "number", updated_at: "null",
  });
  assert.equal("count" in uncounted, false);
  const event = await answering("event.json").gist.recordEvent({ event_name: "completed.order", user: { email: "ada@example.com" } });
  assert.deepEqual(typesOf(event, ["id", "name", "occurred_at"]), { id: "undefined", name: "string", occurred_at: "number" });
  assert.equal(event.name, "completed-order");
});
