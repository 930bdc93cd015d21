// The demo page end to end in headless Chromium: every module's forms on the built-in mock, the
// webhook inspector and live receiver, progress and cancel, each call's code and wire views (a retry, invalid
// JSON that sends nothing), the real-API mode through the proxy (aimed at a second mock), keyboard labels,
// and no console errors. Screenshots go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serveMock } from "gist-wasm/mock/server";
import { startDemoServer } from "../../www/server.mjs";

const shots = fileURLToPath(new URL("../../target/e2e/", import.meta.url));
let upstream;
let demo;
let browser;
let page;
const problems = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  upstream = await serveMock({ port: 0, apiKey: "real-key" });
  demo = await startDemoServer({ port: 0, proxyTarget: upstream.url });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Chromium logs every 4xx/5xx fetch as a console error; the API answers some on purpose here (a 404 to
  // show not_found, a 401 for a wrong key). Any other failed resource, console error or page error counts.
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && !path.startsWith("/api/") && !path.startsWith("/proxy/")) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await upstream?.close();
});

const card = (fn) => page.locator(`#call-${fn}`);
async function run(fn, fill = {}) {
  const form = card(fn);
  for (const [name, value] of Object.entries(fill)) {
    const control = form.locator(`[name="${name}"]`).first();
    const tag = await control.evaluate((n) => `${n.tagName}:${n.type}`);
    if (tag === "SELECT:select-one") await control.selectOption(String(value));
    else if (tag === "INPUT:checkbox") await control.setChecked(Boolean(value));
    else await control.fill(String(value));
  }
  await form.locator("button[type=submit]").click();
  await form.locator(".result > *").first().waitFor();
  await page.waitForFunction((id) => !document.querySelector(`#${id} .progress`), `call-${fn}`);
  return (await form.locator(".result").innerText()).trim();
}
const shot = (id) => page.locator(`#${id}`).screenshot({ path: `${shots}${id}.png` });

test("users: create, find in the list, fetch, update, delete, then not_found", async () => {
  const userId = String(Date.now() % 1e9);
  const created = await run("createUser", { user_id: userId, email: `demo${userId}@example.com`, name: "Demo User", tags: "VIP, beta", prop_name: "plan", prop_value: "pro" });
  assert.match(created, /user/);
  assert.match(created, new RegExp(`demo${userId}@example.com`));
  const listed = await run("listUsers", { limit: 10000, order_by: "created_at", order: "desc" });
  assert.match(listed, new RegExp(`demo${userId}@example.com`), "the new user is in the list");
  assert.match(listed, /items/);
  assert.match(await run("fetchUser", { ref_by: "user_id", ref_value: userId }), /Demo User/);
  assert.match(await run("updateUser", { ref_by: "email", ref_value: `demo${userId}@example.com`, name: "Renamed User" }), /Renamed User/);
  assert.match(await run("deleteUser", { ref_by: "user_id", ref_value: userId }), /Done/);
  const missing = await run("fetchUser", { ref_by: "user_id", ref_value: userId });
  assert.match(missing, /not_found/);
  assert.match(missing, /HTTP 404/);
  await shot("users");
});

test("leads: create, list 75 leads, fetch, update, delete; a user is not a lead", async () => {
  const email = `lead${Date.now()}@example.com`;
  assert.match(await run("createLead", { email, name: "Demo Lead" }), /lead/);
  assert.match(await run("listLeads", { limit: 75 }), /75 items/);
  assert.match(await run("fetchLead", { ref_by: "email", ref_value: email }), /Demo Lead/);
  assert.match(await run("updateLead", { ref_by: "email", ref_value: email, phone: "+1 555 0199" }), /555 0199/);
  assert.match(await run("deleteLead", { ref_by: "email", ref_value: email }), /Done/);
  assert.match(await run("fetchLead", { ref_by: "id", ref_value: "1240" }), /not_found|lead/);
  await shot("leads");
});

test("tags: create, rename, tag 120 contacts with counts, list, delete", async () => {
  const name = `Demo ${Date.now()}`;
  const created = await run("createTag", { name });
  const id = created.match(/id\s+(\d+)/)[1];
  assert.match(await run("updateTag", { id, name: `${name}!` }), new RegExp(`${name}!`));
  const users = Array.from({ length: 120 }, (_, i) => 1001 + i).join("\n");
  const tagged = await run("tagContacts", { tag: `${name}!`, users, leads: "ghost@example.com" });
  assert.match(tagged, /120 tagged, 0 untagged, 1 failed/);
  assert.match(tagged, /not_found/);
  assert.match(await run("listTags", { limit: 1000 }), new RegExp(`${name}!`));
  assert.match(await run("deleteTag", { id }), /Done/);
  await shot("tags");
});

test("segments and campaigns", async () => {
  assert.match(await run("fetchSegment", { id: 1, include_count: true }), /count\s+\d+/);
  assert.match(await run("listSegments", { include_count: true }), /3 items/);
  assert.match(await run("fetchCampaign", { id: 100 }), /email_open_rate\s+41\.5/);
  assert.match(await run("listCampaigns", { limit: 2 }), /2 items/);
  await shot("segments");
  await shot("campaigns");
});

test("tracked events: the stored name is previewed and recorded", async () => {
  const form = card("recordEvent");
  await form.locator('[name="event_name"]').fill("order.completed$now");
  assert.equal(await form.locator(".preview").innerText(), "stored as: order-completed-now");
  const userId = demo.mock.state.contacts.find((c) => c.type === "user").user_id;
  const recorded = await run("recordEvent", { who: "user", ref_by: "user_id", ref_value: userId, properties: '{"total": 42}' });
  assert.match(recorded, /order-completed-now/);
  assert.match(await run("listEvents", { limit: 5 }), /5 items/);
  await shot("events");
});

test("API call: any status resolves, shown with its body", async () => {
  const answer = await run("apiCall", { url: "/contacts/1" });
  assert.match(answer, /status\s+404/);
  assert.match(await run("apiCall", { url: "https://example.com/x" }), /invalid_argument/);
  await shot("api-call");
});

test("long calls show progress and can be cancelled", async () => {
  demo.mock.fail({ path: "/contacts", method: "GET", delayMs: 10_000 });
  const form = card("listUsers");
  await form.locator("button[type=submit]").click();
  await form.locator(".progress progress").waitFor();
  await form.locator(".progress button", { hasText: "Cancel" }).click();
  await form.locator(".result .code").waitFor();
  assert.equal(await form.locator(".result .code").innerText(), "aborted");
  demo.mock.reset();
});

test("webhooks: the inspector types and verifies, the live receiver shows deliveries", async () => {
  const inspector = page.locator("#inspector");
  await inspector.locator('[name="secret"]').fill("s3cret");
  await inspector.locator('[name="signature"]').fill("s3cret");
  await inspector.locator("button[type=submit]").click();
  await page.locator("#inspector-result table").waitFor();
  const shown = await page.locator("#inspector-result").innerText();
  assert.match(shown, /kind\s+contact/);
  assert.match(shown, /event_name\s+user-created/);
  assert.match(await page.locator("#inspector-verdict").innerText(), /Verified/);
  await inspector.locator('[name="signature"]').fill("forged");
  await inspector.locator("button[type=submit]").click();
  await page.waitForFunction(() => document.querySelector("#inspector-verdict").textContent.includes("Not verified"));
  await inspector.locator('[name="sample"]').selectOption("garbage (not JSON)");
  await inspector.locator("button[type=submit]").click();
  await page.waitForFunction(() => document.querySelector("#inspector-result .code")?.textContent === "invalid_webhook");

  await page.waitForFunction(() => document.querySelector("#receiver-status").textContent === "Listening.");
  const body = JSON.stringify({ topic: "contact.tagged", contact: { id: 1001, email: "ada@example.com" } });
  const delivered = await fetch(`${demo.url}/webhooks`, { method: "POST", body, headers: { "x-gist-webhook-token": "s3cret" } });
  assert.equal(delivered.status, 202);
  await page.locator('#deliveries li[data-kind="contact"]').first().waitFor();
  assert.match(await page.locator("#deliveries li").first().innerText(), /contact · contact\.tagged → contact-tagged · contact 1001 · ✔ verified/);
  await shot("webhooks");
});

test("the real-API mode goes through the proxy with the key from the page", async () => {
  await page.locator('input[name="mode"][value="real"]').check();
  await page.locator("#api-key").fill("real-key");
  assert.match(await page.locator("#mode-notice").innerText(), /memory only/);
  assert.match(await run("listCampaigns", { limit: 3 }), /3 items/);
  assert.ok(upstream.mock.requests.some((r) => r.path === "/campaigns"), "the call reached the upstream through /proxy");
  assert.doesNotMatch(await wireOf("listCampaigns"), /real-key/);
  await page.locator("#api-key").fill("wrong-key");
  assert.match(await run("listCampaigns", {}), /unauthorized/);
  await page.locator('input[name="mode"][value="mock"]').check();
  await page.locator("#reset").click();
  await page.waitForFunction(() => document.querySelector("#mode-notice").textContent.startsWith("Mock data reset"));
});

const codeOf = (fn) => card(fn).locator(".code-view code").innerText();
const wireOf = (fn) => card(fn).locator(".wire-view").innerText();
const mockRequests = async () => (await (await fetch(`${demo.url}/api/__mock/requests`)).json()).requests.length;

test("each call shows the code it runs, live, and its exchange on the wire", async () => {
  const form = card("listUsers");
  await form.locator('[name="limit"]').fill("50");
  await form.locator('[name="order_by"]').selectOption("");
  await form.locator('[name="filter_by"]').selectOption("tag_id");
  await form.locator('[name="filter_value"]').fill("3");
  assert.equal(await codeOf("listUsers"), 'await gist.listUsers({ limit: 50, order: "desc", tag_id: 3 })');
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: demo.url });
  await form.locator(".code-view button", { hasText: "Copy" }).click();
  await form.locator(".code-view button", { hasText: "Copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await codeOf("listUsers"));
  await run("listUsers");
  const wire = await wireOf("listUsers");
  assert.match(wire, /GET \/contacts Authorization: Bearer ••• · attempt 1 → 200 in \d+ ms/);
  assert.match(wire, /HTTP 200 after 1 request/);
  assert.doesNotMatch(wire, /mock-key/);

  const name = `Wire ${Date.now()}`;
  await card("createTag").locator('[name="name"]').fill(name);
  assert.equal(await codeOf("createTag"), `await gist.createTag("${name}")`);
  assert.match(await run("createTag"), new RegExp(name));
  assert.match(await wireOf("createTag"), /POST \/tags .*→ 20\d in \d+ ms/);
  await shot("call-listUsers");
  await shot("call-createTag");
});

test("a retried call shows both attempts and the wait between them", async () => {
  demo.mock.fail({ method: "GET", path: "/campaigns", status: 503, headers: { "retry-after": "0" } });
  assert.match(await run("listCampaigns", { limit: 2 }), /2 items/);
  const wire = await wireOf("listCampaigns");
  assert.match(wire, /GET \/campaigns .*attempt 1 → 503/);
  assert.match(wire, /↻ 503: retrying GET \/campaigns after 0 ms/);
  assert.match(wire, /GET \/campaigns .*attempt 2 → 200/);
  assert.match(wire, /HTTP 200 after 2 requests/);
});

test("invalid JSON is shown under its field and nothing is sent", async () => {
  const form = card("recordEvent");
  await form.locator('[name="properties"]').fill('{"total": 42');
  assert.match(await codeOf("recordEvent"), /^\/\/ Invalid JSON: /);
  const before = await mockRequests();
  await form.locator("button[type=submit]").click();
  assert.match(await form.locator(".field small.error").innerText(), /^Invalid JSON: .+/);
  assert.equal(await form.locator(".result").innerText(), "");
  assert.equal(await mockRequests(), before, "no request reached the mock");
  await form.locator('[name="properties"]').fill('{"total": 42}');
  assert.equal(await form.locator(".field small.error").innerText(), "");
});

test("every control has a label, the page fits a phone, and nothing went wrong", async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((c) => c.type !== "hidden" && !c.labels?.length && !c.getAttribute("aria-label"))
      .map((c) => c.name || c.id));
  assert.deepEqual(unlabelled, []);
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip", "the first Tab reaches the skip link");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
  await page.screenshot({ path: `${shots}phone.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${shots}top.png` });
  assert.deepEqual(problems, []);
});
