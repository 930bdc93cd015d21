// examples/worker in real workerd (miniflare) against the loopback mock: a verified delivery is
// recorded back in Gist, a forged one is refused (401), a malformed one gets 400, and neither records.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { serveMock } from "gist-wasm/mock/server";

const exampleDir = fileURLToPath(new URL("../../examples/worker/", import.meta.url));
const outDir = fileURLToPath(new URL("../../target/worker-example/", import.meta.url));
const wrangler = fileURLToPath(new URL("../../node_modules/.bin/wrangler", import.meta.url));
let server;
let mf;

before(async () => {
  server = await serveMock({ port: 0 });
  execFileSync(wrangler, ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: exampleDir,
    stdio: "pipe",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  mf = new Miniflare({
    modules: true,
    scriptPath: `${outDir}index.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
    bindings: { GIST_API_KEY: "mock-key", GIST_BASE_URL: server.url, GIST_WEBHOOK_SECRET: "old-secret,s3cret", GIST_WEBHOOK_SCHEME: "token" },
  });
});
after(async () => {
  await mf?.dispose();
  await server?.close();
});

function deliver(body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-gist-webhook-token"] = token;
  return mf.dispatchFetch("http://receiver.test/", { method: "POST", headers, body });
}

const recorded = (name) => server.mock.state.events.filter((e) => e.name === name);

async function waitFor(check, ms = 5000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

test("a verified contact delivery is answered 200 and recorded back as a tracked event", async () => {
  const contact = server.mock.state.contacts.find((c) => c.type === "user");
  const body = JSON.stringify({ topic: "contact.tagged", contact: { ...contact, tags: [{ id: 3, name: "VIP" }] } });
  const response = await deliver(body, "s3cret");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "ok\n");
  assert.ok(await waitFor(() => recorded("webhook-contact-tagged").length === 1), "the event was recorded");
  const [event] = recorded("webhook-contact-tagged");
  assert.equal(event.contact_id, contact.id);
  assert.deepEqual(event.properties, { source: "gist-webhook", topic: "contact.tagged" });
});

test("an automation delivery for a lead is recorded under the lead", async () => {
  const lead = server.mock.state.contacts.find((c) => c.type === "lead");
  const body = JSON.stringify({ message: { id: lead.id, email: lead.email, type: "lead" } });
  assert.equal((await deliver(body, "old-secret")).status, 200, "a rotated-out secret still verifies");
  assert.ok(await waitFor(() => recorded("webhook-automation").some((e) => e.contact_id === lead.id)));
});

test("a forged delivery is refused with 401 and nothing is recorded", async () => {
  const before = server.mock.state.events.length;
  const body = JSON.stringify({ topic: "user.deleted", contact: { id: 1001, email: "x@example.com" } });
  for (const token of ["forged", undefined]) {
    const response = await deliver(body, token);
    assert.equal(response.status, 401);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.mock.state.events.length, before);
});

test("a malformed delivery gets 400 and nothing is recorded", async () => {
  const before = server.mock.state.events.length;
  const response = await deliver("<html>not json</html>", "s3cret");
  assert.equal(response.status, 400);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(server.mock.state.events.length, before);
  assert.equal((await mf.dispatchFetch("http://receiver.test/")).status, 405);
});
