// The installed package under every TypeScript setup of tests/ts/ (each a tsconfig of its own, skipLibCheck
// false, so the package's .d.ts files are checked too), and the CommonJS consumer, compiled, run in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = `${root}node_modules/.bin/tsc`;
const configs = readdirSync(`${root}tests/ts`).filter((f) => f.endsWith(".json") && f !== "tsconfig.base.json");

// What tsc reports for a project: "no errors", or its errors.
async function check(config) {
  try {
    await run(tsc, ["-p", `tests/ts/${config}`], { cwd: root });
    return "no errors";
  } catch (error) {
    return error.stdout || error.message;
  }
}

test("tsc accepts the package in every setup of tests/ts", { concurrency: 2 }, async (t) => {
  assert.ok(configs.length >= 6, configs.join(", "));
  await Promise.all(configs.map((config) =>
    t.test(config, async () => assert.equal(await check(config), "no errors"))));
});

test("a CommonJS consumer compiled by TypeScript gets what its types say from require()", async () => {
  // tsc's output for the file under Node16 (node16.json checks it; transpileModule emits the same, faster).
  const source = readFileSync(`${root}tests/ts/require.cts`, "utf8");
  const options = { module: ts.ModuleKind.Node16, target: ts.ScriptTarget.ES2022 };
  const { outputText } = ts.transpileModule(source, { fileName: "require.cts", compilerOptions: options });
  mkdirSync(`${root}target/ts-require`, { recursive: true });
  writeFileSync(`${root}target/ts-require/require.cjs`, outputText);
  const { stdout } = await run(process.execPath, [`${root}target/ts-require/require.cjs`], { cwd: root });
  assert.deepEqual(JSON.parse(stdout), {
    users: ["user", "user"], code: "not_found", freed: "invalid_argument", webIsMain: true, hosts: 3, queued: [1, 1],
  });
});
