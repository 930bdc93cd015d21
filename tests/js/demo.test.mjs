// The demo page end to end in headless Chromium: the first screen, a form for every function of the
// package, every module's forms on the built-in mock (each call's code and its requests on the wire, the
// key masked), the iterators' pages and cursors, the webhook inspector, signWebhook, handleWebhook and
// the live receiver (verifying the bytes that were signed), results shown by the function called, progress and cancel, a retry, invalid JSON that sends nothing, the real-API mode through the
// proxy (aimed at a second mock), readable values (local times with their zone, "never", labelled
// selects, the sort column), a keyboard-only flow through the tabs, axe-core with every section's results
// on screen, and no console errors. Screenshots of each section, at 1280×800 and 390×844, go to
// target/e2e/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serveMock } from "gist-wasm/mock/server";
import { startDemoServer } from "../../www/server.mjs";

const shots = fileURLToPath(new URL("../../target/e2e/screenshots/", import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
// The page shows times in the visitor's zone: this one has a half-hour offset no default would give.
const TIME_ZONE = "Asia/Kolkata";
const ZONE_NAME = "GMT+5:30";
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
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: TIME_ZONE });
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
/** Shows a module's tab, by a click as a visitor would. */
const openModule = (id) => page.locator(`#tab-${id}`).click();
/** Shows a function's form: its module's tab, then its own tab if the module has several. */
async function openForm(fn) {
  await openModule(await card(fn).evaluate((n) => n.closest(".module").id));
  if (await page.locator(`#tab-${fn}`).count()) await page.locator(`#tab-${fn}`).click();
}
async function run(fn, fill = {}) {
  const form = card(fn);
  await openForm(fn);
  for (const [name, value] of Object.entries(fill)) {
    const control = form.locator(`[name="${name}"]`).first();
    const more = control.locator("xpath=ancestor::details[1]");
    if ((await more.count()) && !(await more.evaluate((d) => d.open))) await more.locator("summary").click();
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
const codeOf = (fn) => card(fn).locator(".code-view code").innerText();
const wireOf = (fn) => card(fn).locator(".wire-view").innerText();
const mockRequests = async () => (await (await fetch(`${demo.url}/api/__mock/requests`)).json()).requests.length;

/** The code view shows the call; the wire view its request (`method`, a path starting `path`), the key masked, `status`, and an answer's headers. */
async function assertExplained(fn, method, path, status) {
  assert.match(await codeOf(fn), new RegExp(`^await gist\\.${fn}\\(`));
  const wire = await wireOf(fn);
  const line = new RegExp(`${method} ${path.replace(/[?]/g, "\\?")}\\S* Authorization: Bearer ••• · attempt 1 → ${status} in \\d+ ms`);
  assert.match(wire, line, `${fn}'s wire view`);
  const sent = await card(fn).locator(".wire-view li.exchange details pre").last().textContent();
  assert.match(sent, /^accept: application\/json$/m, `${fn}'s request headers`);
  assert.doesNotMatch(sent, /authorization|mock-key/i);
  if (method === "POST") assert.match(sent, /\n\n\{\n {2}"/, `${fn}'s request body, pretty-printed`);
  if (status < 400) {
    assert.match(wire, new RegExp(`HTTP ${status} after \\d+ requests?`));
    assert.match(wire, /Response headers \(\d+\)/);
    const headers = await card(fn).locator(".wire-view details.summary pre").textContent();
    assert.match(headers, /^content-type: application\/json/m, `${fn}'s response headers`);
  }
}

/** The first screen's rows of the size and speed table, and the README's row each repeats. */
const README_ROWS = {
  "Download (JS + wasm, gzip)": "download: JS minified + .wasm, gzip -9",
  "Slow 4G page, to a ready client": "Chromium slow 4G",
  "Workers start-up (workerd)": "workerd alone",
  "Node import + new client": "Node: import",
};

/**
 * The README's "Size and speed" table: the commit it was measured at, and `row(start)`, the first figure
 * of the gist-wasm, stripe and openai columns of the row whose label starts with `start`.
 */
function readmeBench() {
  const text = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = text.slice(text.indexOf("## Size and speed"));
  const rows = section.split("\n").filter((l) => l.startsWith("| ")).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
  const figure = (cell) => cell.replaceAll("**", "").match(/^[\d.,]+ [KM]?B|^[\d.,]+ ms/)?.[0];
  return {
    commit: section.match(/Measured at commit (\w+)/)?.[1],
    row: (start) => rows.find(([label]) => label.startsWith(start))?.slice(1, 4).map(figure),
  };
}

/** Screenshots of the explorer showing `id`'s module (its last result on screen), at 1280×800 and 390×844. */
async function shoot(id) {
  await openModule(id);
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.locator("#modules").evaluate((n) => n.scrollIntoView());
    await page.screenshot({ path: `${shots}${id}-${width}x${height}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("the first screen says what it is, how to install it, an example, links, and the measured size and speed", async (t) => {
  const hero = page.locator("header.hero");
  assert.ok(await hero.isVisible());
  const text = await hero.innerText();
  assert.match(text, /typed client for the Gist customer-messaging API/);
  assert.match(text, /npm install gist-wasm/);
  assert.equal((await hero.locator("pre.example code").innerText()).split("\n").length, 5);
  for (const href of ["/pkg/README.md", "/pkg/index.d.ts"]) {
    const answer = await fetch(`${demo.url}${href}`);
    assert.equal(answer.status, 200, href);
    assert.match(answer.headers.get("content-type"), /^text\/plain/);
    assert.equal(await hero.locator(`a[href="${href}"]`).count(), 1);
  }
  const readme = readmeBench();
  const shown = await hero.locator(".bench table").evaluate((t) => ({
    heading: t.querySelector("thead th").textContent,
    rows: [...t.querySelectorAll("tbody tr")].map((r) => [...r.cells].map((c) => c.textContent.trim())),
  }));
  assert.equal(shown.heading, `measured at ${readme.commit}`);
  assert.equal(shown.rows.length, Object.keys(README_ROWS).length);
  for (const [label, ...figures] of shown.rows) {
    assert.deepEqual(figures, readme.row(README_ROWS[label]), `the first screen's "${label}" is the README's`);
  }
  const [size, slow4g, workerd, node] = shown.rows.map((r) => r.slice(1).map((f) => parseFloat(f.replaceAll(",", ""))));
  const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
  const openai4g = (ms) => (ms < 0 ? `${Math.round(-ms)} ms before openai's` : `${Math.round(ms)} ms after openai's`);
  const summary = await hero.locator(".bench p").innerText();
  for (const claim of [ratio(workerd[1], workerd[0]), ratio(node[1], node[0]), ratio(size[0], size[1]),
    `${Math.round(slow4g[0] - slow4g[1])} ms after`, openai4g(slow4g[0] - slow4g[2])]) {
    assert.ok(summary.includes(claim), `the summary under the table says ${claim}`);
  }
  const box = await page.locator("#explorer").boundingBox();
  assert.ok(box.y < 800, "the explorer starts on the first screen at 1280×800");
  const sizes = {};
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    sizes[`${width}x${height}`] = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: `${shots}first-screen-${width}x${height}.png` });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than ${width}px`);
    const tabs = await page.locator("#modules > [role=tablist] [role=tab]").evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().right));
    assert.ok(Math.max(...tabs) <= width, `a module tab is cut off at ${width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  // The page was 6,575 px tall at 1280×800 and 13,771 px on a phone when every module showed at once.
  assert.ok(sizes["1280x800"] < 2000 && sizes["390x844"] < 3000, `page heights ${JSON.stringify(sizes)}`);
  t.diagnostic(`page heights: ${JSON.stringify(sizes)}`);
  // The webhooks panel, hidden until its tab is chosen, opens no stream until then.
  assert.equal(demo.webhooks.watching, 0);
});

test("users: create, find in the list, fetch, update, delete, then not_found", async () => {
  const userId = String(Date.now() % 1e9);
  const created = await run("createUser", { user_id: userId, email: `demo${userId}@example.com`, name: "Demo User", tags: "VIP, beta", prop_name: "plan", prop_value: "pro" });
  assert.match(created, /user/);
  assert.match(created, new RegExp(`demo${userId}@example.com`));
  await assertExplained("createUser", "POST", "/contacts", 200);
  const listed = await run("listUsers", { limit: 10000, order_by: "created_at", order: "desc" });
  assert.match(listed, new RegExp(`demo${userId}@example.com`), "the new user is in the list");
  assert.match(listed, /items, sorted by created_at \(newest first\)/);
  assert.ok(listed.includes(ZONE_NAME), "times are shown in the visitor's zone, named");
  await assertExplained("listUsers", "GET", "/contacts", 200);
  assert.match(await run("fetchUser", { ref_by: "user_id", ref_value: userId }), /Demo User/);
  await assertExplained("fetchUser", "GET", "/contacts", 200);
  await shoot("users");
  assert.match(await run("updateUser", { ref_by: "email", ref_value: `demo${userId}@example.com`, name: "Renamed User" }), /Renamed User/);
  await run("updateUser", { ref_by: "email", ref_value: `demo${userId}@example.com`, unsubscribed_from_emails: "false" });
  assert.match(await codeOf("updateUser"), /unsubscribed_from_emails: false/, "a contact can be subscribed again");
  await assertExplained("updateUser", "POST", "/contacts", 200);
  assert.match(await run("deleteUser", { ref_by: "user_id", ref_value: userId }), /Done/);
  await assertExplained("deleteUser", "DELETE", "/contacts", 200);
  const missing = await run("fetchUser", { ref_by: "user_id", ref_value: userId });
  assert.match(missing, /not_found/);
  assert.match(missing, /HTTP 404/);
  await assertExplained("fetchUser", "GET", "/contacts", 404);
});

test("lists show their sort column; times of 0 or none read \"never\"; selects show labels and send wire names", async () => {
  await openForm("listUsers");
  const sortBy = card("listUsers").locator('[name="order_by"]');
  assert.equal(await sortBy.locator('option[value="last_seen_at"]').innerText(), "Last seen");
  const listed = await run("listUsers", { limit: 20, order_by: "last_seen_at", order: "desc" });
  assert.match(await codeOf("listUsers"), /order_by: "last_seen_at"/);
  assert.match(listed, /sorted by last_seen_at/);
  const header = card("listUsers").locator("th", { hasText: "last_seen_at" });
  assert.equal(await header.getAttribute("aria-sort"), "descending");
  const leads = await run("listLeads", { limit: 5, order_by: "signed_up_at", order: "asc" });
  assert.match(leads, /sorted by signed_up_at \(oldest first\)/);
  assert.match(leads, /never/, "a lead's signed_up_at of 0 reads never");
  const ways = await card("fetchUser").locator('[name="ref_by"] option').evaluateAll((os) => os.map((o) => `${o.value}=${o.textContent}`));
  assert.deepEqual(ways, ["id=Gist id", "user_id=User id", "email=Email"]);
  // Update asks for what it changes: the contact, and the usual fields; the rest wait behind "More fields".
  const update = card("updateUser");
  assert.equal(await update.locator('[name="user_id"]').isVisible(), false);
  assert.equal(await update.locator("details.more").count(), 1);
});

test("leads: create, list 75 leads, fetch, update, delete; a user is not a lead", async () => {
  const email = `lead${Date.now()}@example.com`;
  assert.match(await run("createLead", { email, name: "Demo Lead" }), /lead/);
  await assertExplained("createLead", "POST", "/contacts", 200);
  assert.match(await run("listLeads", { limit: 75 }), /75 items/);
  await assertExplained("listLeads", "GET", "/contacts", 200);
  assert.match(await run("fetchLead", { ref_by: "email", ref_value: email }), /Demo Lead/);
  await assertExplained("fetchLead", "GET", "/contacts", 200);
  assert.match(await run("updateLead", { ref_by: "email", ref_value: email, phone: "+1 555 0199" }), /555 0199/);
  await assertExplained("updateLead", "POST", "/contacts", 200);
  assert.match(await run("deleteLead", { ref_by: "email", ref_value: email }), /Done/);
  await assertExplained("deleteLead", "DELETE", "/contacts", 200);
  assert.match(await run("fetchLead", { ref_by: "id", ref_value: "1240" }), /not_found|lead/);
  await shoot("leads");
});

test("tags: create, rename, tag 120 contacts with counts, list, delete", async () => {
  const name = `Demo ${Date.now()}`;
  const created = await run("createTag", { name });
  assert.equal(await codeOf("createTag"), `await gist.createTag("${name}")`);
  await assertExplained("createTag", "POST", "/tags", 200);
  const id = created.match(/id\s+(\d+)/)[1];
  assert.match(await run("updateTag", { id, name: `${name}!` }), new RegExp(`${name}!`));
  await assertExplained("updateTag", "POST", "/tags", 200);
  const users = Array.from({ length: 120 }, (_, i) => 1001 + i).join("\n");
  const tagged = await run("tagContacts", { tag: `${name}!`, users, leads: "ghost@example.com" });
  assert.match(tagged, /120 tagged, 0 untagged, 1 failed/);
  assert.match(tagged, /not_found/);
  await assertExplained("tagContacts", "POST", "/tags", 200);
  assert.match(await run("listTags", { limit: 1000 }), new RegExp(`${name}!`));
  await assertExplained("listTags", "GET", "/tags", 200);
  assert.match(await run("deleteTag", { id }), /Done/);
  await assertExplained("deleteTag", "DELETE", "/tags", 200);
  await shoot("tags");
});

test("segments and campaigns", async () => {
  assert.match(await run("fetchSegment", { id: 1, include_count: true }), /count\s+\d+/);
  await assertExplained("fetchSegment", "GET", "/segments/1", 200);
  assert.match(await run("listSegments", { include_count: true }), /3 items/);
  await assertExplained("listSegments", "GET", "/segments", 200);
  assert.match(await run("fetchCampaign", { id: 100 }), /email_open_rate\s+41\.5/);
  await assertExplained("fetchCampaign", "GET", "/campaigns/100", 200);
  assert.match(await run("listCampaigns", { limit: 2 }), /2 items/);
  await assertExplained("listCampaigns", "GET", "/campaigns", 200);
  await shoot("segments");
  await shoot("campaigns");
});

test("tracked events: the stored name is previewed and recorded", async () => {
  await openForm("recordEvent");
  const form = card("recordEvent");
  await form.locator('[name="event_name"]').fill("order.completed$now");
  await page.waitForFunction(() => document.querySelector("#call-recordEvent .preview").textContent !== "");
  assert.equal(await form.locator(".preview").innerText(), "stored as: order-completed-now");
  const userId = demo.mock.state.contacts.find((c) => c.type === "user").user_id;
  const recorded = await run("recordEvent", { who: "user", ref_by: "user_id", ref_value: userId, properties: '{"total": 42}' });
  assert.match(recorded, /order-completed-now/);
  await assertExplained("recordEvent", "POST", "/events", 200);
  assert.match(await run("listEvents", { limit: 5 }), /5 items/);
  await assertExplained("listEvents", "GET", "/events", 200);
  await shoot("events");
});

test("API call: any status resolves, shown with its body pretty-printed and scrollable", async () => {
  const answer = await run("apiCall", { url: "/contacts/1" });
  assert.match(answer, /status\s+404/);
  await assertExplained("apiCall", "GET", "/contacts/1", 404);
  assert.match(await run("apiCall", { url: "https://example.com/x" }), /invalid_argument/);
  const ok = await run("apiCall", { url: "/campaigns", query: '{"per_page": 2}' });
  assert.match(ok, /status\s+200/);
  const body = card("apiCall").locator("table.kv pre[role=region]").first();
  assert.ok((await body.innerText()).split("\n").length > 10, "the body is indented JSON over many lines");
  assert.equal(await body.getAttribute("tabindex"), "0");
  await shoot("api-call");
});

test("long calls show progress and can be cancelled", async () => {
  demo.mock.fail({ path: "/contacts", method: "GET", delayMs: 10_000 });
  await openForm("listUsers");
  const form = card("listUsers");
  await form.locator("button[type=submit]").click();
  await form.locator(".progress progress").waitFor();
  await form.locator(".progress button", { hasText: "Cancel" }).click();
  await form.locator(".result .code").waitFor();
  assert.equal(await form.locator(".result .code").innerText(), "aborted");
  demo.mock.reset();
});

test("webhooks: the inspector types and verifies, the live receiver shows deliveries", async () => {
  await openModule("webhooks");
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
  await shoot("webhooks");
  // A secret the client refuses is told as its error, not as a delivery that failed its check (an outside
  // review: "✘ not verified").
  await inspector.locator('[name="secret"]').fill(" s3cret");
  const count = await page.locator("#deliveries li").count();
  assert.equal((await fetch(`${demo.url}/webhooks`, { method: "POST", body, headers: { "x-gist-webhook-token": "s3cret" } })).status, 202);
  await page.waitForFunction((n) => document.querySelectorAll("#deliveries li").length > n, count);
  assert.match(await page.locator("#deliveries li").first().innerText(), /✘ invalid_argument: .*white space/);
  await inspector.locator('[name="secret"]').fill("s3cret");
});

test("the live receiver verifies the bytes that were signed: a body with a byte order mark or a byte that is not UTF-8", async () => {
  await openModule("webhooks");
  await page.waitForFunction(() => document.querySelector("#receiver-status").textContent === "Listening.");
  const inspector = page.locator("#inspector");
  await inspector.locator('[name="secret"]').fill("s3cret");
  await inspector.locator('[name="scheme"]').selectOption("hmac-sha256");
  await inspector.locator('[name="header"]').fill("");
  const json = Buffer.from('{"topic":"user.created","contact":{"id":1001,"name":"Ada"}}');
  const bodies = {
    plain: json,
    "byte order mark": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]),
    "latin-1 byte": Buffer.from('{"topic":"user.created","contact":{"id":1001,"name":"Ren\xe9"}}', "latin1"),
  };
  const deliver = async (bytes, signature) => {
    const count = await page.locator("#deliveries li").count();
    const answer = await fetch(`${demo.url}/webhooks`, { method: "POST", body: bytes, headers: { "content-type": "application/json", "x-gist-signature": signature } });
    assert.equal(answer.status, 202);
    await page.waitForFunction((n) => document.querySelectorAll("#deliveries li").length > n, count);
    return page.locator("#deliveries li").first().innerText();
  };
  try {
    for (const [name, bytes] of Object.entries(bodies)) {
      const shown = await deliver(bytes, createHmac("sha256", "s3cret").update(bytes).digest("hex"));
      assert.match(shown, /contact · user\.created → user-created · contact 1001 · ✔ verified/, name);
    }
    const forged = await deliver(bodies["latin-1 byte"], createHmac("sha256", "s3cret").update(json).digest("hex"));
    assert.match(forged, /✘ not verified/, "a signature of other bytes");
  } finally {
    await inspector.locator('[name="scheme"]').selectOption("token");
  }
});

test("the real-API mode goes through the proxy with the key from the page, which the page never shows", async () => {
  await page.locator('input[name="mode"][value="real"]').check();
  await page.locator("#api-key").fill("real-key");
  await page.locator("#api-key").press("Enter"); // submits the form: no reload, the mode and key stay
  assert.equal(await page.locator('input[name="mode"]:checked').getAttribute("value"), "real");
  assert.match(await page.locator("#mode-notice").innerText(), /memory only/);
  assert.match(await run("listCampaigns", { limit: 3 }), /3 items/);
  assert.ok(upstream.mock.requests.some((r) => r.path === "/campaigns"), "the call reached the upstream through /proxy");
  await assertExplained("listCampaigns", "GET", "/campaigns", 200);
  const html = await page.content();
  assert.ok(!html.includes("real-key") && !html.includes("mock-key"), "no key in the page");
  assert.ok(!(await page.locator("body").innerText()).includes("real-key"));
  await page.locator("#api-key").fill("wrong-key");
  assert.match(await run("listCampaigns", {}), /unauthorized/);
  await page.locator('input[name="mode"][value="mock"]').check();
  await page.locator("#reset").click();
  await page.waitForFunction(() => document.querySelector("#mode-notice").textContent.startsWith("Mock data reset"));
});

test("each call's code is live as the form changes, and Copy copies it", async () => {
  await openForm("listUsers");
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
  assert.doesNotMatch(await wireOf("listUsers"), /mock-key/);
});

test("every function of the package has a form, or a part of the webhooks panel that runs it", async () => {
  const types = await (await fetch(`${demo.url}/pkg/index.d.ts`)).text();
  const client = types.slice(types.indexOf("export class GistClient {"), types.indexOf("\n}\n", types.indexOf("export class GistClient {")));
  // Not calls to try: the constructor, free(), and initSync (like init, kept for compatibility: the wasm loads on import).
  const methods = [...client.matchAll(/^ {4}(\w+)\(/gm)].map((m) => m[1]).filter((name) => !["constructor", "free"].includes(name));
  const functions = [...types.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]).filter((name) => name !== "initSync");
  assert.ok(methods.length >= 28 && functions.includes("handleWebhook"), "index.d.ts read");
  // The inspector runs parseWebhook and verifyWebhook (the live receiver too); recordEvent's preview and the inspector, normalizeEventName.
  const elsewhere = ["parseWebhook", "verifyWebhook", "normalizeEventName"];
  const forms = await page.locator("form[data-fn]").evaluateAll((fs) => fs.map((f) => f.dataset.fn));
  const missing = [...methods, ...functions].filter((fn) => !forms.includes(fn) && !elsewhere.includes(fn));
  assert.deepEqual(missing, []);
  const webhooks = await readFile(new URL("../../www/webhooks.js", import.meta.url), "utf8");
  for (const fn of elsewhere) assert.match(webhooks, new RegExp(`\\b${fn}\\(`), `the webhooks panel runs ${fn}`);
});

test("iterators: each walks its pages, showing the cursor after each; a cursor resumes the walk", async () => {
  const lists = { iterUsers: "/contacts", iterLeads: "/contacts", iterTags: "/tags", iterSegments: "/segments", iterCampaigns: "/campaigns", iterEvents: "/events" };
  for (const [fn, path] of Object.entries(lists)) {
    const shown = await run(fn);
    assert.match(shown, /^\d+ pages?, \d+ items?; (stopped here: the last cursor goes on from there|the walk ended)/, fn);
    assert.match(await codeOf(fn), new RegExp(`^const walk = gist\\.${fn}\\(.*\\);\\n[^]*for await \\(const page of walk\\.pages\\(\\)\\)[^]*if \\(\\+\\+pages === 3\\) break;`), `${fn}'s code`);
    assert.match(await wireOf(fn), new RegExp(`GET ${path}\\S* Authorization: Bearer ••• · attempt 1 → 200 in \\d+ ms`), `${fn}'s wire view`);
    assert.ok(await card(fn).locator("details.page code.cursor").first().innerText(), `${fn} shows a cursor`);
  }
  assert.match(await run("iterTags", { limit: "" }), /^1 page, 6 items; the walk ended/);
  assert.match(await run("iterTags", { limit: 2 }), /^1 page, 2 items; its limit reached: the last cursor goes on from there/);
  assert.equal(await codeOf("iterTags").then((c) => c.split("\n")[0]), "const walk = gist.iterTags({ limit: 2 });");

  // Two pages of users, then a third from the second's cursor: it goes on where they stopped.
  assert.match(await run("iterUsers", { limit: "", pages: 2 }), /^2 pages, \d+ items; stopped here/);
  const ids = async () => card("iterUsers").locator("details.page tbody tr td:first-child").allInnerTexts();
  const seen = await ids();
  const cursor = await card("iterUsers").locator("details.page code.cursor").nth(1).innerText();
  assert.match(await run("iterUsers", { cursor, pages: 1 }), /^1 page, \d+ items; stopped here/);
  assert.match(await codeOf("iterUsers"), new RegExp(`^const walk = gist\\.iterUsers\\(\\{\\s+cursor: "${cursor}",?\\s+\\}\\);\\n`));
  const next = await ids();
  assert.ok(next.length > 0);
  assert.deepEqual(next.filter((id) => seen.includes(id)), [], "the resumed page holds none of the pages before it");
  await card("iterUsers").locator('[name="cursor"]').fill("");
});

test("webhook functions: signWebhook gives the headers, handleWebhook verifies and parses the Request a receiver gets", async () => {
  await openModule("webhooks");
  const body = await card("signWebhook").locator('[name="body"]').inputValue();
  const signed = await run("signWebhook", { body: `${body}\n` });
  const hmac = createHmac("sha256", "s3cret").update(`${body}\n`).digest("hex");
  assert.match(signed, new RegExp(`x-gist-signature\\s+${hmac}`), "the body is signed as typed, its newline too");
  assert.equal(await codeOf("signWebhook"), `await signWebhook(${JSON.stringify(`${body}\n`)}, { secret: "s3cret", scheme: "hmac-sha256", encoding: "hex" })`);
  assert.equal(await card("signWebhook").locator(".wire-view").isVisible(), false, "no HTTP");
  assert.match(await run("signWebhook", { scheme: "token" }), /x-gist-webhook-token\s+s3cret/);

  const verified = await run("handleWebhook", { body, header: "x-gist-signature", signature: createHmac("sha256", "s3cret").update(body).digest("hex"), scheme: "hmac-sha256" });
  assert.match(verified, /kind\s+contact/);
  assert.match(verified, /topic\s+user\.created/);
  assert.match(await codeOf("handleWebhook"), new RegExp(`^const request = new Request\\("${demo.url}/webhooks", \\{[^]*method: "POST"[^]*"x-gist-signature": "${createHmac("sha256", "s3cret").update(body).digest("hex")}"[^]*\\}\\);\\nawait handleWebhook\\(request, \\{[^]*verify: \\{ secret: "s3cret", scheme: "hmac-sha256" \\}`));
  assert.match(await run("handleWebhook", { signature: "forged" }), /invalid_webhook HTTP 401 /);
  assert.match(await run("handleWebhook", { header: "x-gist-webhook-token", signature: "s3cret", scheme: "token" }), /kind\s+contact/);
  assert.match(await run("handleWebhook", { body: "<html>502</html>" }), /invalid_webhook HTTP 400 /);
  assert.match(await run("handleWebhook", { body, secret: "" }), /kind\s+contact/, "no secret: parsed, not verified");
  for (const fill of [{ header: "bad header" }, { signature: "s3cret\u20ac" }]) {
    assert.match(await run("handleWebhook", fill), /^invalid_argument no delivery can carry that header/, JSON.stringify(fill));
  }
  assert.doesNotMatch(await codeOf("handleWebhook"), /verify/);
});

test("a result is shown by the function that was called, not by its shape: any value renders", async () => {
  // A contact may carry any top-level field Gist adds; "tagged" and "failed" made it look like tagContacts' answer.
  const contact = demo.mock.state.contacts.find((c) => c.id === 1001);
  Object.assign(contact, { tagged: 1, failed: [] });
  try {
    const shown = await run("fetchUser", { ref_by: "id", ref_value: "1001" });
    assert.doesNotMatch(shown, /TypeError/);
    assert.match(shown, /tagged\s+1/);
    assert.match(shown, new RegExp(`email\\s+${contact.email}`));
  } finally {
    delete contact.tagged;
    delete contact.failed;
  }
  const rendered = await page.evaluate(async () => {
    const { showResult } = await import("/results.js");
    const odd = [["fetchUser", { tagged: 2, failed: "none", tag: null }], ["listUsers", [1, "two", null]], ["apiCall", "text"],
      ["fetchSegment", 42], ["tagContacts", { tagged: 0 }], ["iterTags", { pages: [{ items: [{ id: 1 }], cursor: "c" }, "not a page"] }],
      [undefined, [[1, 2]]], ["listTags", { id: 1 }]];
    return odd.map(([fn, value]) => {
      const panel = document.createElement("div");
      try {
        showResult(panel, value, { fn });
        return panel.textContent.includes("Raw JSON") ? "ok" : `${fn}: no raw JSON`;
      } catch (error) {
        return `${fn}: ${error}`;
      }
    });
  });
  assert.deepEqual(rendered, Array(8).fill("ok"));
});

test("result regions are live regions, and the progress bar and alerts carry their ARIA attributes", async () => {
  // Set as attributes: assigned as properties, "aria-live" and "aria-label" were expandos that no
  // assistive technology reads.
  const results = await page.locator("form[data-fn] ~ .result").evaluateAll((rs) => rs.map((r) => r.getAttribute("aria-live")));
  assert.ok(results.length >= 22);
  assert.deepEqual([...new Set(results)], ["polite"]);
  demo.mock.fail({ path: "/campaigns", method: "GET", delayMs: 10_000 });
  await openForm("listCampaigns");
  const form = card("listCampaigns");
  await form.locator("button[type=submit]").click();
  await form.locator(".progress progress").waitFor();
  assert.equal(await form.locator(".progress progress").getAttribute("aria-label"), "Working");
  assert.equal(await form.locator(".progress").getAttribute("role"), "status");
  await form.locator(".progress button", { hasText: "Cancel" }).click();
  await form.locator(".result .code").waitFor();
  assert.equal(await form.locator(".result p.error").getAttribute("role"), "alert");
  demo.mock.reset();
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
  await openForm("recordEvent");
  const form = card("recordEvent");
  await form.locator('[name="properties"]').fill('{"total": 42');
  assert.match(await codeOf("recordEvent"), /^\/\/ Invalid JSON at character 13: /);
  const before = await mockRequests();
  await form.locator("button[type=submit]").click();
  assert.match(await form.locator(".field small.error").innerText(), /^Invalid JSON at character 13: /);
  // What was typed is not quoted back: an email or a key in it stays out of the error line.
  await form.locator('[name="properties"]').fill('{"who": "ada@example.com" "key": "sk_live_abc"}');
  const said = await form.locator(".field small.error").innerText();
  assert.ok(!/ada@example|sk_live/.test(said) && !/ada@example|sk_live/.test(await codeOf("recordEvent")), said);
  assert.equal(await form.locator(".result").innerText(), "");
  assert.equal(await form.locator(".wire-view").isVisible(), false, "no request on the wire");
  assert.equal(await mockRequests(), before, "no request reached the mock");
  await form.locator('[name="properties"]').fill('{"total": 42}');
  assert.equal(await form.locator(".field small.error").innerText(), "");
  assert.match(await run("recordEvent"), /order-completed-now/, "once valid, it is sent");
});

test("axe-core finds no violation in any section, each with its results on screen", async () => {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const out = [];
    const check = async (where) => {
      const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
      out.push(...violations.map((v) => `${where}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`));
    };
    for (const tab of document.querySelectorAll("#modules > [role=tablist] [role=tab]")) {
      tab.click();
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      const inner = [...panel.querySelectorAll("[role=tab]")];
      for (const fn of inner.length ? inner : [null]) {
        fn?.click();
        const shown = [...panel.querySelectorAll(".result")].filter((r) => r.offsetParent !== null);
        if (shown.some((r) => !r.textContent.trim())) out.push(`${fn?.id ?? tab.id}: no result on screen`);
        await check(fn?.id ?? tab.id);
      }
    }
    return out;
  });
  assert.deepEqual(found, []);
});

test("keyboard only: Tab to the modules, arrows to switch, fill, Enter to submit", async () => {
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.locator("#reset").focus();
  await page.keyboard.press("Tab");
  const focused = () => page.evaluate(() => document.activeElement.id);
  assert.equal(await focused(), "tab-users", "Tab reaches the selected module tab");
  await page.keyboard.press("End");
  assert.equal(await focused(), "tab-webhooks");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focused(), "tab-users", "the arrows wrap around");
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  assert.equal(await focused(), "tab-campaigns");
  assert.equal(await page.locator("#tab-campaigns").getAttribute("aria-selected"), "true");
  assert.ok(await page.locator("#campaigns").isVisible());
  assert.equal(await page.locator("#users").isVisible(), false);
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "tab-fetchCampaign", "Tab moves on to the module's function tabs");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focused(), "tab-listCampaigns");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.name), "limit");
  const visible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(visible, "none", "the focused field shows its focus");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("3");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /3 items/.test(document.querySelector("#call-listCampaigns .result").textContent));
});

test("every control has a label, and nothing went wrong in the whole run", async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((c) => c.type !== "hidden" && !c.labels?.length && !c.getAttribute("aria-label"))
      .map((c) => c.name || c.id));
  assert.deepEqual(unlabelled, []);
  await page.goto(demo.url);
  await page.waitForSelector("body[data-ready=true]");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip", "the first Tab reaches the skip link");
  assert.deepEqual(problems, []);
});
