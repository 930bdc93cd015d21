// The smoke test every runtime runs from the built package: create, fetch and list a user against the
// loopback mock; parse and verify a webhook (token, HMAC-SHA256 hex, HMAC-SHA1 base64; secrets that
// could never verify, a header line break, half an emoji); a network_error's cause; and the
// guarantees that lean on the runtime's own fetch: a redirect is refused, an answer over
// maxResponseBytes stops, a path that leaves baseUrl is never sent; and what a call tells its caller
// (withResponse, asked during the call, after it, and after free()), its hooks and the server (per-call
// retries and headers, the User-Agent).

const HOOK = '{"topic":"user.created","contact":{"id":1001,"user_id":"5001","email":"ada@example.com"}}';
// HMAC-SHA256 (hex) and HMAC-SHA1 (base64) of HOOK with the key "s3cret", computed elsewhere.
const SHA256_HEX = "1670347477825c21aa2903959723bdc0a790fb88474147641bad79fa84f4de81";
const SHA1_BASE64 = "HQiwK3zet8+JVrRIOw66dR8gnFA=";

export async function runtimeSmoke({ GistClient, GistError, parseWebhook, signWebhook, verifyWebhook }, baseUrl) {
  const gist = new GistClient({ apiKey: "mock-key", baseUrl });
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const email = `rt${stamp}@example.com`;
  const user = await gist.createUser({ user_id: stamp, email });
  const fetched = await gist.fetchUser({ email });
  const listed = await gist.listUsers({ limit: 65 });
  const event = parseWebhook(HOOK);
  const verify = (headers, options) => verifyWebhook({ body: HOOK, headers }, options);
  const codeOf = (promise) => promise.then(() => "resolved", (e) => (e instanceof GistError ? e.code : String(e)));
  const redirectPath = `/redirect-${stamp}`;
  await fetch(`${baseUrl}/__mock/fail`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: redirectPath, status: 307, headers: { location: `${baseUrl}/contacts` } }),
  });
  const answered = [];
  const hooked = new GistClient({ apiKey: "mock-key", baseUrl, hooks: { response: (info) => answered.push(info.status) } });
  const redirect = await hooked.apiCall({ url: redirectPath }).catch((e) => e);
  const small = new GistClient({ apiKey: "mock-key", baseUrl, maxResponseBytes: 1000 });
  const features = await sdkFeatures({ GistClient, GistError }, baseUrl, user, codeOf);
  return {
    ...features,
    created: user.type,
    fetched: fetched.id === user.id,
    listed: listed.length,
    onlyUsers: listed.every((c) => c.type === "user"),
    notFound: await gist.fetchUser({ id: 1 }).catch((e) => e instanceof GistError && e.code),
    webhook: [event.kind, event.topic, event.contact.user_id],
    malformed: (() => { try { parseWebhook("nope"); return "parsed"; } catch (e) { return e instanceof GistError && e.code; } })(),
    token: await verify({ "x-gist-webhook-token": "s3cret" }, { secret: ["old", "s3cret"] }),
    forged: await verify({ "x-gist-webhook-token": "s3cre7" }, { secret: "s3cret" }),
    sha256: await verify({ "x-gist-signature": `sha256=${SHA256_HEX}` }, { secret: "s3cret", scheme: "hmac-sha256" }),
    sha1: await verify({ "X-Hub-Signature": SHA1_BASE64 }, { secret: "s3cret", scheme: "hmac-sha1", header: "x-hub-signature", encoding: "base64" }),
    signed: await signedRoundTrip(signWebhook, verifyWebhook),
    resizableBody: await resizableBody(signWebhook, verifyWebhook),
    spacedSecret: await codeOf(verify({ "x-gist-webhook-token": "new" }, { secret: "old, new".split(",") })),
    headerLineBreak: await codeOf(verify({ "x-note": "hi\nx-gist-webhook-token\ns3cret" }, { secret: "s3cret" })),
    halfEmoji: parseWebhook('{"contact":{"id":1,"user_id":42,"name":"Ann \\ud83d"}}').contact.name,
    unreachable: await new GistClient({ apiKey: "mock-key", baseUrl: "http://127.0.0.1:1", maxRetries: 0 }).listTags()
      .then(() => "resolved", (e) => [e instanceof GistError && e.code, e.cause instanceof Error]),
    // Its status where the runtime tells it, none where a browser hides it (Chromium's fetch said 0).
    redirect: [redirect.code, /redirect/.test(redirect.message), [307, null].includes(answered[0]), [307, undefined].includes(redirect.status)],
    tooLarge: await codeOf(small.listUsers({ limit: 65 })),
    leavesBaseUrl: await codeOf(gist.apiCall({ url: "/contacts/%2e%2e/%2e%2e/admin" })),
  };
}

// signWebhook's headers verify for each scheme and encoding; a one-byte change of the body does not.
async function signedRoundTrip(signWebhook, verifyWebhook) {
  const results = [];
  for (const options of [
    { secret: "s3cret" },
    { secret: ["new", "old"], scheme: "hmac-sha256" },
    { secret: "s3cret", scheme: "hmac-sha1", header: "X-Hub-Signature", encoding: "base64" },
  ]) {
    const headers = await signWebhook(HOOK, options);
    const valid = await verifyWebhook({ body: HOOK, headers }, options);
    const tampered = await verifyWebhook({ body: HOOK.replace("ada", "adb"), headers }, options);
    results.push([Object.keys(headers)[0], valid, tampered]);
  }
  return results;
}

// A body whose bytes sit on a resizable ArrayBuffer signs and verifies as its text does (Bun's Web Crypto
// refuses such a view: it is copied first).
async function resizableBody(signWebhook, verifyWebhook) {
  const text = new TextEncoder().encode(HOOK);
  const body = new Uint8Array(new ArrayBuffer(text.length, { maxByteLength: text.length * 2 }));
  body.set(text);
  const options = { secret: "s3cret", scheme: "hmac-sha256" };
  const headers = await signWebhook(HOOK, options);
  return [await verifyWebhook({ body, headers }, options), JSON.stringify(await signWebhook(body, options)) === JSON.stringify(headers)];
}

// Makes the mock answer the next request to `path` with `rule` (status, headers, body).
const failNext = (baseUrl, path, rule) => fetch(`${baseUrl}/__mock/fail`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ path, ...rule }),
});

// withResponse, hooks, per-call maxRetries and headers, and the User-Agent, seen from the caller's side.
async function sdkFeatures({ GistClient }, baseUrl, user, codeOf) {
  const seen = [];
  const sent = [];
  const observed = new GistClient({
    apiKey: "mock-key",
    baseUrl,
    logLevel: "off",
    fetch: (url, init) => {
      sent.push(init.headers);
      return fetch(url, init);
    },
    hooks: {
      request: (info) => seen.push(["request", info]),
      response: (info) => {
        seen.push(["response", info]);
        throw new Error("a hook bug the call must survive");
      },
      retry: (info) => seen.push(["retry", info]),
    },
  });
  const path = `/contacts/${user.id}`;
  await failNext(baseUrl, path, { status: 503, headers: { "retry-after": "0" } });
  const { data, response } = await observed.fetchUser({ id: user.id }).withResponse();
  const hooksSaw = seen.map(([name, info]) => `${name} ${info.method} ${info.path.replace(String(user.id), "ID")} ${info.attempt}${info.status ? ` ${info.status}` : ""}`);
  await failNext(baseUrl, path, { status: 503, headers: { "retry-after": "0" } });
  const before = sent.length;
  const once = await codeOf(observed.fetchUser({ id: user.id }, { maxRetries: 0 }));
  const sentOnce = sent.length - before;
  await observed.fetchUser({ email: user.email }, { headers: { "X-Trace": "t-1" } });
  const traced = sent.at(-1);
  await failNext(baseUrl, "/rate-limited", { status: 200, body: {}, headers: { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" } });
  const limited = await observed.apiCall({ url: "/rate-limited" }).withResponse();
  const agent = sent[0]["User-Agent"];
  // Oldest first, so that users other tests create meanwhile land after these pages.
  const oldest = { order_by: "created_at", order: "asc" };
  const paged = new GistClient({ apiKey: "mock-key", baseUrl, perPage: 3 });
  const walk = paged.iterUsers(oldest);
  const pages = walk.pages();
  await pages.next();
  await pages.next();
  const cursor = walk.cursor;
  const third = (await pages.next()).value.map((u) => u.id);
  const fresh = new GistClient({ apiKey: "mock-key", baseUrl, perPage: 3 });
  const resumed = (await fresh.iterUsers({ cursor }).pages().next()).value.map((u) => u.id);
  const inBrowser = typeof window !== "undefined" && typeof document !== "undefined";
  const pacing = await pacingFeatures(GistClient, baseUrl, user);
  const late = await lateWithResponse(GistClient, baseUrl, user, codeOf);
  return {
    ...pacing,
    ...late,
    withResponse: [data.id === user.id, response.status, response.attempts, response.requests, typeof response.elapsedMs],
    hooksSaw,
    hooksKeepSecrets: !/mock-key|\?|@/.test(JSON.stringify(seen)),
    requestHookHeaders: [seen[0][1].headers.authorization, seen[0][1].headers.accept, "body" in seen[0][1]],
    maxRetriesZero: [once, sentOnce],
    callHeaders: [traced["X-Trace"], traced.Authorization],
    authorizationRefused: await codeOf(observed.fetchUser({ id: user.id }, { headers: { authorization: "Bearer other" } })),
    rateLimit: [limited.response.rateLimit?.limit, limited.response.rateLimit?.remaining, limited.response.rateLimit?.resetAt > Date.now()],
    userAgent: inBrowser ? agent === undefined : /^gist-wasm\/\d+\.\d+\.\d+ \(\S+\)$/.test(agent),
    resumesInANewClient: [typeof cursor, third.length > 0 && JSON.stringify(resumed) === JSON.stringify(third)],
  };
}

// withResponse() asked once the call is over: the answer's headers are read then, every one (content-type
// is not one the core reads), with the key scrubbed; after free() it rejects, where one asked before free()
// has them. (A page of another origin sees only the headers the mock's CORS exposes, and content-type.)
async function lateWithResponse(GistClient, baseUrl, user, codeOf) {
  const client = new GistClient({ apiKey: "mock-key", baseUrl, logLevel: "off" });
  const path = `/contacts/${user.id}`;
  const headers = { "x-request-id": "req-late mock-key", "x-ratelimit-limit": "100" };
  await failNext(baseUrl, path, { status: 200, body: { contact: user }, headers });
  const call = client.fetchUser({ id: user.id });
  await call;
  const { response } = await call.withResponse();
  const asked = client.fetchUser({ id: user.id });
  const early = asked.withResponse();
  const unasked = client.fetchUser({ id: user.id });
  await Promise.all([asked, unasked]);
  client.free();
  return {
    lateWithResponse: [/json/.test(response.headers.get("content-type")), response.headers.get("x-request-id"), response.requestId, response.rateLimit?.limit],
    withResponseAfterFree: [/json/.test((await early).response.headers.get("content-type")), await codeOf(unasked.withResponse())],
  };
}

// maxConcurrent, a rate limit with 0 remaining, and the retry budget, counted at the client's fetch.
async function pacingFeatures(GistClient, baseUrl, user) {
  let inFlight = 0;
  let most = 0;
  let sent = 0;
  const counting = (url, init) => {
    sent += 1;
    inFlight += 1;
    most = Math.max(most, inFlight);
    return fetch(url, init).finally(() => { inFlight -= 1; });
  };
  const paced = new GistClient({ apiKey: "mock-key", baseUrl, fetch: counting, maxConcurrent: 4, logLevel: "off" });
  await Promise.all(Array.from({ length: 50 }, () => paced.fetchUser({ id: user.id })));
  const limited = `/limited-${user.id}`;
  await failNext(baseUrl, limited, { status: 200, body: {}, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" } });
  await paced.apiCall({ url: limited });
  const before = Date.now();
  await paced.fetchUser({ id: user.id });
  const waited = Date.now() - before;
  const failing = `/failing-${user.id}`;
  await failNext(baseUrl, failing, { status: 503, headers: { "retry-after": "0" }, times: 100000 });
  const budgeted = new GistClient({ apiKey: "mock-key", baseUrl, fetch: counting, logLevel: "off" });
  const sentBefore = sent;
  for (let i = 0; i < 150; i++) await budgeted.apiCall({ url: failing });
  const budgetSent = sent - sentBefore;
  return {
    maxConcurrent: most <= 4 && most > 1,
    pausedForTheReset: waited >= 700 && waited < 5000,
    retryBudget: budgetSent <= 150 * 1.2 + 10 && budgetSent > 150,
  };
}

export const runtimeExpected = {
  maxConcurrent: true,
  pausedForTheReset: true,
  retryBudget: true,
  lateWithResponse: [true, "req-late [redacted]", "req-late [redacted]", 100],
  withResponseAfterFree: [true, "invalid_argument"],
  withResponse: [true, 200, 2, 2, "number"],
  hooksSaw: [
    "request GET /contacts/ID 1", "response GET /contacts/ID 1 503", "retry GET /contacts/ID 2 503",
    "request GET /contacts/ID 2", "response GET /contacts/ID 2 200",
  ],
  hooksKeepSecrets: true,
  requestHookHeaders: ["Bearer [redacted]", "application/json", false],
  maxRetriesZero: ["server_error", 1],
  callHeaders: ["t-1", "Bearer mock-key"],
  authorizationRefused: "invalid_argument",
  rateLimit: [100, 0, true],
  userAgent: true,
  resumesInANewClient: ["string", true],
  created: "user",
  fetched: true,
  listed: 65,
  onlyUsers: true,
  notFound: "not_found",
  webhook: ["contact", "user.created", "5001"],
  malformed: "invalid_webhook",
  token: true,
  forged: false,
  sha256: true,
  sha1: true,
  signed: [
    ["x-gist-webhook-token", true, true],
    ["x-gist-signature", true, false],
    ["x-hub-signature", true, false],
  ],
  resizableBody: [true, true],
  spacedSecret: "invalid_argument",
  headerLineBreak: "invalid_argument",
  halfEmoji: "Ann \ufffd",
  unreachable: ["network_error", true],
  redirect: ["invalid_response", true, true, true],
  tooLarge: "invalid_response",
  leavesBaseUrl: "invalid_argument",
};
