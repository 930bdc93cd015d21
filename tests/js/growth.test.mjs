// Growth: every path that reads caller input or an answer takes about the same time per key, item or call
// at any size. Each path is timed at n, 2n and 4n in this process, in interleaved rounds (each round
// times every size in turn, in batches of calls long enough to time), and the medians are compared: four
// times the size may take at most 9 times as long (3 a doubling; a linear path takes 4, a path that
// costs n² takes 16 and fails). A path that is refused at once (over a cap) is timed the same way. Time is
// this process's CPU time, which other processes on a loaded machine do not inflate as they do the clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { GistClient, handleWebhook, parseWebhook } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);
const ROUNDS = 5;
// Each timed batch (of calls at the smallest size) takes at least this long.
const BATCH_MS = 25;
const MAX_GROWTH = 9;

/** An object of `n` keys. */
function wide(n) {
  const object = {};
  for (let i = 0; i < n; i++) object[`field_${i}`] = i;
  return object;
}

const median = (times) => [...times].sort((a, b) => a - b)[times.length >> 1];

/** The CPU ms per call of `run` over `reps` calls in a row. */
async function perCall(run, reps) {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) await run();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000 / reps;
}

/**
 * Times `prepare(size)`'s call at n, 2n and 4n and fails when 4n takes more than MAX_GROWTH times n.
 * `prepare` builds the input of one size (not timed) and returns the call; `check` sees each size's
 * first result.
 */
async function assertLinear(t, n, prepare, check) {
  const sizes = [n, 2 * n, 4 * n];
  const calls = [];
  for (const size of sizes) {
    const call = await prepare(size);
    check(await call(), size);
    calls.push(call);
  }
  let reps = 1;
  while ((await perCall(calls[0], reps)) * reps < BATCH_MS) reps *= 2;
  const times = sizes.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, call] of calls.entries()) times[i].push(await perCall(call, reps));
  }
  const [small, , large] = times.map(median);
  const shown = times.map((each, i) => `${sizes[i]}: ${median(each).toFixed(2)} ms`).join(", ");
  t.diagnostic(`${shown} CPU (median of ${ROUNDS}, ${reps} calls a batch)`);
  assert.ok(large / small <= MAX_GROWTH, `4× the size took ${(large / small).toFixed(1)}× the time (${shown})`);
}

/** A client whose fetch answers every request with `answer()`'s Response; `sent()` is the last body sent. */
function clientAnswering(answer) {
  let last;
  const fetch = async (url, init) => {
    last = init.body;
    return answer();
  };
  return { gist: new GistClient({ apiKey: "growth-key", baseUrl: "http://gist.test", logLevel: "off", fetch }), sent: () => last };
}

const json = (body, init = {}) => new Response(typeof body === "string" ? body : JSON.stringify(body), init);
const contact = (fields) => ({ id: 1, user_id: "7", type: "user", email: "ada@example.com", ...fields });
const rejection = (promise) => promise.then(() => assert.fail("resolved"), (error) => error);

/**
 * Times a pacer path in a child process, where node:test's tracking of every Promise does not triple the
 * time: `body` defines `async function cpuMs(n)` (CPU ms of n calls, with `pacer` imported from pace.js);
 * it runs at n and 4n, median of 3, and 4n may take at most MAX_GROWTH times as long.
 */
async function assertLinearInChild(t, n, body) {
  const script = `
    const { pacer } = await import(new URL("pace.js", import.meta.resolve("gist-wasm")));
    ${body}
    const times = { ${n}: [], ${4 * n}: [] };
    await cpuMs(${n});
    for (let round = 0; round < 3; round++) for (const n of [${n}, ${4 * n}]) times[n].push(await cpuMs(n));
    console.log(JSON.stringify(times));`;
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
  const times = JSON.parse(stdout);
  const [small, large] = [median(times[n]), median(times[4 * n])];
  t.diagnostic(`${n}: ${small.toFixed(0)} ms, ${4 * n}: ${large.toFixed(0)} ms CPU (median of 3)`);
  assert.ok(large / small <= MAX_GROWTH, `4× the calls took ${(large / small).toFixed(1)}× the time`);
}

/**
 * The body of assertLinearInChild for n calls queued behind `maxConcurrent: 1`, each let in as the one
 * before ends, each passing the signal `signal` (its expression: "undefined" for none).
 */
const queuedBehindOne = (signal) => `
    async function cpuMs(n) {
      const pace = pacer({ maxConcurrent: 1 });
      const signal = ${signal};
      const holder = await pace.admit(60_000);
      const start = process.cpuUsage();
      const admitted = Array.from({ length: n }, () => pace.admit(60_000, signal).then((turn) => (turn.release(), turn)));
      holder.release();
      const turns = await Promise.all(admitted);
      const { user, system } = process.cpuUsage(start);
      if (turns.filter((turn) => turn.release).length !== n) throw new Error("a request got no turn");
      return (user + system) / 1000;
    }`;

test("requests of n calls queued behind maxConcurrent, each let in as the one before ends", async (t) => {
  // The client's pacer (pace.js) queues them. A queue shows its cost only past some 16,000 waiting (a long
  // array's shift() is O(n) in V8): timed at 15,000 and 60,000.
  await assertLinearInChild(t, 15_000, queuedBehindOne("undefined"));
});

test("n calls sharing one AbortSignal, queued behind maxConcurrent, each let in as the one before ends", async (t) => {
  // Each waits for its turn and for the signal: one listener on the signal serves them all (an EventTarget
  // removes a listener in time of those it holds). Timed at 10,000 and 40,000.
  await assertLinearInChild(t, 10_000, queuedBehindOne("new AbortController().signal"));
});

test("n calls paced by requestsPerSecond that all give up, the earliest booked first", async (t) => {
  // Each call books a start ahead; each that gives up hands its start back to the pacer's schedule
  // (pace.js). Giving up in the order booked was the worst case of a sorted array (n² shifts): timed at
  // 10,000 and 40,000.
  await assertLinearInChild(t, 10_000, `
    async function cpuMs(n) {
      const pace = pacer({ maxConcurrent: 1e9, requestsPerSecond: 10 });
      const controllers = Array.from({ length: n }, () => new AbortController());
      const start = process.cpuUsage();
      const admitted = controllers.map((controller) => pace.admit(1e9, controller.signal));
      for (const controller of controllers) controller.abort();
      const refused = await Promise.all(admitted);
      const { user, system } = process.cpuUsage(start);
      if (refused.slice(1).some((turn) => turn.refused !== "aborted")) throw new Error("a call was not refused");
      return (user + system) / 1000;
    }`);
});

test("the mock: a contact given n new tags, then listed", async (t) => {
  // Each tag name is looked up among the mock's tags, and each of a contact's tags written out: by maps.
  await assertLinear(t, 2_000, (n) => async () => {
    const mock = createMockGist();
    const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
    const tags = Array.from({ length: n }, (_, i) => `tag-${i}`);
    await mock.handle(new Request("http://mock.test/contacts", { method: "POST", headers, body: JSON.stringify({ email: "many@example.com", tags }) }));
    return (await mock.handle(new Request("http://mock.test/contacts?email=many%40example.com", { headers }))).json();
  }, (answer, n) => assert.equal(answer.contact.tags.length, n));
});

test("the mock: a contact of n tags named n times in one tagging (an outside review: each entry looked over the contact's every tag, and 40,000 took 23 s)", async (t) => {
  const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
  await assertLinear(t, 2_000, async (n) => {
    const mock = createMockGist();
    const tags = Array.from({ length: n }, (_, i) => `tag-${i}`);
    const created = await (await mock.handle(new Request("http://mock.test/contacts", { method: "POST", headers, body: JSON.stringify({ email: "many@example.com", tags }) }))).json();
    const body = JSON.stringify({ name: "again", contacts: Array.from({ length: n }, () => ({ id: created.contact.id })) });
    return async () => (await mock.handle(new Request("http://mock.test/tags", { method: "POST", headers, body }))).json();
  }, (answer) => assert.equal(answer.tag.name, "again"));
});

test("the mock: n failure rules, each set before the request it fails (an outside review: spent rules were kept and scanned)", async (t) => {
  await assertLinear(t, 5_000, (n) => async () => {
    const mock = createMockGist();
    const headers = { authorization: "Bearer mock-key" };
    let failed = 0;
    for (let i = 0; i < n; i++) {
      mock.fail({ method: "GET", path: "/tags", status: 503 });
      if ((await mock.handle(new Request("http://mock.test/tags", { headers }))).status === 503) failed++;
    }
    return failed;
  }, (failed, n) => assert.equal(failed, n));
});

test("the mock: renaming and deleting tags costs the same among n tags as among 4n (an outside review: each looked over every tag, and a delete made the maps again: 40,000 of each took 69 s and 22 s)", async (t) => {
  const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
  const sizes = [4_000, 16_000];
  const times = sizes.map(() => []);
  for (let round = 0; round < 3; round++) {
    for (const [i, n] of sizes.entries()) {
      const mock = createMockGist({ contacts: 10 });
      mock.state.tags = Array.from({ length: n }, (_, k) => ({ id: k + 1, name: `tag-${k}` }));
      mock.state.nextTagId = n + 1;
      const ask = async (path, init) => (await mock.handle(new Request(`http://mock.test${path}`, { headers, ...init }))).json();
      const ids = Array.from({ length: 400 }, (_, k) => 1 + Math.floor((k * n) / 400)); // spread over the list
      const start = process.cpuUsage();
      for (const id of ids) await ask("/tags", { method: "POST", body: JSON.stringify({ id, name: `renamed-${id}` }) });
      for (const id of ids) await ask(`/tags/${id}`, { method: "DELETE" });
      const { user, system } = process.cpuUsage(start);
      times[i].push((user + system) / 1000);
      assert.equal(mock.state.tags.length, n - ids.length);
      assert.equal((await ask("/tags?per_page=1")).tags[0].name, "tag-1"); // the rest, in their order
    }
  }
  const [small, large] = times.map(median);
  const shown = times.map((each, i) => `${sizes[i]}: ${median(each).toFixed(0)} ms`).join(", ");
  t.diagnostic(`${shown} CPU for 400 renames and 400 deletes (median of 3)`);
  assert.ok(large / small <= 2, `among 4× the tags, they took ${(large / small).toFixed(1)}× the time (${shown})`);
});

test("gist-wasm check's scrubber of a server's text: a key name of n characters, and n addresses", async (t) => {
  // What a server sends goes through the scrubber before the report, the output or a --record file.
  const { scrub } = await import(new URL("check-run.js", import.meta.resolve("gist-wasm")));
  const key = "sk_growth_0123456789abcdef";
  await assertLinear(t, 20_000, (n) => {
    const text = `{"${"a".repeat(n)}":1,"b":"${"ada@example.com ".repeat(n / 20)}"}`;
    return () => scrub(text, key);
  }, (out, n) => assert.ok(out.includes("a".repeat(n)) && !out.includes("ada@"), out.slice(n, n + 80)));
});

test("the mock: n contacts walked page by page, then n tags made and every contact deleted", async (t) => {
  // Each page costs its own contacts (the listing's order is kept between pages), each tag a lookup, each
  // delete its contact.
  const headers = { authorization: "Bearer mock-key", "content-type": "application/json" };
  await assertLinear(t, 1_000, (n) => async () => {
    const mock = createMockGist({ contacts: n });
    const ask = async (path, init) => (await mock.handle(new Request(`http://mock.test${path}`, { headers, ...init }))).json();
    let walked = 0;
    for (let page = 1; ; page++) {
      const body = await ask(`/contacts?per_page=60&page=${page}`);
      walked += body.contacts.length;
      if (!body.pages.next) break;
    }
    for (let i = 0; i < n; i++) await ask("/tags", { method: "POST", body: JSON.stringify({ name: `tag-${i}` }) });
    for (const { id } of [...mock.state.contacts]) await ask(`/contacts/${id}`, { method: "DELETE" });
    return { walked, tags: mock.state.tags.length, left: mock.state.contacts.length };
  }, (result, n) => assert.deepEqual([result.walked, result.tags >= n, result.left], [n, true, 0]));
});

test("parseWebhook of a contact of n fields", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const body = JSON.stringify({ topic: "user.updated", contact: contact(wide(n)) });
    return () => parseWebhook(body, {});
  }, (event, n) => {
    assert.equal(event.kind, "contact");
    assert.equal(event.contact.field_0, 0);
    assert.equal(Object.keys(event.payload.contact).length, n + 4);
  });
});

test("handleWebhook of a body of n keys, verified by token", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const body = JSON.stringify({ topic: "tag.added", ...wide(n) });
    const headers = { "x-gist-webhook-token": "s3cret" };
    return () => handleWebhook(new Request("http://hook.test/", { method: "POST", body, headers }), { verify: { secret: "s3cret" } });
  }, (event, n) => assert.equal(Object.keys(event.payload).length, n + 1));
});

test("listUsers: an answer whose custom_properties have n keys", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const text = JSON.stringify({ contacts: [contact({ custom_properties: wide(n) })], pages: {} });
    const { gist } = clientAnswering(() => json(text));
    return () => gist.listUsers({ limit: 1 });
  }, (users, n) => assert.equal(Object.keys(users[0].custom_properties).length, n));
});

// CPU ms of the first call of a fresh process (the wasm's memory, once grown, is not grown again) over a
// page of n leads `{"id":1}`: `call` is its expression, of `gist`, resolving the number of items it gave.
async function pageOfLeadsMs(n, call) {
  const script = `
    const { GistClient } = await import("gist-wasm");
    const text = '{"contacts":[' + '{"id":1},'.repeat(${n - 1}) + '{"id":1}]}';
    const gist = new GistClient({ apiKey: "growth-key", baseUrl: "http://gist.test", logLevel: "off", fetch: async () => new Response(text) });
    const start = process.cpuUsage();
    const got = await ${call};
    const { user, system } = process.cpuUsage(start);
    console.log(JSON.stringify({ ms: (user + system) / 1000, got }));`;
  return JSON.parse((await execFileAsync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT })).stdout);
}

test("a page of n tiny leads: listLeads({ limit: 10 }) and the first page of iterLeads (an outside review: 1.9 million items took 12 s and 8 s, the event loop blocked)", async (t) => {
  // Past the 10,000 items a list answer may hold, refused: in time linear in the answer's size.
  const n = 466_000;
  const calls = {
    listLeads: ["gist.listLeads({ limit: 10 }).then((leads) => leads.length, (error) => error.code)", () => "invalid_response"],
    iterLeads: ["gist.iterLeads().pages()[Symbol.asyncIterator]().next().then(({ value }) => value.length, (error) => error.code)", () => "invalid_response"],
  };
  for (const [name, [call, expected]] of Object.entries(calls)) {
    const [small, large] = [await pageOfLeadsMs(n, call), await pageOfLeadsMs(4 * n, call)];
    assert.deepEqual([small.got, large.got], [expected(n), expected(4 * n)], name);
    t.diagnostic(`${name}: ${n}: ${small.ms.toFixed(0)} ms, ${4 * n}: ${large.ms.toFixed(0)} ms CPU`);
    assert.ok(large.ms / small.ms <= MAX_GROWTH, `${name}: 4× the items took ${(large.ms / small.ms).toFixed(1)}× the time`);
  }
});

test("fetchUser: an answer of a contact of n fields", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const text = JSON.stringify({ contact: contact(wide(n)) });
    const { gist } = clientAnswering(() => json(text));
    return () => gist.fetchUser({ id: 1 });
  }, (user, n) => assert.equal(user[`field_${n - 1}`], n - 1));
});

test("apiCall: an answer of n keys", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const text = JSON.stringify(wide(n));
    const { gist } = clientAnswering(() => json(text));
    return () => gist.apiCall({ url: "/anything" });
  }, (answer, n) => assert.equal(Object.keys(answer.body).length, n));
});

test("an answer with n headers (withResponse)", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const headers = Object.entries(wide(n)).map(([name, value]) => [`x-${name}`, String(value)]);
    const { gist } = clientAnswering(() => json({ contact: contact() }, { headers }));
    return () => gist.fetchUser({ id: 1 }).withResponse();
  }, ({ response }, n) => assert.equal(response.headers.get(`x-field_${n - 1}`), String(n - 1)));
});

test("createUser with custom_properties of n keys", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const user = { user_id: 7, email: "ada@example.com", custom_properties: wide(n) };
    const { gist, sent } = clientAnswering(() => json({ contact: contact() }));
    return async () => ({ created: await gist.createUser(user), body: sent() });
  }, ({ created, body }, n) => {
    assert.equal(created.id, 1);
    assert.equal(Object.keys(JSON.parse(body).custom_properties).length, n);
  });
});

test("apiCall with a body of n keys", async (t) => {
  await assertLinear(t, 2500, (n) => {
    const request = { url: "/contacts", method: "POST", body: wide(n) };
    const { gist, sent } = clientAnswering(() => json({ ok: true }));
    return async () => ({ answer: await gist.apiCall(request), body: sent() });
  }, ({ answer, body }, n) => {
    assert.equal(answer.status, 200);
    assert.equal(Object.keys(JSON.parse(body)).length, n);
  });
});

test("request options of n unknown keys are refused", async (t) => {
  const { gist } = clientAnswering(() => json({ contact: contact() }));
  await assertLinear(t, 2500, (n) => {
    const options = wide(n);
    return () => rejection(gist.fetchUser({ id: 1 }, options));
  }, (error) => assert.equal(error.code, "invalid_argument"));
});

test("request options that are an array of n items are refused (new Array(1e6).fill(7) included)", async (t) => {
  const { gist } = clientAnswering(() => json({ contact: contact() }));
  await assertLinear(t, 2500, (n) => {
    const options = new Array(n).fill(7);
    return () => rejection(gist.fetchUser({ id: 1 }, options));
  }, (error) => assert.equal(error.code, "invalid_argument"));
  const start = performance.now();
  const error = await rejection(gist.fetchUser({ id: 1 }, new Array(1e6).fill(7)));
  assert.match(error.message, /^request options must be a plain object/);
  assert.ok(performance.now() - start < 1000, `${performance.now() - start} ms`);
});

test("a page of n contacts, and parseWebhook of an array of n items", async (t) => {
  await assertLinear(t, 1000, (n) => {
    const text = JSON.stringify({ contacts: Array.from({ length: n }, (_, i) => contact({ id: i + 1 })), pages: {} });
    const { gist } = clientAnswering(() => json(text));
    return () => gist.listUsers({ limit: 10_000 });
  }, (users, n) => assert.equal(users.length, n));
  await assertLinear(t, 10_000, (n) => {
    const body = JSON.stringify({ topic: "user.updated", items: Array.from({ length: n }, (_, i) => ({ id: i })) });
    return () => parseWebhook(body, {});
  }, (event, n) => assert.equal(event.payload.items.length, n));
});

test("parseWebhook of n values nested 120 deep (the parser reads 128)", async (t) => {
  const deep = (depth) => (depth === 0 ? { leaf: true } : { next: deep(depth - 1) });
  await assertLinear(t, 100, (n) => {
    const body = JSON.stringify({ topic: "user.updated", contact: contact(), nested: Array.from({ length: n }, () => deep(120)) });
    return () => parseWebhook(body, {});
  }, (event, n) => {
    assert.equal(event.kind, "contact");
    assert.equal(event.payload.nested.length, n);
  });
});

test("an error answer of n errors, each with an email to scrub", async (t) => {
  // Up to 4,000 errors: about 240 KB, under the 256 KiB an error body is read for its items.
  await assertLinear(t, 1000, (n) => {
    const errors = Array.from({ length: n }, (_, i) => ({ code: "invalid", message: `user${i}@example.com is taken` }));
    const text = JSON.stringify({ errors });
    const { gist } = clientAnswering(() => json(text, { status: 422 }));
    return () => rejection(gist.fetchUser({ id: 1 }));
  }, (error) => {
    assert.equal(error.errors.length, 100, "the first 100 are kept");
    assert.ok(!JSON.stringify(error.errors).includes("@"));
  });
});

test("a logged answer of n echoes of the key (upper case, base64, hex) and of addresses with = or HTML escapes", async (t) => {
  const key = "sk_live_0123456789AbCdEf";
  const echo = [
    key.toUpperCase(), Buffer.from(`Bearer ${key}`).toString("base64"), Buffer.from(key).toString("hex"),
    "a=b@x.io", "c&#64;x.io", "&#x4&amp;%2540", "q?e=d%40x.io&", "`f`",
  ].join(" ");
  await assertLinear(t, 300, (n) => {
    const text = JSON.stringify({ note: `${echo} `.repeat(n) });
    const lines = [];
    const logger = { debug: (line) => lines.push(line), info() {}, warn() {}, error() {} };
    const gist = new GistClient({ apiKey: key, baseUrl: "http://gist.test", logger, logLevel: "debug", logBodies: true, fetch: async () => json(text) });
    return async () => {
      lines.length = 0;
      await gist.apiCall({ url: "/anything" });
      return lines.find((line) => line.includes("answered:"));
    };
  }, (line, n) => {
    assert.equal(line.match(/\[redacted\]/g)?.length, 3 * n, line.slice(0, 300));
    assert.equal(line.match(/\[email\]/g)?.length, 4 * n, line.slice(0, 300));
    assert.ok(!/@|x\.io/.test(line), line.slice(0, 300));
  });
});

test("a page of 10,000 items, the most a list answer may hold: a list* call gives its first limit items; one more is invalid_response", async () => {
  let count = 10_000;
  const { gist } = clientAnswering(() => json(JSON.stringify({ tags: Array.from({ length: count }, (_, i) => ({ id: i + 1 })), pages: {} })));
  const tags = await gist.listTags({ limit: 3 });
  assert.deepEqual(tags.map((tag) => tag.id), [1, 2, 3]);
  count = 10_001;
  assert.equal((await rejection(gist.listTags({ limit: 3 }))).code, "invalid_response");
});

test("options objects of n keys are refused at the cap, in time linear in n", async (t) => {
  const { gist } = clientAnswering(() => json({ contact: contact() }));
  const many = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  const calls = {
    "request options": (o) => rejection(gist.fetchUser({ id: 1 }, o)),
    "client options": (o) => rejection(Promise.resolve().then(() => new GistClient(o))),
    "list options": (o) => rejection(gist.listUsers(o)),
    "webhook options": (o) => rejection(handleWebhook(new Request("http://hook.test/", { method: "POST", body: "{}" }), o)),
  };
  for (const [what, call] of Object.entries(calls)) {
    await assertLinear(t, 20_000, (n) => {
      const options = Object.assign(many(n), what === "client options" ? { apiKey: "k" } : {});
      return () => call(options);
    }, (error) => assert.match(error.message, /more than the 65536/, what));
  }
});

test("what no call can take is refused before it is read: options past 64 KiB of JSON, more than 100 headers", async () => {
  const { gist } = clientAnswering(() => json({ contact: contact() }));
  const headers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`x-h${i}`, "v"]));
  const cases = [
    [gist.fetchUser({ id: 1 }, { headers }), /^request options\.headers must be at most 100 headers$/],
    [gist.apiCall({ url: "/contacts", headers }), /^request\.headers must be at most 100 headers$/],
    [gist.fetchUser({ id: 1 }, { headers: { "x-big": "a".repeat(70_000) } }), /^request options: (70\d{3} bytes as JSON, )?more than the 65536 (bytes as JSON that )?an options object may take$/],
  ];
  for (const [call, message] of cases) {
    const error = await rejection(call);
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, message);
  }
  assert.throws(() => new GistClient({ apiKey: "k", baseUrl: `http://gist.test/${"a".repeat(70_000)}` }), /^GistError: options: (700\d\d bytes as JSON, )?more than the 65536/);
  const under = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-h${i}`, "v"]));
  assert.equal((await gist.fetchUser({ id: 1 }, { headers: under })).id, 1);
});
