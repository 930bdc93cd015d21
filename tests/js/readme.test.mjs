// The documents: every relative link of README.md, CONTRIBUTING.md, CHANGELOG.md, SECURITY.md and docs/*.md resolves to
// a file of the repository (and an anchor to a heading of it); every document a comment or document cites
// exists, with the section it names; the README's JavaScript parses, imports only what the package
// exports, and its Node, Workers, Deno and Bun quickstarts, its mock example, every other code block and
// every example of its tables run as written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { Miniflare, Response as MiniflareResponse } from "miniflare";
import { createMockGist } from "gist-wasm/mock";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path) => readFileSync(join(root, path), "utf8");
const DOCUMENTS = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "SECURITY.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

// The repository's files: tracked, or new and not ignored (so that a link to a build output fails).
const FILES = new Set(
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 })
    .split("\n").filter(Boolean),
);
const DIRS = new Set([...FILES].flatMap((file) => file.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));

/** Markdown without its fenced code blocks and code spans, where a link is text. */
const prose = (markdown) => markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");

/** The anchors GitHub gives a Markdown file's headings. */
function anchors(markdown) {
  const seen = new Map();
  const result = new Set();
  for (const [, text] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.*?)\s*#*$/gm)) {
    const plain = text.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n ? `${slug}-${n}` : slug);
  }
  return result;
}

/** The section names a Markdown file has, as written in its headings. */
const headings = (markdown) => new Set([...markdown.matchAll(/^#{1,6}\s+(.*?)\s*$/gm)].map((m) => m[1].replace(/`/g, "")));

for (const document of DOCUMENTS) {
  test(`every relative link in ${document} resolves to a file of the repository`, () => {
    const text = read(document);
    const links = [...prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
    const broken = [];
    for (const link of links) {
      if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split("#");
      const target = path ? relative(root, resolve(root, dirname(document), decodeURIComponent(path))) : document;
      if (target.startsWith("..") || !(FILES.has(target) || DIRS.has(target.replace(/\/$/, "")))) {
        broken.push(`${link}: no such file in the repository`);
      } else if (anchor !== undefined && target.endsWith(".md") && !anchors(read(target)).has(anchor)) {
        broken.push(`${link}: ${target} has no heading #${anchor}`);
      }
    }
    assert.ok(links.length > 0 || document !== "README.md");
    assert.deepEqual(broken, []);
  });
}

// The package as npm installs it (node_modules/gist-wasm holds exactly the packed files): every relative
// link of its README, and of each other Markdown file it ships, resolves to a file that ships with it.
const installed = dirname(fileURLToPath(import.meta.resolve("gist-wasm/package.json")));
const shipped = (dir = "") => readdirSync(join(installed, dir), { withFileTypes: true })
  .flatMap((entry) => (entry.isDirectory() ? shipped(join(dir, entry.name)) : [join(dir, entry.name)]));

test("every relative link in the shipped README and docs resolves to a file of the package", () => {
  const files = new Set(shipped());
  for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "SECURITY.md", "CHANGELOG.md"]) assert.ok(files.has(file), `${file} does not ship`);
  const dirs = new Set([...files].flatMap((file) => file.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
  const broken = [];
  let checked = 0;
  for (const document of [...files].filter((file) => file.endsWith(".md"))) {
    const text = readFileSync(join(installed, document), "utf8");
    for (const [, link] of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(link)) continue;
      checked += document === "README.md" ? 1 : 0;
      const [path, anchor] = link.split("#");
      const target = path ? relative(installed, resolve(installed, dirname(document), decodeURIComponent(path))) : document;
      if (target.startsWith("..") || !(files.has(target) || dirs.has(target.replace(/\/$/, "")))) broken.push(`${document}: ${link} does not ship`);
      else if (anchor !== undefined && target.endsWith(".md") && !anchors(readFileSync(join(installed, target), "utf8")).has(anchor)) broken.push(`${document}: ${link}: no such heading`);
    }
  }
  assert.ok(checked > 20, `only ${checked} relative links in the shipped README`);
  assert.deepEqual(broken, []);
});

// Citations in comments and documents: a Markdown file by its path, and a section of one by its heading:
// `docs/gist-api.md, "Paging"`, `README's "Retries"`, `CONTRIBUTING.md, "Benchmark"`.
const CITING = [...FILES].filter((f) => /^(src|pkg-template|www|examples|tests|docs)\/.*\.(rs|js|mjs|cjs|ts|md|toml|html)$/.test(f) || /^[^/]+\.(md|sh|toml)$/.test(f))
  .filter((f) => !f.startsWith("tests/fixtures/") && existsSync(join(root, f)));

test("every document cited in the code and the documents exists, with the section it names", () => {
  const missing = [];
  let cited = 0;
  for (const file of CITING) {
    const text = read(file);
    for (const [, path] of text.matchAll(/(?<![\w./-])((?:docs\/)?[\w-]+\.md)\b/g)) {
      const target = path.includes("/") ? path : /^(README|CONTRIBUTING|CHANGELOG)\.md$/.test(path) ? path : null;
      if (target === null) continue;
      cited++;
      if (!FILES.has(target)) missing.push(`${file}: ${path}`);
    }
    for (const [, name, section] of text.matchAll(/\b((?:docs\/[\w-]+\.md)|README(?:\.md)?|CONTRIBUTING(?:\.md)?)(?:'s|,) "([^"]+)"/g)) {
      const target = name.endsWith(".md") ? name : `${name}.md`;
      cited++;
      // A heading may say more than the citation: "Webhooks" names `## Webhooks ("Watch Events")`.
      const found = FILES.has(target) && [...headings(read(target))].some((h) => h === section || h.startsWith(`${section} `));
      if (!found) missing.push(`${file}: ${name}, "${section}"`);
    }
  }
  assert.ok(cited > 10, `only ${cited} citations found`);
  assert.deepEqual(missing, []);
});

// The README's ```js and ```jsx blocks.
const BLOCKS = [...read("README.md").matchAll(/^```(js|jsx)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], code: m[2] }));
const quickstart = (comment) => BLOCKS.find((block) => block.code.startsWith(comment));

test("every JavaScript block of the README parses, and imports only what the package exports", async () => {
  assert.ok(BLOCKS.length >= 9, `${BLOCKS.length} blocks`);
  const problems = [];
  for (const [i, { lang, code }] of BLOCKS.entries()) {
    const out = ts.transpileModule(code, { fileName: `block${i}.${lang}`, reportDiagnostics: true, compilerOptions: { jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    for (const d of out.diagnostics) problems.push(`block ${i + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}\n${code}`);
    for (const [, names, from] of code.matchAll(/^import\s+(?:\w+\s*,\s*)?\{([^}]*)\}\s+from\s+"(gist-wasm[^"]*)"/gm)) {
      const exports = await import(from);
      for (const name of names.split(",").map((n) => n.trim()).filter(Boolean)) {
        if (!(name in exports)) problems.push(`block ${i + 1}: "${from}" has no export ${name}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

const run = promisify(execFile);
// Preloaded before a quickstart: the global fetch answered by an in-memory mock, whatever the host.
const MOCK_FETCH = 'import { createMockGist } from "gist-wasm/mock";\nglobalThis.fetch = createMockGist().fetch;\n';
const scratch = join(root, "target/readme/");

// Runs a README block as a module of target/readme/ (which imports the installed package by name).
async function runBlock(name, code, options = {}) {
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, name), code);
  return run(process.execPath, [...(options.args ?? []), join(scratch, name)], { cwd: scratch, timeout: 60_000, env: { ...process.env, ...options.env } });
}

test("the README's Node quickstart runs as written (against the mock, as the global fetch)", async () => {
  const block = quickstart("// quickstart.mjs");
  assert.ok(block, "no block starts with // quickstart.mjs");
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, "mock-fetch.mjs"), MOCK_FETCH);
  const { stdout } = await runBlock("quickstart.mjs", block.code, { args: ["--import", join(scratch, "mock-fetch.mjs")], env: { GIST_API_KEY: "mock-key" } });
  const lines = stdout.trim().split("\n");
  assert.match(lines[0], /^\d+ 42$/);
  const users = createMockGist().state.contacts.filter((contact) => contact.user_id).length + 1; // and Ada
  assert.equal(lines.length, 1 + Math.min(users, 200) + 1, stdout); // Ada, the users up to the limit, the miss
  assert.ok(lines.slice(1, -1).every((line) => line.endsWith("@example.com")), stdout);
  assert.equal(lines.at(-1), "no such user");
});

test("the README's mock example runs as written", async () => {
  const block = BLOCKS.find((b) => b.code.includes("createMockGist()"));
  assert.ok(block);
  await runBlock("mock.mjs", block.code);
});

test("the README's Workers quickstart runs in workerd as written (Gist's API answered by the mock)", async () => {
  const block = quickstart("// src/index.js");
  assert.ok(block, "no block starts with // src/index.js");
  const dir = join(scratch, "worker/");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), block.code);
  writeFileSync(join(dir, "wrangler.toml"), 'name = "readme-quickstart"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n');
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: dir, timeout: 120_000, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  const mock = createMockGist();
  const sent = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, "dist/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
    bindings: { GIST_API_KEY: "mock-key" },
    // The worker's own fetch, answered in Node by the mock (Miniflare's Request and Response are its own).
    outboundService: async (request) => {
      sent.push(`${request.method} ${request.url}`);
      const body = request.method === "GET" ? undefined : await request.text();
      const answer = await mock.handle(new Request(request.url, { method: request.method, headers: Object.fromEntries(request.headers), body }));
      return new MiniflareResponse(await answer.text(), { status: answer.status, headers: Object.fromEntries(answer.headers) });
    },
  });
  try {
    const response = await mf.dispatchFetch("http://worker.test/");
    assert.equal(response.status, 200);
    const emails = await response.json();
    assert.equal(emails.length, 10);
    assert.ok(emails.every((email) => email.endsWith("@example.com")), emails.join(", "));
    assert.deepEqual(sent.map((s) => s.replace(/\?.*/, "")), ["GET https://api.getgist.com/contacts"]);
  } finally {
    await mf.dispose();
  }
});

// Deno and Bun from node_modules (./build.sh setup installs them), as tests/js/runtimes.test.mjs finds them.
// Each runs its block with the flags that the block's first line gives, such as
// `// main.js: deno run --allow-net --allow-env main.js`, plus a preload of the mock.
const firstExisting = (...paths) => paths.map((p) => join(root, p)).find(existsSync);
const RUNTIMES = [
  ["Deno", "// main.js", "deno run", firstExisting("node_modules/@deno/linux-x64-glibc/deno", "node_modules/deno/deno")],
  ["Bun", "// index.js", "bun", firstExisting("node_modules/bun/bin/bun.exe", "node_modules/@oven/bun-linux-x64/bin/bun")],
];

for (const [name, comment, command, binary] of RUNTIMES) {
  test(`the README's ${name} quickstart runs as written, with the flags it gives (against the mock, as the global fetch)`, async () => {
    assert.ok(binary, `${name} is not installed: run ./build.sh setup`);
    const block = quickstart(comment);
    assert.ok(block, `no block starts with ${comment}`);
    const line = block.code.split("\n")[0];
    const flags = line.match(new RegExp(`\\b${command} ((?:--\\S+ )*)\\S+$`))?.[1].trim().split(" ").filter(Boolean);
    assert.ok(flags, `${line}: no "${command} ... file" command`);
    const file = join(scratch, `${name.toLowerCase()}.js`);
    mkdirSync(scratch, { recursive: true });
    writeFileSync(file, block.code);
    writeFileSync(join(scratch, "mock-fetch.mjs"), MOCK_FETCH);
    const args = [...command.split(" ").slice(1), ...flags, "--preload", join(scratch, "mock-fetch.mjs"), file];
    const { stdout } = await run(binary, args, {
      cwd: scratch,
      timeout: 60_000,
      env: { ...process.env, GIST_API_KEY: "mock-key", DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    assert.equal(stdout.match(/^\s+email: "[^"]+@example\.com",?$/gm)?.length, 10, stdout);
  });
}

// Every other code block of the README, and every example in its tables, runs as written against the
// in-memory mock. A block that cannot run here is skipped by its first line, each for the reason given;
// a skip that names no block fails, so none outlives its block.
const SKIPPED = {
  "// quickstart.mjs": "run by its own test above",
  "// src/index.js, with `main": "the Workers quickstart: run in workerd by its own test above",
  "// main.js: deno": "run in Deno by its own test above",
  "// index.js: GIST_API_KEY=... bun": "run in Bun by its own test above",
  'import { GistClient } from "gist-wasm";\nimport { createMockGist }': "the mock example: run by its own test above",
  "// app/users/page.js": "JSX for Next.js's app router; tests/js/next.test.mjs builds and serves such a page",
  "// src/main.js: no Vite": "a page's module (a session token, location); tests/js/bundlers.test.mjs runs the same import built by Vite in Chromium",
  "new GistClient({\n  apiKey: string,": "the client's options as types, not code",
  'import { GistClient, GistError, handleWebhook': "a Worker's webhook route; examples/worker/, its longer form, runs in workerd (tests/js/worker-example.test.mjs)",
  'import { createServer } from "node:http";': "a server that listens on port 3000 until stopped; examples/node/receiver.mjs, its longer form, runs over HTTP (tests/js/node-receiver.test.mjs)",
  "// src/index.js: queues": "needs Cloudflare Queues and KV; examples/bulk-sync/, its longer form, runs in workerd (tests/js/queues.test.mjs)",
};

// What a snippet with no imports of its own finds, as it would after the Node quickstart: `GistClient`,
// `GistError`, `apiKey` and `gist` (a client of the mock, as the global fetch) with the user the quickstart
// creates (Ada, user_id 42); and the paging example's own placeholders `save`, `timeIsUp` and `store`.
const SNIPPET_GLOBALS = `${MOCK_FETCH}import { GistClient, GistError } from "gist-wasm";
process.env.GIST_API_KEY = "mock-key";
Object.assign(globalThis, { GistClient, GistError, apiKey: "mock-key", gist: new GistClient({ apiKey: "mock-key" }) });
await globalThis.gist.createUser({ user_id: 42, email: "ada@example.com", name: "Ada" });
const kept = new Map();
globalThis.store = { get: async (key) => kept.get(key) ?? null, put: async (key, value) => void kept.set(key, value) };
globalThis.save = async () => {};
globalThis.timeIsUp = () => false;
`;

const ALL_BLOCKS = [...read("README.md").matchAll(/^```(js|jsx|ts)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], code: m[2] }));
const skipOf = (block) => Object.keys(SKIPPED).find((start) => block.code.startsWith(start));

test("every skipped README block exists, and each block is run or skipped for a reason", () => {
  assert.ok(ALL_BLOCKS.length >= 17, `${ALL_BLOCKS.length} blocks`);
  const unmatched = Object.keys(SKIPPED).filter((start) => ALL_BLOCKS.filter((block) => block.code.startsWith(start)).length !== 1);
  assert.deepEqual(unmatched, [], "each skip names exactly one block");
});

for (const [i, block] of ALL_BLOCKS.entries()) {
  const skip = skipOf(block);
  const title = `README block ${i + 1} runs as written against the mock: ${JSON.stringify(block.code.split("\n")[0])}`;
  test(title, { skip: skip && SKIPPED[skip] }, async () => {
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, "snippet-globals.mjs"), SNIPPET_GLOBALS);
    const file = `block-${i + 1}.mjs`;
    // A route handler (it exports GET) is called, as Next.js would.
    const code = /^export async function GET\b/m.test(block.code)
      ? `${block.code}\nconst answer = await GET();\nif (answer.status !== 200) throw new Error(\`GET answered \${answer.status}\`);\n`
      : block.code;
    await runBlock(file, code, { args: ["--import", join(scratch, "snippet-globals.mjs")], env: { GIST_API_KEY: "mock-key" } });
  });
}

// The examples of the README's tables (a code span starting `await` or `for await` in a row's second
// cell), in the README's order against one mock, as a reader trying them top to bottom would: `{ ... }`
// (a loop's body left to the reader) runs as `{}`.
const TABLE_EXAMPLES = [...read("README.md").matchAll(/^\| `[^`]+` \| `((?:await|for await) [^`]+)`/gm)].map((m) => m[1]);

test("every example in the README's tables runs as written, in order, against the mock", async () => {
  assert.ok(TABLE_EXAMPLES.length >= 25, `${TABLE_EXAMPLES.length} examples`);
  const { GistClient, normalizeEventName } = await import("gist-wasm");
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  const AsyncFunction = (async () => {}).constructor;
  const failed = [];
  for (const example of TABLE_EXAMPLES) {
    const body = example.startsWith("await") ? `return ${example};` : example.replace("{ ... }", "{}");
    const result = await new AsyncFunction("gist", "normalizeEventName", body)(gist, normalizeEventName)
      .catch((error) => ({ error }));
    if (result?.error) failed.push(`${example}: ${result.error.code ?? ""} ${result.error.message}`);
    else if (result?.failed?.length) failed.push(`${example}: failed ${JSON.stringify(result.failed)}`);
    else if (result?.status >= 400) failed.push(`${example}: answered ${result.status}`);
  }
  assert.deepEqual(failed, []);
});
