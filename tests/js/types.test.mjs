// The package's public types: no `any` anywhere in its .d.ts files (`unknown` where data is open).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const root = dirname(createRequire(import.meta.url).resolve("gist-wasm/package.json"));

test("no .d.ts of the package uses `any`", () => {
  const files = readdirSync(root).filter((f) => f.endsWith(".d.ts"));
  assert.ok(files.includes("gist_wasm.d.ts") && files.includes("mock.d.ts"), files.join(", "));
  for (const file of files) {
    const code = readFileSync(join(root, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const hits = code.split("\n").filter((line) => /\bany\b/.test(line));
    assert.deepEqual(hits, [], `${file} uses any`);
  }
});
