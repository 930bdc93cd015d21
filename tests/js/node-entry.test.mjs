// Node's own entries (the `node-addons` condition): the .wasm built for speed read from the file beside them,
// not the build for size (decoded from the copy inside the JS, or its file), and every entry bundled over one
// runtime. Some cases run a fresh Node on a copy of the
// installed package, changed as they say.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const installed = fileURLToPath(new URL("../../node_modules/gist-wasm/", import.meta.url));
const work = fileURLToPath(new URL("../../target/node-entry/", import.meta.url));
// Imports `entry` by name, constructs a client and parses a webhook, and prints what happened.
const program = (entry) => `
  const { GistClient, parseWebhook } = await import(${JSON.stringify(entry)});
  try {
    new GistClient({ apiKey: "k" });
    console.log(JSON.stringify({ kind: parseWebhook('{"topic":"user.created","contact":{"id":1}}').kind }));
  } catch (error) {
    console.log(JSON.stringify({ code: error.code, error: String(error) }));
  }
`;

/** Runs `program(entry)` by `runner` (import, or require() through a CommonJS file) on a copy of the package
 * that `change` altered, in a Node given `flags`; resolves what it printed. */
async function runOnCopy(name, change, entry = "gist-wasm", runner = "import", flags = []) {
  const dir = `${work}${name}/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}node_modules`, { recursive: true });
  cpSync(installed, `${dir}node_modules/gist-wasm/`, { recursive: true });
  change(`${dir}node_modules/gist-wasm/`);
  const file = runner === "import" ? "main.mjs" : "main.cjs";
  const source = runner === "import" ? program(entry) : `(async () => {${program(entry).replace("await import", "require")}})();`;
  writeFileSync(`${dir}${file}`, source);
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, file], { cwd: dir, timeout: 30_000 });
  return JSON.parse(stdout);
}

const breakBuildForSize = (pkg) => {
  writeFileSync(`${pkg}gist_wasm_inline.js`, 'export default "not a wasm";\n');
  writeFileSync(`${pkg}gist_wasm_bg.wasm`, "not a wasm");
};

for (const [entry, runner] of [["gist-wasm", "import"], ["gist-wasm", "require"], ["gist-wasm/web", "import"]]) {
  test(`Node's ${runner} of ${entry} loads the .wasm built for speed from its file, not the build for size`, async () => {
    assert.deepEqual(await runOnCopy(`${runner}-${entry.replace("/", "-")}`, breakBuildForSize, entry, runner), { kind: "contact" });
  });
}

test("node --no-addons (no `node-addons` condition) imports gist-wasm/web's browser file, which reads its .wasm from disk", async () => {
  // Node's fetch cannot read the file: URL that web.js finds its .wasm at.
  const seen = await runOnCopy("no-addons-web", (pkg) => rmSync(`${pkg}gist_wasm_node.wasm`), "gist-wasm/web", "import", ["--no-addons"]);
  assert.deepEqual(seen, { kind: "contact" });
});

test("where the .wasm file is missing, the import works and each call throws a GistError that says what to do", async () => {
  const seen = await runOnCopy("missing", (pkg) => rmSync(`${pkg}gist_wasm_node.wasm`));
  assert.equal(seen.code, "invalid_argument");
  assert.match(seen.error, /^GistError: gist-wasm could not load its WebAssembly: .*ENOENT.*gist_wasm_node\.wasm.*; keep gist_wasm_node\.wasm beside gist-wasm's node\.js/);
});

test("importing gist-wasm in Node and making a client loads none of Node's streams (a cold start's cost)", async () => {
  const main = `${work}no-streams.mjs`;
  mkdirSync(work, { recursive: true });
  writeFileSync(main, `
    const before = new Set(process.moduleLoadList);
    const { GistClient } = await import(${JSON.stringify(`${installed}node.js`)});
    new GistClient({ apiKey: "k" });
    console.log(JSON.stringify(process.moduleLoadList.filter((name) => !before.has(name))));
  `);
  const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 30_000 });
  const loaded = JSON.parse(stdout);
  assert.ok(loaded.length > 0, "Node lists the modules it loads");
  assert.deepEqual(loaded.filter((name) => /\bstreams?\b/.test(name)), []);
});

test("in Node, every entry of the package is its bundled copy, so that they share one runtime and its wasm", async () => {
  const { exports } = JSON.parse(readFileSync(`${installed}package.json`, "utf8"));
  const entries = Object.keys(exports).filter((entry) => entry !== "./package.json");
  for (const entry of entries) {
    const resolved = import.meta.resolve(`gist-wasm${entry.slice(1)}`);
    assert.match(resolved, /\/node_modules\/gist-wasm\/node(-[a-z-]+)?\.js$/, `${entry} resolves to ${resolved}`);
  }
});

test("the build for speed (Node's entry) and the build for size (index.js) answer alike", async () => {
  const contact = { id: 1001, type: "user", email: "ada@example.com", user_id: "u1", custom_properties: { seats: 3 }, created_at: 1700000000 };
  const answers = {
    "/contacts/1001": [200, { contact }],
    "/contacts/1002": [404, { errors: [{ code: "not_found", message: "no such contact" }] }],
    "/contacts": [200, { contacts: [contact, { ...contact, id: 1003, type: "lead" }], pages: { total_pages: 1 } }],
    "/tags": [500, "upstream down"],
  };
  const fetch = async (url) => {
    const [status, body] = answers[new URL(url).pathname] ?? [418, ""];
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  const outcomes = async (entry) => {
    const { GistClient, parseWebhook, normalizeEventName } = await import(entry);
    const gist = new GistClient({ apiKey: "Sk_Live_0123456789AbCdEf", baseUrl: "https://api.getgist.com", fetch, maxRetries: 0 });
    const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ code: error.code, message: error.message, status: error.status }));
    const sync = (run) => { try { return { value: run() }; } catch (error) { return { code: error.code, message: error.message }; } };
    return [
      await settle(gist.fetchUser({ id: 1001 })),
      await settle(gist.fetchUser({ id: 1002 })),
      await settle(gist.listUsers({ limit: 10 })),
      await settle(gist.listTags()),
      await settle(gist.updateTag("3", { name: "x" })),
      await settle(gist.fetchUser({ email: "not an email" })),
      sync(() => parseWebhook(JSON.stringify({ topic: "user.created", contact, nested: { a: [1, 2.5, "é"] } }))),
      sync(() => parseWebhook("{not json")),
      sync(() => normalizeEventName("a.b$c")),
    ];
  };
  const speed = await outcomes(`${installed}node.js`);
  const size = await outcomes(`${installed}index.js`);
  assert.deepEqual(speed, size);
  assert.equal(speed[0].value.email, "ada@example.com", "the first call answered");
  assert.equal(speed[1].code, "not_found");
});
