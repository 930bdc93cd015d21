// The package's public types: no `any` anywhere in its .d.ts files (`unknown` where data is open).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const root = dirname(createRequire(import.meta.url).resolve("gist-wasm/package.json"));

test("no .d.ts of the package uses `any`", () => {
  const files = readdirSync(root).filter((f) => f.endsWith(".d.ts"));
  assert.ok(files.includes("index.d.ts") && files.includes("mock.d.ts"), files.join(", "));
  for (const file of files) {
    const code = readFileSync(join(root, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const hits = code.split("\n").filter((line) => /\bany\b/.test(line));
    assert.deepEqual(hits, [], `${file} uses any`);
  }
});

test("the public .d.ts is the reviewed one in tests/golden", () => {
  const built = readFileSync(join(root, "index.d.ts"), "utf8");
  const golden = readFileSync(new URL("../golden/index.d.ts", import.meta.url), "utf8");
  assert.ok(built.length > 0);
  assert.equal(built, golden, "the public API changed: review the diff, then copy pkg/index.d.ts to tests/golden/index.d.ts");
});
