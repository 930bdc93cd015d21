// The API reference: `./build.sh docs` (TypeDoc over the public .d.ts, docs/typedoc/) builds with no
// warning, writes a page for GistClient, GistError and each webhook function, and fails on a warning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { GistClient } from "gist-wasm";

const root = fileURLToPath(new URL("../../", import.meta.url));
const api = `${root}target/api/`;
const run = promisify(execFile);

test("./build.sh docs builds the API reference with no warning", async () => {
  const { stdout, stderr } = await run("bash", [`${root}build.sh`, "docs"], { cwd: root, timeout: 180_000 });
  assert.doesNotMatch(`${stdout}${stderr}`, /\[warning\]|\[error\]/);
  assert.ok(existsSync(`${api}index.html`));
  const modules = readFileSync(`${api}index.html`, "utf8");
  for (const name of ["gist-wasm", "gist-wasm/mock", "gist-wasm/mock/server"]) assert.ok(modules.includes(`>${name}<`), name);
});

test("the demo serves the API reference at /reference/, linked from its first screen", async () => {
  const { startDemoServer } = await import("../../www/server.mjs");
  const demo = await startDemoServer({ port: 0 });
  try {
    const pages = { "/reference/": />gist-wasm\/mock</, "/reference/classes/gist-wasm.GistClient.html": /<h1>[^<]*\bGistClient\b/, "/reference/assets/style.css": /\S/ };
    for (const [path, holds] of Object.entries(pages)) {
      const answer = await fetch(`${demo.url}${path}`);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get("content-type"), path.endsWith(".css") ? /^text\/css/ : /^text\/html/);
      assert.match(await answer.text(), holds, path);
    }
    const page = await (await fetch(`${demo.url}/`)).text();
    const hero = page.slice(page.indexOf('<header class="hero">'), page.indexOf("</header>"));
    assert.match(hero, /<a href="\/reference\/">API reference<\/a>/);
    const escape = await fetch(`${demo.url}/reference/..%2f..%2fCargo.toml`);
    assert.notEqual(escape.status, 200, "nothing outside target/api/ is served");
  } finally {
    await demo.close();
  }
});

test("./build.sh demo builds the API reference before it serves the demo", () => {
  const demoLine = readFileSync(`${root}build.sh`, "utf8").split("\n").find((line) => /^\s*demo\)/.test(line));
  assert.match(demoLine, /install_pkg; docs; exec node www\/server\.mjs/);
});

const PAGES = {
  GistClient: "classes/gist-wasm.GistClient.html",
  GistError: "classes/gist-wasm.GistError.html",
  parseWebhook: "functions/gist-wasm.parseWebhook.html",
  verifyWebhook: "functions/gist-wasm.verifyWebhook.html",
  handleWebhook: "functions/gist-wasm.handleWebhook.html",
  normalizeEventName: "functions/gist-wasm.normalizeEventName.html",
  createMockGist: "functions/gist-wasm_mock.createMockGist.html",
  serveMock: "functions/gist-wasm_mock_server.serveMock.html",
};

for (const [name, page] of Object.entries(PAGES)) {
  test(`the API reference has a page for ${name}`, () => {
    assert.ok(existsSync(`${api}${page}`), `${page} is missing: run ./build.sh docs`);
    assert.match(readFileSync(`${api}${page}`, "utf8"), new RegExp(`<h1>[^<]*\\b${name}\\b`));
  });
}

test("the GistClient page documents every method a GistClient has at run time", () => {
  const page = readFileSync(`${api}${PAGES.GistClient}`, "utf8");
  const methods = Object.getOwnPropertyNames(GistClient.prototype).filter((name) => name !== "constructor");
  assert.ok(methods.length >= 29 && methods.includes("tagContacts"), methods.join(", "));
  const missing = methods.filter((name) => !page.includes(`id="${name.toLowerCase()}"`));
  assert.deepEqual(missing, []);
});

test("a TypeDoc warning fails the docs build (docs/typedoc/typedoc.json: treatWarningsAsErrors)", async () => {
  const dir = `${root}target/docs-warning/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}broken.d.ts`, "/** Links to {@link Nowhere}, which does not exist. */\nexport declare function broken(): void;\n");
  writeFileSync(`${dir}tsconfig.json`, JSON.stringify({ compilerOptions: { strict: true, noEmit: true }, files: ["broken.d.ts"] }));
  // The project's options, with only the entry point, its tsconfig and the output changed.
  const options = { extends: ["../../docs/typedoc/typedoc.json"], entryPoints: ["broken.d.ts"], tsconfig: "tsconfig.json", out: "out" };
  writeFileSync(`${dir}typedoc.json`, JSON.stringify(options));
  const typedoc = `${root}node_modules/.bin/typedoc`;
  const args = ["--options", `${dir}typedoc.json`];
  const failure = await run(typedoc, args, { cwd: root, timeout: 180_000 }).then(() => null, (error) => error);
  assert.ok(failure, "typedoc succeeded despite a broken link");
  assert.match(`${failure.stdout}${failure.stderr}`, /Failed to resolve link to "Nowhere"/);
  assert.ok(!existsSync(`${dir}out/index.html`), "typedoc wrote the reference despite the warning");
});
