// The client's edge through real fetch against a loopback mock Gist API, from the built package's
// public API: every call, retry, deadline, abort, status and webhook behaviour, so that it
// survives a redesign of the wasm edge. Shared by Node (tests/js/edge.test.mjs) and Chromium
// (tests/browser/edge.html, run by tests/js/edge-browser.test.mjs).
//
// Each case is `async (pkg, mockUrl, tools) => void` and throws on failure:
// - `pkg` is the namespace of "gist-wasm" (GistClient, GistError, parseWebhook, ...), already initialised;
// - `mockUrl` is a mock Gist API served over HTTP on 127.0.0.1 (`serveMock` from "gist-wasm/mock/server"),
//   freshly reset (`resetMock`) before each case; its control routes are driven over HTTP as well;
// - `tools.inBrowser` says whether the case runs in a browser page.
// No node:* import here: the same file is loaded by the browser page.

// ---------------------------------------------------------------------------------------------------
// A tiny assert, since node:assert is not available in the browser.

const show = (value) => {
  try {
    return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
};

function fail(message) {
  const error = new Error(message);
  error.name = "AssertionError";
  throw error;
}

function ok(condition, message) {
  if (!condition) fail(message ?? "expected a truthy value");
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

function eq(actual, expected, message) {
  if (!same(actual, expected)) fail(`${message ? `${message}: ` : ""}expected ${show(expected)}, got ${show(actual)}`);
}

/** What a GistError looks like in a failure message. */
const describe = (error) =>
  error && typeof error === "object"
    ? `${error.name}(${error.code ?? ""}${error.status ? ` ${error.status}` : ""}): ${error.message}`
    : show(error);

/** Awaits `promise` (or calls `fn` and awaits it) and returns what it rejected with; fails when it resolves. */
async function rejection(promiseOrFn, what) {
  let value;
  try {
    value = await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    return error;
  }
  return fail(`${what ?? "the call"} resolved (${show(value)}) where it should have rejected`);
}

/** Calls `fn` and returns what it threw synchronously; fails when it returns. */
function thrown(fn, what) {
  let value;
  try {
    value = fn();
  } catch (error) {
    return error;
  }
  return fail(`${what ?? "the call"} returned (${show(value)}) where it should have thrown`);
}

/** Awaits `promise` and returns its value; a rejection fails with the error's code and message. */
async function resolved(promise, what) {
  try {
    return await promise;
  } catch (error) {
    return fail(`${what} rejected: ${describe(error)}`);
  }
}

/** Asserts `error` is a GistError of the package, with `code`. */
function isGistError(pkg, error, code, what) {
  ok(error instanceof pkg.GistError, `${what}: expected a GistError, got ${describe(error)}`);
  ok(error instanceof Error, `${what}: a GistError is an Error`);
  eq(error.code, code, `${what}: code (${describe(error)})`);
}

const isWhole = (value) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

// ---------------------------------------------------------------------------------------------------
// The mock's control routes over HTTP (loopback pages may call them; Node is no browser).

async function control(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) fail(`mock control ${url}: ${response.status}`);
  return response.json();
}

/** Restores the mock's seeded data, forgets its failure rules and its request log. */
export function resetMock(mockUrl) {
  return control(`${mockUrl}/__mock/reset`, { method: "POST" });
}

/** Makes the next request matching `rule` fail (POST /__mock/fail). */
function failNext(mockUrl, rule) {
  return control(`${mockUrl}/__mock/fail`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
}

/** How many requests the mock logged with this method and path whose query or body contains `needle`. */
async function requestsTo(mockUrl, method, path, needle) {
  const { requests } = await control(`${mockUrl}/__mock/requests`);
  const contains = (text) => typeof text === "string" && text.includes(needle);
  return requests.filter((r) => r.method === method && r.path === path && (contains(r.query) || contains(r.body))).length;
}

/** The email of the first lead on the mock's first page of contacts, read past the client. */
async function firstLeadEmail(mockUrl) {
  const response = await fetch(`${mockUrl}/contacts?per_page=60`, { headers: { authorization: "Bearer mock-key" } });
  const lead = (await response.json()).contacts.find((c) => c.type === "lead");
  ok(lead, "the mock's first page holds a lead");
  return lead.email;
}

// ---------------------------------------------------------------------------------------------------
// Helpers over the public API.

const client = (pkg, mockUrl, extra = {}) => new pkg.GistClient({ apiKey: "mock-key", baseUrl: mockUrl, ...extra });

/** A user id no other case uses (the cases also reset the mock; the ids mark their requests in its log). */
const freshUserId = () => (Date.now() % 1_000_000_000) * 1000 + Math.floor(Math.random() * 1000);

async function newUser(gist) {
  const userId = freshUserId();
  return resolved(gist.createUser({ user_id: userId, email: `u${userId}+tag@example.com`, name: "Wasm Test" }), "createUser");
}

const signalAbortedAfter = (ms) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
};

/**
 * Drains an iterable returned by an iter* function through its iterator's next(); after `stopAfter`
 * items, calls return() (what `break` does) and checks that it reports done.
 */
async function drain(iterable, stopAfter) {
  ok(iterable && typeof iterable[Symbol.asyncIterator] === "function", "an iter* function returns an AsyncIterable");
  const iterator = iterable[Symbol.asyncIterator]();
  const items = [];
  for (;;) {
    if (items.length === stopAfter) {
      ok(typeof iterator.return === "function", "the iterator has return()");
      const done = await iterator.return();
      ok(done && done.done, `return() reports done (got ${show(done)})`);
      return { items, iterator };
    }
    const step = await iterator.next();
    if (step.done) return { items, iterator };
    items.push(JSON.parse(JSON.stringify(step.value)));
  }
}

const CONTACT_HOOK =
  '{"topic":"contact.tagged","contact":{"id":1001,"user_id":5001,"unsubscribed_from_emails":"true","tags":[{"id":3,"name":"VIP"}]}}';

/** HMAC-SHA256 of `text` with `key`, in hex, by Web Crypto (Node 20's global and a loopback page's). */
async function hmacSha256Hex(key, text) {
  const subtle = globalThis.crypto?.subtle;
  ok(subtle, "Web Crypto is available to compute the expected signature");
  const bytes = (s) => new TextEncoder().encode(s);
  const cryptoKey = await subtle.importKey("raw", bytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await subtle.sign("HMAC", cryptoKey, bytes(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------------
// The cases, named after the behaviour each checks (the names of the former wasm-bindgen tests).

export const cases = {
  async every_users_call_works_through_real_fetch(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const user = await newUser(gist);
    const id = user.id;
    ok(isWhole(id), `a user's id is a whole number (got ${show(id)})`);
    eq(user.type, "user", "type");
    eq(typeof user.user_id, "string", "user_id comes back as a string");
    eq(user.unsubscribed_from_emails, false, 'the mock\'s "false" became a boolean');

    for (const reference of [{ id }, { user_id: user.user_id }, { email: user.email }]) {
      const fetched = await resolved(gist.fetchUser(reference), `fetchUser(${show(reference)})`);
      eq(fetched.id, id, `by ${show(reference)}`);
    }

    const updated = await resolved(gist.updateUser({ id }, { name: "Renamed", custom_properties: { plan: "pro" } }), "updateUser");
    eq([updated.id, updated.name], [id, "Renamed"], "updated id and name");
    eq(updated.custom_properties?.plan, "pro", "custom property");

    const listed = await resolved(gist.listUsers({ limit: 75 }), "listUsers");
    ok(Array.isArray(listed), "listUsers resolves an array");
    eq(listed.length, 75, "paged past the mock's 60 per page");
    ok(listed.every((c) => c.type === "user"), "users only");

    await resolved(gist.deleteUser({ id }), "deleteUser");
    const gone = await rejection(gist.fetchUser({ id }), "fetchUser of a deleted user");
    isGistError(pkg, gone, "not_found", "fetchUser of a deleted user");
  },

  async iter_users_yields_users_and_stops_at_its_limit(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const { items } = await drain(gist.iterUsers({ limit: 65 }));
    eq(items.length, 65, "items");
    ok(items.every((u) => u.type === "user"), "users only");
  },

  async breaking_out_of_iter_users_fetches_no_more_pages(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    // The mock ignores `status`; it only marks this case's requests in the mock's log.
    const marker = `iter-${freshUserId()}`;
    const { items, iterator } = await drain(gist.iterUsers({ status: marker }), 10);
    eq(items.length, 10, "items before return()");
    eq(await requestsTo(mockUrl, "GET", "/contacts", marker), 1, "one page was enough for 10 users");
    const after = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) after.push(step.value);
    eq(after.length, 0, "a returned iterator is done");
    eq(await requestsTo(mockUrl, "GET", "/contacts", marker), 1, "no page fetched after return()");
  },

  async every_leads_call_works_through_real_fetch(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const email = `lead-${freshUserId()}@example.com`;
    const lead = await resolved(gist.createLead({ email, name: "A Lead" }), "createLead");
    eq([lead.type, lead.user_id ?? null], ["lead", null], "a lead has no user_id");
    const id = lead.id;
    ok(isWhole(id), "a lead's id is a whole number");
    eq((await resolved(gist.fetchLead({ email }), "fetchLead")).id, id, "fetchLead by email");
    const updated = await resolved(gist.updateLead({ id }, { name: "Renamed" }), "updateLead");
    eq(updated.name, "Renamed", "updateLead");

    const leads = await resolved(gist.listLeads({ limit: 75 }), "listLeads");
    eq(leads.length, 75, "paged across several pages of mixed contacts");
    ok(leads.every((c) => c.type === "lead"), "leads only");
    const { items } = await drain(gist.iterLeads({ limit: 3 }));
    eq(items.length, 3, "iterLeads({ limit: 3 })");

    const user = await newUser(gist);
    isGistError(pkg, await rejection(gist.fetchLead({ id: user.id }), "fetchLead of a user"), "not_found", "fetchLead of a user");
    await resolved(gist.deleteLead({ id }), "deleteLead");
    isGistError(pkg, await rejection(gist.fetchLead({ id }), "fetchLead of a deleted lead"), "not_found", "fetchLead of a deleted lead");
    isGistError(pkg, await rejection(gist.createLead({ name: "no email" }), "createLead without email"), "invalid_argument", "createLead without email");
  },

  async every_tags_call_works_through_real_fetch(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const name = `Tag ${freshUserId()}`;
    const tag = await resolved(gist.createTag(name), "createTag");
    eq(tag.name, name, "createTag");
    const renamed = await resolved(gist.updateTag(tag.id, name.toUpperCase()), "updateTag");
    eq(renamed.name, name.toUpperCase(), "updateTag");
    const listed = await resolved(gist.listTags({ limit: 1000 }), "listTags");
    ok(listed.some((t) => t.id === tag.id), "listTags has the new tag");
    const { items } = await drain(gist.iterTags());
    ok(items.some((t) => t.id === tag.id), "iterTags reaches the new tag");
    await resolved(gist.deleteTag(tag.id), "deleteTag");
    const after = await resolved(gist.listTags(), "listTags after delete");
    ok(!after.some((t) => t.id === tag.id), "the deleted tag is gone");
    isGistError(pkg, await rejection(gist.createTag(42), "createTag(42)"), "invalid_argument", "createTag(42)");
    isGistError(pkg, await rejection(gist.deleteTag("x"), 'deleteTag("x")'), "invalid_argument", 'deleteTag("x")');
  },

  async tagging_120_contacts_makes_exactly_three_tag_requests(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const name = `bulk-${freshUserId()}`;
    const users = Array.from({ length: 120 }, (_, i) => ({ id: 1001 + i }));
    const result = await resolved(gist.tagContacts({ tag: name, users }), "tagContacts");
    eq([result.tagged, result.untagged], [120, 0], "tagged, untagged");
    eq(result.failed, [], "failed");
    eq(await requestsTo(mockUrl, "POST", "/tags", name), 3, "POST /tags requests (batches of at most 50)");
    let contact;
    try {
      contact = await gist.fetchUser({ id: 1001 });
    } catch {
      contact = await resolved(gist.fetchLead({ id: 1001 }), "fetchLead(1001)");
    }
    ok(Array.isArray(contact.tags) && contact.tags.some((t) => t.name === name), "contact 1001 carries the tag");
  },

  async a_failing_batch_is_listed_in_failed_and_the_other_batches_succeed(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const name = `flaky-${freshUserId()}`;
    await failNext(mockUrl, { path: "/tags", method: "POST", status: 500, bodyIncludes: name });
    const users = Array.from({ length: 120 }, (_, i) => ({ id: 1001 + i }));
    const leads = [{ email: "nobody-here@example.com" }];
    const result = await resolved(gist.tagContacts({ tag: name, users, leads }), "tagContacts");
    eq(result.tagged, 70, "tagged");
    ok(Array.isArray(result.failed), "failed is an array");
    eq(result.failed.length, 51, "one batch of 50 and one unknown lead");
    eq(result.failed.filter((f) => f.error?.code === "server_error").length, 50, "the failed batch's targets");
    ok(
      result.failed.some((f) => same(f.target, { email: "nobody-here@example.com" }) && f.error?.code === "not_found"),
      `the unknown lead is listed not_found (failed: ${show(result.failed.filter((f) => f.error?.code !== "server_error"))})`,
    );
    eq(await requestsTo(mockUrl, "POST", "/tags", name), 3, "the failed write was not retried");
  },

  async segments_campaigns_and_events_work_through_real_fetch(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const segment = await resolved(gist.fetchSegment(1, { include_count: true }), "fetchSegment");
    ok(isWhole(segment.count), `fetchSegment with include_count has a count (got ${show(segment.count)})`);
    const segments = await resolved(gist.listSegments({ include_count: true }), "listSegments");
    ok(Array.isArray(segments) && segments.every((s) => isWhole(s.count)), "every listed segment has a count");
    eq((await drain(gist.iterSegments({ limit: 2 }))).items.length, 2, "iterSegments({ limit: 2 })");

    const campaign = await resolved(gist.fetchCampaign(100), "fetchCampaign");
    eq(typeof campaign.email_open_rate, "string", "rates stay strings");
    eq((await resolved(gist.listCampaigns({ limit: 2 }), "listCampaigns")).length, 2, "listCampaigns({ limit: 2 })");
    eq((await drain(gist.iterCampaigns())).items.length, 4, "iterCampaigns");

    const user = await newUser(gist);
    const event = { event_name: "order.completed$now", user: { email: user.email }, properties: { total: 12.5 } };
    const recorded = await resolved(gist.recordEvent(event), "recordEvent");
    eq(recorded.name, "order-completed-now", "the recorded name");
    const listed = await resolved(gist.listEvents({ limit: 10000 }), "listEvents");
    ok(listed.some((e) => e.id === recorded.id), "listEvents has the recorded event");
    ok((await drain(gist.iterEvents(), 5)).items.length > 0, "iterEvents yields events");
    eq(pkg.normalizeEventName("completed.order"), "completed-order", "normalizeEventName");
    thrown(() => pkg.normalizeEventName(42), "normalizeEventName(42)");
  },

  async api_call_resolves_for_every_status_and_refuses_other_hosts(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const answer = await resolved(gist.apiCall({ url: "/contacts", query: { per_page: 2 } }), "apiCall /contacts");
    eq(answer.status, 200, "status");
    eq(answer.body?.contacts?.length, 2, "per_page=2 was sent");
    const missing = await resolved(gist.apiCall({ url: "/contacts/1" }), "apiCall /contacts/1");
    eq(missing.status, 404, "a 404 resolves");
    eq(missing.body?.errors?.[0]?.code, "not_found", "with its body");
    for (const url of ["http://127.0.0.1:9/x", "//127.0.0.1:9/x"]) {
      isGistError(pkg, await rejection(gist.apiCall({ url }), `apiCall(${url})`), "invalid_argument", `apiCall(${url})`);
    }
  },

  async a_lead_or_an_unknown_email_is_not_found_for_fetch_user(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const leadEmail = await firstLeadEmail(mockUrl);
    const error = await rejection(gist.fetchUser({ email: leadEmail }), "fetchUser of a lead");
    isGistError(pkg, error, "not_found", "fetchUser of a lead");
    ok(String(error.message).includes("is a lead"), `the message says it is a lead (${error.message})`);

    const nobody = `nobody-${freshUserId()}`;
    const unknown = await rejection(gist.fetchUser({ email: `${nobody}@example.com` }), "fetchUser of an unknown email");
    isGistError(pkg, unknown, "not_found", "fetchUser of an unknown email");
    eq(unknown.status, 404, "status");
    ok(!String(unknown.message).includes(nobody), `no email in the message (${unknown.message})`);
    eq(await requestsTo(mockUrl, "GET", "/contacts", nobody), 1, "a 404 is not retried");
  },

  async a_timeout_and_an_abort_give_their_codes(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const user = await newUser(gist);
    const path = `/contacts/${user.id}`;
    await failNext(mockUrl, { path, delayMs: 3000, status: 200, body: "{}" });
    const timedOut = await rejection(gist.fetchUser({ id: user.id }, { timeoutMs: 300 }), "fetchUser with timeoutMs 300");
    isGistError(pkg, timedOut, "timeout", "fetchUser with timeoutMs 300");

    await failNext(mockUrl, { path, delayMs: 3000, status: 200, body: "{}" });
    const aborted = await rejection(gist.fetchUser({ id: user.id }, { signal: signalAbortedAfter(100) }), "an aborted fetchUser");
    isGistError(pkg, aborted, "aborted", "an aborted fetchUser");
  },

  async statuses_map_to_codes(pkg, mockUrl) {
    const gist = client(pkg, mockUrl, { maxRetries: 0 });
    const user = await newUser(gist);
    const path = `/contacts/${user.id}`;
    const reference = { id: user.id };

    const wrongKey = new pkg.GistClient({ apiKey: "wrong", baseUrl: mockUrl });
    const refused = await rejection(wrongKey.fetchUser(reference), "fetchUser with a wrong key");
    isGistError(pkg, refused, "unauthorized", "fetchUser with a wrong key");
    eq(refused.status, 401, "status");
    ok(!JSON.stringify(refused).includes("wrong") && !String(refused).includes("wrong"), "the key is not in the error");

    const missing = await rejection(gist.fetchUser({ id: 1 }), "fetchUser({ id: 1 })");
    isGistError(pkg, missing, "not_found", "fetchUser({ id: 1 })");
    eq(missing.path, "/contacts/1", "path");
    eq(missing.method, "GET", "method");

    await failNext(mockUrl, { path, status: 500 });
    const serverError = await rejection(gist.fetchUser(reference), "fetchUser answered 500");
    isGistError(pkg, serverError, "server_error", "fetchUser answered 500");
    eq(serverError.status, 500, "status");

    await failNext(mockUrl, { path, status: 200, body: "<html>not json</html>" });
    const invalid = await rejection(gist.fetchUser(reference), "fetchUser answered HTML");
    isGistError(pkg, invalid, "invalid_response", "fetchUser answered HTML");
    eq(invalid.name, "GistError", "name");
  },

  async a_read_that_gets_503_with_retry_after_succeeds_after_one_retry(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const user = await newUser(gist);
    const path = `/contacts/${user.id}`;
    await failNext(mockUrl, { path, status: 503, headers: { "retry-after": "1" } });
    const started = Date.now();
    const fetched = await resolved(gist.fetchUser({ id: user.id }), "fetchUser after a 503");
    const waited = Date.now() - started;
    eq(fetched.id, user.id, "the retried read's answer");
    eq(await requestsTo(mockUrl, "GET", path, ""), 2, "one retry");
    ok(waited >= 900, `it waited for Retry-After (${waited} ms)`);
  },

  async a_create_that_gets_500_is_sent_exactly_once(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const userId = String(freshUserId());
    const marker = `"user_id":"${userId}"`;
    await failNext(mockUrl, { path: "/contacts", method: "POST", status: 500, bodyIncludes: marker });
    const error = await rejection(gist.createUser({ user_id: userId }), "createUser answered 500");
    isGistError(pkg, error, "server_error", "createUser answered 500");
    eq(await requestsTo(mockUrl, "POST", "/contacts", marker), 1, "the write was sent once");
  },

  async a_deadline_shorter_than_retry_after_fails_without_waiting(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const user = await newUser(gist);
    const path = `/contacts/${user.id}`;
    await failNext(mockUrl, { path, status: 429, headers: { "retry-after": "5" } });
    const started = Date.now();
    const error = await rejection(gist.fetchUser({ id: user.id }, { timeoutMs: 2000 }), "fetchUser answered 429");
    const waited = Date.now() - started;
    isGistError(pkg, error, "rate_limited", "fetchUser answered 429");
    eq(error.retryAfter, 5, "retryAfter");
    ok(waited < 2000, `did not wait out the 5 s (${waited} ms)`);
  },

  async bad_input_is_an_invalid_argument_and_the_instance_keeps_working(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const badUsers = [
      { user_id: "abc" },
      { email: "no-user-id@example.com" },
      { user_id: 1, name: 42 },
      "a string",
      null,
      { user_id: 1, custom_properties: { score: NaN } },
      { user_id: 5n },
    ];
    for (const bad of badUsers) {
      const what = `createUser(${show(bad)})`;
      isGistError(pkg, await rejection(() => gist.createUser(bad), what), "invalid_argument", what);
    }
    for (const badRef of [{}, { id: "x" }, { id: 1, email: "a@b.c" }]) {
      const what = `fetchUser(${show(badRef)})`;
      isGistError(pkg, await rejection(() => gist.fetchUser(badRef), what), "invalid_argument", what);
    }
    isGistError(pkg, await rejection(() => gist.listUsers({ limit: 0 }), "limit 0"), "invalid_argument", "listUsers({ limit: 0 })");
    isGistError(pkg, await rejection(() => gist.listUsers({ order: "up" }), "order up"), "invalid_argument", 'listUsers({ order: "up" })');
    isGistError(pkg, await rejection(() => gist.listUsers(undefined, { timeoutMs: -5 }), "timeoutMs -5"), "invalid_argument", "timeoutMs: -5");

    for (const badConfig of [{}, { apiKey: "" }, { apiKey: "k", fetch: "nope" }, { apiKey: "k", timeout: 5 }]) {
      const what = `new GistClient(${show(badConfig)})`;
      isGistError(pkg, thrown(() => new pkg.GistClient(badConfig), what), "invalid_argument", what);
    }

    const stillWorks = await resolved(gist.listUsers({ limit: 3 }), "listUsers after bad input");
    eq(stillWorks.length, 3, "the instance keeps working");
  },

  async gists_own_host_needs_an_opt_in_in_a_browser_only(pkg, _mockUrl, tools) {
    eq(tools.inBrowser, typeof window !== "undefined", "the runner says where it runs");
    if (tools.inBrowser) {
      isGistError(pkg, thrown(() => new pkg.GistClient({ apiKey: "k" }), "Gist's own host in a browser"), "invalid_argument", "Gist's own host in a browser");
      new pkg.GistClient({ apiKey: "k", dangerouslyAllowBrowser: true });
    } else {
      new pkg.GistClient({ apiKey: "k" });
    }
    // Spellings this runtime's URL parser reads as Gist's host, which the guard could not see through.
    for (const baseUrl of ["https://api%2Egetgist.com", "https://api.ge%74gist.com", "https://api.getgist\uff0ecom", "https://api.getgist\u3002com"]) {
      eq(new URL(baseUrl).hostname, "api.getgist.com", `the URL parser's host of ${baseUrl}`);
      isGistError(pkg, thrown(() => new pkg.GistClient({ apiKey: "k", baseUrl }), baseUrl), "invalid_argument", baseUrl);
    }
  },

  async an_answers_bytes_read_as_text_decoder_reads_them(pkg, mockUrl) {
    // The runtime hands a streamed answer's bytes to the core: a byte order mark, invalid UTF-8 and a
    // character split across chunks must read as TextDecoder reads them.
    const utf8 = (text) => new TextEncoder().encode(text);
    const join = (...parts) => {
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
      return bytes;
    };
    const head = utf8('{"contact":{"id":1001,"type":"user","user_id":"5001","name":"');
    const tail = utf8('"}}');
    const name = utf8("é😀");
    const bodies = {
      "a byte order mark": [join(new Uint8Array([0xef, 0xbb, 0xbf]), head, name, tail)],
      "invalid UTF-8": [join(head, new Uint8Array([0x61, 0xff, 0xed, 0xa0, 0x80, 0xc3]), tail)],
      "a character split across chunks": [join(head, name.subarray(0, 3)), join(name.subarray(3), tail)],
    };
    for (const [what, chunks] of Object.entries(bodies)) {
      const stream = () => new ReadableStream({ start(c) { for (const chunk of chunks) c.enqueue(chunk); c.close(); } });
      const fetch = async () => new Response(stream(), { status: 200, headers: { "content-type": "application/json" } });
      const gist = client(pkg, mockUrl, { fetch }); // the mock's host: allowed in a browser
      const user = await resolved(gist.fetchUser({ id: 1001 }), `fetchUser of an answer with ${what}`);
      const expected = JSON.parse(await new Response(stream()).text()).contact.name;
      eq(user.name, expected, `the name of an answer with ${what}`);
    }
  },

  async parse_webhook_types_contact_payloads_and_refuses_only_non_objects(pkg) {
    const event = pkg.parseWebhook(CONTACT_HOOK);
    eq(event.kind, "contact", "kind");
    eq(event.topic, "contact.tagged", "topic");
    eq(event.contact?.user_id, "5001", "user_id normalised to a string");
    eq(event.contact?.unsubscribed_from_emails, true, '"true" normalised to a boolean');
    eq(event.payload?.contact?.tags?.[0]?.name, "VIP", "the payload is the whole body");

    const unknown = pkg.parseWebhook('{"meeting":{}}', new Headers({ "X-Gist-Event": "meeting.scheduled" }));
    eq([unknown.kind, unknown.topic], ["unknown", "meeting.scheduled"], "kind and topic from a header");

    for (const body of ["<html>", "[1]", ""]) {
      isGistError(pkg, thrown(() => pkg.parseWebhook(body), `parseWebhook(${show(body)})`), "invalid_webhook", `parseWebhook(${show(body)})`);
    }
    isGistError(pkg, thrown(() => pkg.parseWebhook(5), "parseWebhook(5)"), "invalid_argument", "parseWebhook(5)");
  },

  async verify_webhook_checks_tokens_and_signatures_with_rotation(pkg) {
    const verify = (body, headers, options) => resolved(pkg.verifyWebhook({ body, headers }, options), "verifyWebhook");
    const token = { secret: ["old", "s3cret"] };
    eq(await verify(CONTACT_HOOK, { "x-gist-webhook-token": "s3cret" }, token), true, "the second secret of a rotation");
    eq(await verify(CONTACT_HOOK, { "x-gist-webhook-token": "forged" }, token), false, "a forged token");
    eq(await verify(CONTACT_HOOK, {}, token), false, "no token");

    const hmac = { secret: "s3cret", scheme: "hmac-sha256" };
    const signed = new Headers({ "X-Gist-Signature": `sha256=${await hmacSha256Hex("s3cret", CONTACT_HOOK)}` });
    eq(await verify(CONTACT_HOOK, signed, hmac), true, "a valid HMAC-SHA256 signature");
    eq(await verify(CONTACT_HOOK.replace("VIP", "vip"), signed, hmac), false, "a changed body fails");

    const error = await rejection(pkg.verifyWebhook({ body: CONTACT_HOOK, headers: {} }, { secret: "" }), "an empty secret");
    isGistError(pkg, error, "invalid_argument", "an empty secret");
  },

  async handle_webhook_reads_verifies_and_parses_a_request(pkg) {
    const requestOf = (body, headers) => new Request("http://receiver.test/hook", { method: "POST", body, headers });
    const verify = { verify: { secret: "s3cret", scheme: "hmac-sha256" } };
    const signature = { "x-gist-signature": await hmacSha256Hex("s3cret", CONTACT_HOOK) };
    const event = await resolved(pkg.handleWebhook(requestOf(CONTACT_HOOK, signature), verify), "handleWebhook signed");
    eq(event.kind, "contact", "kind");

    const forged = await rejection(pkg.handleWebhook(requestOf(CONTACT_HOOK, { "x-gist-signature": "00" }), verify), "a forged delivery");
    isGistError(pkg, forged, "invalid_webhook", "a forged delivery");
    eq(forged.status, 401, "status to answer");

    const malformed = await rejection(pkg.handleWebhook(requestOf("not json", {})), "a body that is not JSON");
    isGistError(pkg, malformed, "invalid_webhook", "a body that is not JSON");
    eq(malformed.status, 400, "status to answer");

    const unverified = await resolved(pkg.handleWebhook(requestOf(CONTACT_HOOK, {})), "handleWebhook without options");
    eq(unverified.contact?.id, 1001, "parsed without verification when not asked");
  },

  async an_answer_of_one_chunk_on_a_resizable_or_larger_buffer_reads_as_any_other(pkg) {
    // A fetch of the caller's whose body's one chunk is a view of a resizable buffer, or a small view
    // of a large one: TextDecoder and Web Crypto take no view of a resizable (or shared) buffer.
    const text = JSON.stringify({ contact: { id: 7, type: "user", user_id: "7" } });
    const bytes = new TextEncoder().encode(text);
    for (const [label, buffer] of [["resizable", new ArrayBuffer(bytes.length, { maxByteLength: 2 * bytes.length })], ["larger", new ArrayBuffer(1 << 20)]]) {
      const chunk = new Uint8Array(buffer, 0, bytes.length);
      chunk.set(bytes);
      const fetch = async () => new Response(new ReadableStream({ start(controller) { controller.enqueue(chunk); controller.close(); } }), { headers: { "content-type": "application/json" } });
      const gist = new pkg.GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch });
      try {
        eq((await resolved(gist.fetchUser({ id: 7 }), `fetchUser, ${label}`)).id, 7, `fetchUser, ${label}`);
        eq((await resolved(gist.apiCall({ url: "/contacts/7" }), `apiCall, ${label}`)).body.contact.id, 7, `apiCall, ${label}`);
      } finally {
        gist.free();
      }
    }
  },

  async an_abort_cuts_a_retry_wait_short(pkg, mockUrl) {
    const gist = client(pkg, mockUrl);
    const user = await newUser(gist);
    const path = `/contacts/${user.id}`;
    await failNext(mockUrl, { path, status: 503, headers: { "retry-after": "5" } });
    const started = Date.now();
    const error = await rejection(gist.fetchUser({ id: user.id }, { signal: signalAbortedAfter(300), timeoutMs: 20_000 }), "an aborted retry wait");
    const waited = Date.now() - started;
    isGistError(pkg, error, "aborted", "an aborted retry wait");
    ok(waited < 3000, `the 5 s wait was cut short after ${waited} ms`);
    eq(await requestsTo(mockUrl, "GET", path, ""), 1, "no retry was sent");
  },
};

/** Runs every case (or those named) one after the other on a freshly reset mock; never throws. */
export async function runCases(pkg, mockUrl, tools, names = Object.keys(cases)) {
  const results = [];
  for (const name of names) {
    const started = Date.now();
    try {
      await resetMock(mockUrl);
      await cases[name](pkg, mockUrl, tools);
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (error) {
      results.push({ name, ok: false, ms: Date.now() - started, error: `${describe(error)}\n${error?.stack ?? ""}` });
    }
  }
  return results;
}
