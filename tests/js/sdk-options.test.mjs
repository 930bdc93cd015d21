// Client options the runtime smoke test does not reach: the logger and its levels, requestsPerSecond,
// a rate-limit pause that would outlast the call, and calls that give up waiting for a turn (in Node,
// against the in-memory mock).
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";

const KEY = "mock-key-logging-77";

function client(options) {
  const mock = createMockGist({ apiKey: KEY });
  let sent = 0;
  const fetch = (url, init) => {
    sent += 1;
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, ...options });
  return { gist, mock, sent: () => sent };
}

function logger() {
  const lines = [];
  const at = (level) => (message) => lines.push(`${level} ${message}`);
  return { lines, sink: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

test("the default level logs each retry as a warning and nothing else", async () => {
  const { lines, sink } = logger();
  const { gist, mock } = client({ logger: sink });
  mock.fail({ status: 503, headers: { "retry-after": "0" } });
  await gist.listUsers({ limit: 1 });
  assert.deepEqual(lines, ["warn gist-wasm: GET /contacts answered 503; attempt 2 in 0 ms"]);
});

test("debug lines never hold the key, a query or an email, and hold bodies only with logBodies", async () => {
  for (const logBodies of [false, true]) {
    const { lines, sink } = logger();
    const { gist } = client({ logger: sink, logLevel: "debug", logBodies });
    await gist.createUser({ user_id: 77, email: "logged@example.com" });
    await gist.fetchUser({ email: "logged@example.com" });
    const text = lines.join("\n");
    assert.ok(lines.some((l) => l.startsWith("debug gist-wasm: POST /contacts")), text);
    assert.ok(lines.some((l) => l.startsWith("info gist-wasm: GET /contacts: 200")), text);
    assert.ok(!text.includes(KEY) && !text.includes("?"), text);
    assert.ok(!text.includes("logged@example.com") && !text.includes("logged%40"), text);
    assert.equal(text.includes('"user_id"') && text.includes('"email":"[email]"'), logBodies, text);
  }
});

test("requestsPerSecond spaces the starts of requests", async () => {
  const { gist } = client({ requestsPerSecond: 10, logLevel: "off" });
  const started = Date.now();
  await Promise.all(Array.from({ length: 5 }, () => gist.listTags({ limit: 1 })));
  assert.ok(Date.now() - started >= 380, `${Date.now() - started} ms for 5 requests at 10 a second`);
});

test("a pause that outlasts the call's deadline fails rate_limited at once, without sending", async () => {
  const { gist, mock, sent } = client({ logLevel: "off" });
  mock.fail({ path: "/limited", status: 200, body: {}, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "60" } });
  await gist.apiCall({ url: "/limited" });
  const before = sent();
  const error = await gist.listTags({ limit: 1 }, { timeoutMs: 1000 }).catch((e) => e);
  assert.equal(error.code, "rate_limited");
  assert.ok(error.retryAfter >= 59 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
  assert.equal(sent(), before, "nothing was sent");
});

test("calls that time out waiting for a turn leave the queue, from any place in it, and the rest get theirs", async () => {
  const mock = createMockGist({ apiKey: KEY });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let holding = true; // the first request is answered only after release(), the others at once
  const fetch = (url, init) => {
    if (!holding) return mock.fetch(url, init);
    holding = false;
    return held.then(() => mock.fetch(url, init));
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch, maxConcurrent: 1, logLevel: "off" });
  const first = gist.listTags({ limit: 1 });
  // Queued behind it, in this order: three calls whose deadlines end last-queued first, then two that wait.
  const expiring = [60, 40, 20].map((timeoutMs) => gist.fetchUser({ id: 1001 }, { timeoutMs }).catch((e) => e.code));
  const patient = [1, 2].map((limit) => gist.listTags({ limit }, { timeoutMs: 5000 }));
  assert.deepEqual(await Promise.all(expiring), ["timeout", "timeout", "timeout"]);
  release();
  assert.equal((await first).length, 1);
  assert.deepEqual((await Promise.all(patient)).map((tags) => tags.length), [1, 2]);
});

// A Headers object that counts how often it is read whole (iterated), and which names are looked up.
class CountingHeaders extends Headers {
  wholeReads = 0;
  looked = new Set();
  get(name) {
    this.looked.add(name);
    return super.get(name);
  }
  forEach(...args) {
    this.wholeReads += 1;
    return super.forEach(...args);
  }
  [Symbol.iterator]() {
    this.wholeReads += 1;
    return super[Symbol.iterator]();
  }
  entries() {
    this.wholeReads += 1;
    return super.entries();
  }
}

/** A `fetch` over the mock whose answers carry a dozen extra headers; `last()` is the last answer's headers. */
function countingFetch() {
  const mock = createMockGist({ apiKey: KEY });
  let headers;
  const fetch = async (url, init) => {
    const answer = await mock.fetch(url, init);
    headers = new CountingHeaders(answer.headers);
    for (let i = 0; i < 12; i++) headers.set(`x-extra-${i}`, `value ${i}`);
    Object.defineProperty(answer, "headers", { value: headers });
    return answer;
  };
  return { fetch, last: () => headers };
}

test("a call reads only the answer headers it uses; withResponse() reads every one when asked", async () => {
  const { fetch, last } = countingFetch();
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch });
  const user = await gist.createUser({ user_id: 7, email: "seven@example.org" });

  const call = gist.fetchUser({ id: user.id });
  assert.equal((await call).id, user.id);
  const answered = last();
  assert.equal(answered.wholeReads, 0, "a call that does not ask withResponse() never iterates the headers");
  assert.ok(![...answered.looked].some((name) => name.startsWith("x-extra-")), [...answered.looked].join(", "));

  const { response } = await call.withResponse();
  assert.equal(answered.wholeReads, 1);
  assert.equal(response.headers.get("x-extra-11"), "value 11");
  assert.equal(response.headers.get("content-type"), answered.get("content-type"));

  const raw = await gist.apiCall({ method: "GET", url: `/contacts/${user.id}` });
  assert.equal(raw.headers["x-extra-3"], "value 3", "apiCall's value holds every header");
});

test("a method called without its client rejects (iter*: throws) a GistError, never a TypeError", async () => {
  const { gist } = client();
  const { fetchUser, listUsers, iterUsers } = gist;
  const pending = fetchUser({ id: 1 });
  assert.ok(pending instanceof Promise, "no synchronous throw");
  for (const [name, call] of [["fetchUser", pending], ["listUsers", listUsers()], ["withResponse", fetchUser.call({}, { id: 1 }).withResponse()]]) {
    await assert.rejects(call, (error) => {
      assert.ok(error instanceof GistError, `${name}: ${error}`);
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /must be called on its GistClient/);
      return true;
    });
  }
  assert.throws(() => iterUsers(), (error) => error instanceof GistError && error.code === "invalid_argument");
  assert.equal((await fetchUser.call(gist, { id: 1001 }).catch((error) => error.code)) !== "invalid_argument", true, "bound, it works");
});

test("the package's own messages survive its email scrubber", async () => {
  const { gist } = client();
  await assert.rejects(gist.createUser({ user_id: 5, email: "not-an-email" }), (error) => {
    assert.equal(error.code, "invalid_argument");
    assert.doesNotMatch(error.message, /\[email\]/);
    return true;
  });
});

test("a Date is sent as Unix seconds; a time in milliseconds or an invalid Date is refused before sending", async () => {
  const mock = createMockGist({ apiKey: KEY });
  const bodies = [];
  const fetch = (url, init) => {
    if (init?.body) bodies.push(JSON.parse(init.body));
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch });
  await gist.createUser({ user_id: 6, email: "d@example.org", signed_up_at: new Date(1_600_000_000_900), custom_properties: { trial_ends: new Date(1_700_000_000_000) } });
  assert.equal(bodies[0].signed_up_at, 1_600_000_000);
  assert.equal(bodies[0].custom_properties.trial_ends, 1_700_000_000);
  for (const [user, pattern] of [
    [{ user_id: 7, signed_up_at: Date.now() }, /signed_up_at must be Unix seconds up to 10\^11 \(the year 5138\), not milliseconds/],
    [{ user_id: 7, custom_properties: { at: new Date(Number.NaN) } }, /^user\.custom_properties\.at is an invalid Date/],
  ]) {
    await assert.rejects(gist.createUser(user), (error) => error.code === "invalid_argument" && pattern.test(error.message));
  }
  assert.equal(bodies.length, 1, "nothing refused was sent");
});

test("bytes, a Map, a Blob, form data or a Promise in a method's arguments, or a string apiCall body, are refused before sending", async () => {
  const { gist, sent } = client();
  const notJson = [new TextEncoder().encode('{"name":"x"}'), Buffer.from("{}"), new ArrayBuffer(2), new Map([["name", "x"]]), new Set(["x"]),
    new Blob(["x"]), new FormData(), new URLSearchParams("name=x"), Promise.resolve({ name: "x" })];
  for (const body of notJson) {
    await assert.rejects(gist.apiCall({ method: "POST", url: "/tags", body }), (error) => {
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /^request\.body must be JSON/);
      return true;
    });
  }
  await assert.rejects(gist.createUser({ user_id: 8, custom_properties: new Map() }), (error) => error.code === "invalid_argument");
  await assert.rejects(gist.apiCall({ method: "POST", url: "/tags", body: '{"name":"x"}' }), (error) => {
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, /request.body is a string, which would be sent as a JSON string/);
    return true;
  });
  assert.equal(sent(), 0, "nothing refused was sent");
});

test("a key that a header cannot carry as it is (a space, a control or a non-ASCII character) is refused when the client is made", () => {
  for (const apiKey of ["Bearer k", "k\n", "k\u00a0", "ключ", "k\u201d"]) {
    assert.throws(() => new GistClient({ apiKey }), (error) => error instanceof GistError && error.code === "invalid_argument" && !error.message.includes(apiKey), JSON.stringify(apiKey));
  }
  assert.ok(new GistClient({ apiKey: "sk_live+abc/def=~!" }));
});

test("a network_error's cause says what failed (name, code, message), scrubbed, and is never the fetch's own error", async () => {
  const { createServer } = await import("node:net");
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await new GistClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 }).listTags().catch((e) => e);
  assert.equal(refused.code, "network_error");
  assert.ok(refused.cause instanceof Error);
  assert.equal(refused.cause.code, "ECONNREFUSED");
  assert.match(String(refused.cause), /^TypeError: fetch failed/, "its name once, as the fetch's own error writes it");

  // A fetch wrapper whose error holds the request (so the key) and names an email in its message.
  const leaky = () => {
    const error = new TypeError(`request to /contacts?email=ada@example.com failed (${KEY})`);
    Object.assign(error, { code: "E_WRAPPER", options: { headers: { authorization: `Bearer ${KEY}` } } });
    return Promise.reject(error);
  };
  const wrapped = await new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: leaky, maxRetries: 0 }).fetchUser({ email: "ada@example.com" }).catch((e) => e);
  assert.equal(wrapped.code, "network_error");
  assert.deepEqual([wrapped.cause.name, wrapped.cause.code, "options" in wrapped.cause], ["TypeError", "E_WRAPPER", false]);
  assert.ok(!wrapped.cause.message.includes(KEY) && !wrapped.cause.message.includes("ada@"), wrapped.cause.message);
  assert.match(wrapped.cause.message, /\[redacted\]/);
  // A name that is a string when checked and an object when read again: still a GistError.
  let reads = 0;
  const shifty = () => Promise.reject({ get name() { reads += 1; return reads === 1 ? "TypeError" : {}; } });
  const odd = await new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", fetch: shifty, maxRetries: 0 }).listTags().catch((e) => e);
  assert.ok(odd instanceof GistError && odd.code === "network_error" && typeof odd.cause.name === "string", String(odd));
  const { gist } = client({ maxRetries: 0 });
  assert.equal((await gist.fetchUser({ id: 1 }).catch((e) => e)).cause, undefined, "an answer's error has no cause");
});

test("a timestamp no 64-bit integer holds comes back null, as junk does", async () => {
  const { gist, mock } = client({ maxRetries: 0 });
  mock.fail({ status: 200, body: '{"contact":{"id":1001,"type":"user","user_id":"5001","created_at":1e300,"updated_at":-1e300,"signed_up_at":1700000000}}' });
  const contact = await gist.fetchUser({ id: 1001 });
  assert.deepEqual([contact.created_at, contact.updated_at, contact.signed_up_at], [null, null, 1700000000]);
});

test("an error found in a 2xx answer has that answer's status and request id", async () => {
  const { gist, mock } = client({ maxRetries: 0 });
  mock.fail({ status: 200, body: "not JSON", headers: { "x-request-id": "req_unreadable" }, times: 1 });
  const unreadable = await gist.fetchUser({ id: 1 }).catch((error) => error);
  assert.deepEqual([unreadable.code, unreadable.status, unreadable.requestId], ["invalid_response", 200, "req_unreadable"]);
  const lead = await gist.createLead({ email: "lead-status@example.com" });
  mock.fail({ status: 200, body: { contact: { id: lead.id, type: "lead" } }, headers: { "x-request-id": "req_lead" }, times: 1 });
  const notUser = await gist.fetchUser({ id: lead.id }).catch((error) => error);
  assert.deepEqual([notUser.code, notUser.status, notUser.requestId], ["not_found", 200, "req_lead"]);
});

test("a request reaches fetch as the call made it: any header name (__proto__ too), a body's line breaks and non-ASCII text, a list's items over a retried page", async () => {
  const seen = [];
  const mock = createMockGist({ apiKey: KEY });
  for (let i = 1; i <= 5; i++) await mock.fetch("http://mock.invalid/contacts", { method: "POST", headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ user_id: String(i), email: `u${i}@example.com` }) });
  let failed = false;
  const fetch = (url, init) => {
    seen.push({ url, init });
    if (url.includes("page=2") && !failed) {
      failed = true;
      return Promise.resolve(new Response("{}", { status: 503, headers: { "retry-after": "0" } }));
    }
    return mock.fetch(url, init);
  };
  const gist = new GistClient({ apiKey: KEY, baseUrl: "http://mock.invalid", perPage: 2, fetch });
  const body = { note: "two\nlines\r\nand \u2028 Zoë 🎉", nested: { "\n": "\\n" } };
  await gist.apiCall({ url: "/contacts", method: "POST", body }, { headers: { ["__proto__"]: "kept", "X-Trace": "a b" } });
  const [{ init }] = seen;
  assert.equal(init.body, JSON.stringify(body));
  assert.equal(Object.getPrototypeOf(init.headers), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(init.headers, "__proto__")?.value, "kept");
  assert.equal(init.headers["X-Trace"], "a b");
  assert.equal(init.headers.Authorization, `Bearer ${KEY}`);
  const users = await gist.listUsers({ limit: 5 });
  assert.deepEqual(users.map((user) => user.user_id).sort(), ["1", "2", "3", "4", "5"]);
  assert.equal(failed, true, "page 2 was answered 503 once and retried");
});
