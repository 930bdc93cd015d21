// The smoke test every runtime runs from the built package: create, fetch and list a user against the
// loopback mock; parse and verify a webhook (token, HMAC-SHA256 hex, HMAC-SHA1 base64); and the
// guarantees that lean on the runtime's own fetch: a redirect is refused, an answer over
// maxResponseBytes stops, a path that leaves baseUrl is never sent.

const HOOK = '{"topic":"user.created","contact":{"id":1001,"user_id":"5001","email":"ada@example.com"}}';
// HMAC-SHA256 (hex) and HMAC-SHA1 (base64) of HOOK with the key "s3cret", computed elsewhere.
const SHA256_HEX = "1670347477825c21aa2903959723bdc0a790fb88474147641bad79fa84f4de81";
const SHA1_BASE64 = "HQiwK3zet8+JVrRIOw66dR8gnFA=";

export async function runtimeSmoke({ GistClient, GistError, parseWebhook, verifyWebhook }, baseUrl) {
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
  const redirect = await gist.apiCall({ url: redirectPath }).catch((e) => e);
  const small = new GistClient({ apiKey: "mock-key", baseUrl, maxResponseBytes: 1000 });
  return {
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
    redirect: [redirect.code, /redirect/.test(redirect.message)],
    tooLarge: await codeOf(small.listUsers({ limit: 65 })),
    leavesBaseUrl: await codeOf(gist.apiCall({ url: "/contacts/%2e%2e/%2e%2e/admin" })),
  };
}

export const runtimeExpected = {
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
  redirect: ["invalid_response", true],
  tooLarge: "invalid_response",
  leavesBaseUrl: "invalid_argument",
};
