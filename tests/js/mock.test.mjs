// The mock Gist API users test against (gist-wasm/mock and gist-wasm/mock/server), from an outside review:
// a failure rule or a body it cannot read answers as Gist would, never a dropped connection; what Gist
// keeps for itself is not taken from a body; ids are digits; its command line says what it does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { GistClient } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { serveMock } from "gist-wasm/mock/server";

const SERVER = fileURLToPath(new URL("../../node_modules/gist-wasm/mock-server.js", import.meta.url));
const run = promisify(execFile);

function clientOf(mock) {
  return new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.test", fetch: mock.fetch, maxRetries: 2 });
}
const post = (mock, path, body) =>
  mock.fetch(`http://mock.test${path}`, { method: "POST", headers: { authorization: "Bearer mock-key", "content-type": "application/json" }, body: JSON.stringify(body) });

test("a failure rule with a status that has no body (204) answers it, once: the call is not retried as a dropped connection", async () => {
  const mock = createMockGist();
  mock.fail({ status: 204, method: "DELETE" });
  assert.equal(await clientOf(mock).deleteUser({ id: 1001 }), undefined);
  assert.deepEqual(mock.requests.map((r) => r.method), ["GET", "DELETE"], "the user looked up, then one DELETE");
  assert.ok(mock.state.contacts.some((c) => c.id === 1001), "the rule answered; nothing was deleted");
  for (const status of [0, 99, 600, 1.5, "500"]) assert.throws(() => mock.fail({ status }), TypeError, String(status));
  const unanswerable = [{ status: 500, headers: { "bad name": "x" } }, { status: 500, headers: { a: "x\u0000y" } }, { status: 500, headers: "oops" },
    { status: 500, times: "x" }, { status: 500, times: 0 }, { delayMs: -1 }, { fraction: 2 }, { method: 5 }];
  for (const rule of unanswerable) assert.throws(() => mock.fail(rule), TypeError, JSON.stringify(rule));
  mock.fail({ status: 503, headers: { "retry-after": 1 }, times: Infinity, path: "/never" });
});

test("a body the mock cannot read as Gist would is 422 parameter_invalid, and leaves the mock working", async () => {
  const mock = createMockGist();
  const bodies = [
    { email: "a@example.com", tags: "VIP" },
    { email: 12345 },
    { email: "a@example.com", custom_properties: [1] },
    { id: 999999 }, // names no contact, and gives neither email nor user_id
  ];
  for (const body of bodies) {
    const answer = await post(mock, "/contacts", body);
    assert.equal(answer.status, 422, JSON.stringify(body));
    assert.equal((await answer.json()).errors[0].code, "parameter_invalid");
  }
  assert.equal((await post(mock, "/tags", { name: "t", contacts: [null, 7] })).status, 200);
  const error = await clientOf(mock).apiCall({ url: "/contacts", method: "POST", body: { email: 5 } });
  assert.equal(error.status, 422);
  assert.equal((await clientOf(mock).listSegments({ include_count: true })).length, 3);
});

test("a user_id that is neither a string nor a number is 422 parameter_invalid in an upsert or an event, and nothing is stored (an outside review: [] made a contact with neither email nor user_id, {} a user_id \"[object Object]\", true \"true\")", async () => {
  const mock = createMockGist({ contacts: 3 });
  const user = mock.state.contacts.find((c) => c.type === "user");
  const before = JSON.stringify(mock.state);
  for (const user_id of [[], [""], ["42"], {}, true, false]) {
    const bodies = [
      ["/contacts", { user_id }],
      ["/contacts", { user_id, email: "new@example.com" }],
      ["/contacts", { id: user.id, user_id }], // [] made the user a lead
      ["/events", { event_name: "signed-in", user_id, email: user.email }],
    ];
    for (const [path, body] of bodies) {
      const answer = await post(mock, path, body);
      assert.equal(answer.status, 422, `${path} ${JSON.stringify(body)}`);
      assert.deepEqual((await answer.json()).errors.map((e) => e.code), ["parameter_invalid"]);
    }
  }
  const listedEmail = await post(mock, "/events", { event_name: "signed-in", user_id: user.user_id, email: [user.email] });
  assert.equal(listedEmail.status, 422, "an event's email that is not a string, as an upsert's");
  assert.equal(JSON.stringify(mock.state), before, "nothing stored");
  const created = await (await post(mock, "/contacts", { user_id: 77 })).json();
  assert.deepEqual([created.contact.type, created.contact.user_id], ["user", "77"], "a number is still a user_id");
  assert.equal((await post(mock, "/events", { event_name: "signed-in", user_id: 77 })).status, 200);
});

test("an id that is neither a number nor a string of digits is 422 parameter_invalid, saying so, in an upsert or an event, and nothing is stored (an outside review: [1001] changed contact 1001 and recorded on it, {} was ignored, true got another message)", async () => {
  const mock = createMockGist();
  const before = JSON.stringify(mock.state);
  for (const id of [[1001], ["1001"], {}, true, "10x1", ""]) {
    for (const [path, body] of [["/contacts", { id, email: "new@example.com" }], ["/events", { event_name: "signed-in", id }]]) {
      const answer = await post(mock, path, body);
      assert.equal(answer.status, 422, `${path} ${JSON.stringify(body)}`);
      assert.deepEqual((await answer.json()).errors.map((e) => [e.code, e.message]), [["parameter_invalid", "id must be a number or a string of digits"]]);
    }
  }
  assert.equal(JSON.stringify(mock.state), before, "nothing stored");
  assert.equal((await post(mock, "/events", { event_name: "signed-in", id: "1001" })).status, 200, "a string of digits is still an id");
});

test("POST /tags reads ids as POST /contacts does, and untag as a boolean: an id neither a number nor a string of digits is 422, stores nothing; untag \"false\" tags (an outside review: [1003] tagged contact 1003, { id: [3], name } renamed tag 3, untag \"false\" untagged)", async (t) => {
  const server = await serveMock({ port: 0 });
  t.after(() => server.close());
  const tags = (body) => fetch(`${server.url}/tags`, { method: "POST", headers: { authorization: "Bearer mock-key", "content-type": "application/json" }, body: JSON.stringify(body) });
  const { state } = server.mock;
  const before = JSON.stringify(state);
  const [tag] = state.tags;
  const contact = state.contacts[2];
  for (const bad of [(id) => [id], (id) => [String(id)], () => ({}), () => true, () => "10x1", () => ""]) {
    for (const body of [{ name: "VIP", contacts: [{ id: contact.id }, { id: bad(contact.id) }] }, { id: bad(tag.id), name: "renamed" }]) {
      const answer = await tags(body);
      assert.equal(answer.status, 422, JSON.stringify(body));
      assert.deepEqual((await answer.json()).errors.map((e) => [e.code, e.message]), [["parameter_invalid", "id must be a number or a string of digits"]]);
    }
  }
  assert.equal(JSON.stringify(state), before, "nothing stored");
  assert.equal((await tags({ name: "VIP", contacts: [{ id: String(contact.id) }] })).status, 200, "a string of digits is still an id");
  const vip = state.tags.find((x) => x.name === "VIP").id;
  for (const [untag, tagged] of [["true", false], ["false", true], [" TRUE ", false], [false, true], [1, false]]) {
    assert.equal((await tags({ name: "VIP", contacts: [{ id: contact.id, untag }] })).status, 200);
    assert.equal(state.contacts[2].tags.includes(vip), tagged, `untag: ${JSON.stringify(untag)}`);
  }
});

test("a body nested deeper than the mock stores is 422 and stores nothing: its lists and its fetches keep answering", async () => {
  const mock = createMockGist({ contacts: 3 });
  const nested = (depth) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
  for (const depth of [600, 4110]) {
    const answer = await post(mock, "/contacts", { email: `deep${depth}@example.com`, custom_properties: { x: 1 }, x: nested(depth) });
    assert.equal(answer.status, 422, String(depth));
    assert.match((await answer.json()).errors[0].message, /nests deeper than 512 levels/);
    const event = await post(mock, "/events", { event_name: "deep", email: "a@example.com", properties: { x: nested(depth) } });
    assert.equal(event.status, 422);
  }
  assert.equal(mock.state.contacts.length, 3, "nothing stored");
  assert.equal((await post(mock, "/contacts", { email: "shallow@example.com", x: nested(500) })).status, 200, "500 levels are stored");
  const get = (path) => mock.fetch(`http://mock.test${path}`, { headers: { authorization: "Bearer mock-key" } });
  for (const path of ["/contacts?page=1&per_page=60", "/contacts?email=shallow%40example.com"]) {
    const answer = await get(path);
    assert.equal(answer.status, 200, path);
    assert.ok(JSON.stringify(await answer.json()).includes("shallow@example.com"), path);
  }
});

test("what Gist keeps for itself is not taken from a body, a boolean string is read as one, and ids are digits", async () => {
  const mock = createMockGist();
  const gist = clientOf(mock);
  await post(mock, "/contacts", { id: 1001, segments: 7, created_at: "yesterday", unsubscribed_from_emails: "false" });
  const contact = await gist.fetchUser({ id: 1001 });
  assert.equal(typeof contact.created_at, "number");
  assert.equal(contact.unsubscribed_from_emails, false);
  assert.equal((await gist.listSegments({ include_count: true })).length, 3, "segments still read");
  await post(mock, "/contacts", { id: 1001, unsubscribed_from_emails: "true" });
  assert.equal((await gist.fetchUser({ id: 1001 })).unsubscribed_from_emails, true);
  const hex = await gist.apiCall({ url: "/contacts/0x3e9" });
  assert.equal(hex.status, 404);
});

test("a deleted tag's id is not given to the next new tag", async () => {
  const gist = clientOf(createMockGist());
  const made = await gist.createTag("short-lived");
  await gist.deleteTag(made.id);
  const next = await gist.createTag("next");
  assert.notEqual(next.id, made.id);
});

test("mock/server: a failure rule that is not JSON, or has a status outside 200-599, is 400, not a dropped connection", async () => {
  const server = await serveMock({ port: 0 });
  try {
    const answer = await fetch(`${server.url}/__mock/fail`, { method: "POST", body: "{nope" });
    assert.equal(answer.status, 400);
    const status = await fetch(`${server.url}/__mock/fail`, { method: "POST", body: JSON.stringify({ status: 42 }) });
    assert.equal(status.status, 400);
    assert.match((await status.json()).errors[0].message, /200 to 599/);
    // A misspelt key would plant a rule that tests nothing: the next request would get 200.
    const typo = await fetch(`${server.url}/__mock/fail`, { method: "POST", body: JSON.stringify({ stauts: 418 }) });
    assert.equal(typo.status, 400);
    assert.match((await typo.json()).errors[0].message, /key "stauts" is not one of status, /);
    assert.equal((await fetch(`${server.url}/tags`, { headers: { authorization: "Bearer mock-key" } })).status, 200);
  } finally {
    await server.close();
  }
});

test("mock.fail(): a rule with a key it does not know (a typo of times, delayMs, status) is a TypeError, not a rule that tests nothing", () => {
  const mock = createMockGist();
  for (const rule of [{ stauts: 500 }, { status: 503, time: 3 }, { delay: 3000 }]) {
    assert.throws(() => mock.fail(rule), { name: "TypeError", message: /^mock gist: a failure rule's key "\w+" is not one of status, body, headers, delayMs, drop, times, method, path, bodyIncludes, fraction$/ });
  }
  mock.fail({ status: 503, times: 2, delayMs: 0, drop: false, method: "GET", path: "/tags", bodyIncludes: "", fraction: 1, headers: {}, body: {} });
});

test("mock/server: allowHosts answers a container's service name; others still get 421; an absolute-form target is read", async () => {
  const server = await serveMock({ port: 0, allowHosts: ["mock"] });
  const port = Number(new URL(server.url).port);
  const get = (path, host, { method = "GET", origin } = {}) => new Promise((resolve, reject) => {
    const headers = { host, authorization: "Bearer mock-key", ...(origin ? { origin } : {}) };
    request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    }).on("error", reject).end();
  });
  try {
    assert.equal(await get("/tags", `mock:${port}`), 200);
    assert.equal(await get("/tags", `evil.example:${port}`), 421);
    assert.equal(await get(`http://127.0.0.1:${port}/tags`, `127.0.0.1:${port}`), 200);
    // An absolute-form target names another origin: the control routes still compare pages with the Host's.
    const reset = await get("http://evil.example/__mock/reset", `127.0.0.1:${port}`, { method: "POST", origin: "http://evil.example" });
    assert.equal(reset, 403);
  } finally {
    await server.close();
  }
});

test("the mock server's command line: --port=N, --help, and one line and a non-zero exit for a bad flag or a busy port", async () => {
  const fail = (args) => run(process.execPath, [SERVER, ...args], { timeout: 10_000 }).then(() => ({ code: 0 }), (e) => ({ code: e.code, stderr: e.stderr }));
  const help = await run(process.execPath, [SERVER, "--help"], { timeout: 10_000 });
  assert.match(help.stdout, /--allow-host/);
  for (const port of ["", "0x10", "1e3", "70000"]) assert.equal((await fail([`--port=${port}`])).code, 2, `--port=${port}`);
  const typo = await fail(["--prot", "4139"]);
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr.trim().split("\n").length, 1, typo.stderr);
  assert.equal((await fail(["--port", "eleven"])).code, 2);

  const busy = await serveMock({ port: 0 });
  const port = new URL(busy.url).port;
  try {
    const taken = await fail([`--port=${port}`]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /EADDRINUSE/);
    assert.equal(taken.stderr.trim().split("\n").length, 1, taken.stderr);
  } finally {
    await busy.close();
  }
  const child = spawn(process.execPath, [SERVER, `--port=${port}`]);
  try {
    const line = await new Promise((resolve, reject) => {
      child.stdout.once("data", (data) => resolve(String(data)));
      child.once("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    assert.match(line, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const tags = await fetch(`http://127.0.0.1:${port}/tags`, { headers: { authorization: "Bearer mock-key" } });
    assert.equal(tags.status, 200);
  } finally {
    child.kill();
  }
});

test("the mock server's command line refuses an empty or blank --key, --host or --allow-host, and a key a header cannot hold, as a wrong option: one line that names it, exit 2 (an outside review: \"cannot listen on\", exit 1; \" \" and a key with a newline taken)", async () => {
  const cases = [["key", "--key", ""], ["key", "--key="], ["host", "--host", ""], ["allow-host", "--allow-host", "mock", "--allow-host", ""],
    ["key", "--key", " "], ["key", "--key", "mock\nkey"], ["key", "--key", "mock key"], ["key", "--key=clé"], ["host", "--host", " "], ["allow-host", "--allow-host", " "]];
  for (const [name, ...args] of cases) {
    const { code, stderr } = await run(process.execPath, [SERVER, "--port=0", ...args], { timeout: 10_000 }).then(() => ({ code: 0 }), (e) => e);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, new RegExp(`^mock-server: --${name} `), stderr);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});

test("createMockGist and limit() refuse a typo or a value of the wrong kind with a TypeError, not silently", () => {
  for (const options of [{ contact: 5 }, { contacts: -1 }, { contacts: 1.5 }, { maxPerPage: 0 }, { apiKey: "" }, { seed: NaN }, [], "x"]) {
    assert.throws(() => createMockGist(options), TypeError, JSON.stringify(options));
  }
  assert.equal(createMockGist({ contacts: 3, seed: 7, apiKey: undefined }).state.contacts.length, 3);
  const mock = createMockGist();
  for (const settings of [{ perSecond: NaN }, { perSecond: 0 }, { perSecond: -1 }, { perSecond: 5, burst: 0 }, { perSecond: Infinity }, {}]) {
    assert.throws(() => mock.limit(settings), TypeError, JSON.stringify(settings));
  }
  mock.limit({ perSecond: 5 });
  mock.limit(null);
});

test("the mock's kept lookups answer as a fresh look would: a shared email or user_id, a replaced contact, a renamed tag", async () => {
  const ask = (mock, path, init = {}) => mock.fetch(`http://mock.test${path}`, { headers: { authorization: "Bearer mock-key" }, ...init });
  // Two contacts with one email and user_id: deleting one leaves the other found by both.
  const shared = createMockGist();
  const [first] = shared.state.contacts;
  await post(shared, "/contacts", { email: "twin@example.com", user_id: 4242 });
  const twin = shared.state.contacts.at(-1);
  first.email = "twin@example.com";
  first.user_id = "4242";
  assert.equal((await ask(shared, `/contacts/${twin.id}`, { method: "DELETE" })).status, 200);
  for (const query of ["email=twin%40example.com", "user_id=4242"]) {
    assert.equal((await (await ask(shared, `/contacts?${query}`)).json()).contact?.id, first.id, query);
  }
  // A contact replaced in `state` after the index was made: a delete takes that one, never another.
  const replaced = createMockGist();
  await ask(replaced, "/contacts?per_page=5");
  const count = replaced.state.contacts.length;
  replaced.state.contacts[0] = { ...replaced.state.contacts[0], name: "Edited" };
  const id = replaced.state.contacts[0].id;
  assert.equal((await ask(replaced, `/contacts/${id}`, { method: "DELETE" })).status, 200);
  assert.deepEqual([replaced.state.contacts.length, replaced.state.contacts.some((c) => c.id === id)], [count - 1, false]);
  // Tags renamed through the API: a name two tags held stays with the other one.
  const tags = createMockGist();
  const [one, two] = tags.state.tags;
  const made = tags.state.tags.length;
  await post(tags, "/tags", { id: one.id, name: two.name });
  await post(tags, "/tags", { id: one.id, name: "other" });
  const again = await (await post(tags, "/tags", { name: two.name })).json();
  assert.deepEqual([again.tag.id, tags.state.tags.length], [two.id, made], "no second tag of that name");
});
