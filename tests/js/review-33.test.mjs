// Findings of the thirty-third round's outside reviews, and what the last round left, each checked through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, handleWebhook, signWebhook, verifyWebhook } from "gist-wasm";
import { startServer } from "./loopback.mjs";
import { consume, pacedFetch } from "gist-wasm/queues";

test("pacedFetch gives back a permit the pacer grants after its call stopped waiting, for the next caller (left alone last round: the booked start was never returned)", async () => {
  const asked = [];
  const pacer = {
    fetch: async (url, init) => {
      const { pathname } = new URL(url);
      asked.push([pathname, JSON.parse(init.body).slot]);
      if (pathname === "/permit") await new Promise((resolve) => setTimeout(resolve, 800));
      return Response.json(pathname === "/permit" ? { waitMs: 5000, slot: 123 } : {});
    },
  };
  const namespace = { idFromName: (name) => name, get: () => pacer };
  let sent = 0;
  const fetch = pacedFetch(namespace, "sk_test_review33", { requestsPerSecond: 10, fetch: async () => (sent++, Response.json({ tags: [] })) });
  const gist = new GistClient({ apiKey: "sk_test_review33", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", maxRetries: 0 });
  const error = await gist.listTags({}, { timeoutMs: 400 }).then(() => undefined, (e) => e);
  assert.deepEqual([error?.code, error?.mayHaveActed, sent], ["timeout", false, 0]);
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.deepEqual(asked, [["/permit", undefined], ["/release", 123]]);
  gist.free();
});

test("apiCall's headers given as a Headers object are sent, and an Authorization among them refused, as a call's options' are (an outside review: dropped without a word)", async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "sk_test_review33", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
  t.after(() => gist.free());
  await gist.apiCall({ url: "/contacts", headers: new Headers({ "x-trace": "as-Headers" }) });
  assert.equal(server.requests.at(-1).headers["x-trace"], "as-Headers");
  const refused = await gist.apiCall({ url: "/contacts", headers: new Headers({ authorization: "Bearer other" }) }).then(() => undefined, (e) => e);
  assert.equal(refused?.code, "invalid_argument");
  assert.equal(server.requests.length, 1, "the refused call sent nothing");
});

test("an unknown option named by the API key or a webhook secret is refused without saying it (an outside review: pacedFetch and the webhook functions wrote it out)", async () => {
  const key = "sk_live_AbCdEf0123456789XyZ";
  const refusal = (run) => {
    try {
      run();
    } catch (error) {
      return error;
    }
  };
  const paced = refusal(() => pacedFetch({ idFromName: (name) => name, get: () => ({}) }, key, { requestsPerSecond: 10, [key.toUpperCase()]: 1 }));
  assert.equal(paced?.code, "invalid_argument");
  assert.ok(!paced.message.toLowerCase().includes(key.toLowerCase()), paced.message);
  const secret = "whsec_0123456789abcdefSECRET";
  const body = JSON.stringify({ event: "contact.created" });
  const webhookRefusals = [
    await verifyWebhook({ body, headers: { "x-gist-signature": "x" } }, { secret, [secret]: true }).then(() => undefined, (e) => e),
    await verifyWebhook({ body, headers: {} }, { secret: ["whsec_first_one", secret], [`x${secret}`]: true }).then(() => undefined, (e) => e),
    await Promise.resolve().then(() => signWebhook(body, { secret, [secret]: true })).then(() => undefined, (e) => e),
  ];
  for (const error of webhookRefusals) {
    assert.equal(error?.code, "invalid_argument");
    assert.ok(!error.message.includes(secret), error.message);
  }
});

test("options take plain values: a String, Number or Boolean object is refused where a string, number or boolean is due (an outside review: a String object was taken as the API key and a webhook secret)", async () => {
  const key = "sk_test_review33_boxed";
  const refused = (run) => {
    try {
      run();
      return undefined;
    } catch (error) {
      return error.code;
    }
  };
  assert.equal(refused(() => new GistClient({ apiKey: new String(key), baseUrl: "https://api.getgist.com" })), "invalid_argument");
  assert.equal(refused(() => new GistClient({ apiKey: key, baseUrl: "https://api.getgist.com", maxRetries: new Number(1) })), "invalid_argument");
  const body = JSON.stringify({ event: "contact.created" });
  assert.equal(await verifyWebhook({ body, headers: { "x-gist-webhook-token": "whsec_review33" } }, { secret: "whsec_review33" }), true, "a plain string verifies");
  const token = await verifyWebhook({ body, headers: { "x-gist-webhook-token": "whsec_review33" } }, { secret: new String("whsec_review33") }).then(() => "verified", (e) => e.code);
  assert.equal(token, "invalid_argument");
  const listed = await verifyWebhook({ body, headers: { "x-gist-webhook-token": "whsec_review33" } }, { secret: [new String("whsec_review33")] }).then(() => "verified", (e) => e.code);
  assert.equal(listed, "invalid_argument");
  const gist = new GistClient({ apiKey: key, baseUrl: "https://api.getgist.com", fetch: async () => Response.json({ tags: [] }), logLevel: "off" });
  const call = await gist.listTags({}, { timeoutMs: new Number(5000) }).then(() => "sent", (e) => e.code);
  assert.equal(call, "invalid_argument");
  assert.deepEqual(await gist.listTags({}, { timeoutMs: 5000 }), []);
  gist.free();
});

test("without Web Crypto (a browser's page that is not secure) an HMAC check refuses whatever the delivery holds, not only a well-formed signature (an outside review: a missing or malformed signature read false, a good one rejected)", async () => {
  const body = JSON.stringify({ event: "contact.created" });
  const options = { secret: "whsec_review33", scheme: "hmac-sha256" };
  const [[name, value]] = Object.entries(await signWebhook(body, options));
  const crypto = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: {}, configurable: true, writable: true });
  try {
    for (const headers of [{}, { [name]: "ab" }, { [name]: value }]) {
      const outcome = await verifyWebhook({ body, headers }, options).then((valid) => valid, (e) => e.code);
      assert.equal(outcome, "invalid_argument", JSON.stringify(headers));
    }
    assert.equal(await verifyWebhook({ body, headers: {} }, { secret: "whsec_review33" }), false, "a token check needs no Web Crypto");
    // handleWebhook's verify too (a second look at the fix: it read the scheme from the wrong object).
    const delivery = new Request("https://receiver.example/hook", { method: "POST", body });
    assert.equal(await handleWebhook(delivery, { verify: options }).then(() => "handled", (e) => e.code), "invalid_argument");
  } finally {
    Object.defineProperty(globalThis, "crypto", crypto);
  }
});

test("a second review: handleWebhook's own options named by a verify secret are refused without saying it, in any case (before: only verify's own refusal hid it)", async () => {
  const secret = "whsec_S3cr3tV4lue_9f8e7d6c";
  const request = () => new Request("https://receiver.example/hook", { method: "POST", body: "{}", headers: { "x-gist-webhook-token": secret } });
  for (const options of [{ verify: { secret }, [secret]: 1 }, { verify: { secret: ["whsec_first_one", secret] }, [secret.toUpperCase()]: 1 }]) {
    const error = await handleWebhook(request(), options).then(() => undefined, (e) => e);
    assert.equal(error?.code, "invalid_argument");
    assert.ok(!error.message.toLowerCase().includes(secret.toLowerCase()), error.message);
  }
});

test("a second review: headers given as a Headers-like object are read up to the header cap, then refused (an endless one hung the caller until the process ran out of memory), and a name given twice keeps both values, as Headers.get joins them", async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const gist = new GistClient({ apiKey: "sk_test_review33", baseUrl: server.url, logLevel: "off", maxRetries: 0 });
  t.after(() => gist.free());
  const endless = { get: () => null, forEach() {}, *[Symbol.iterator]() {
    for (let i = 0; ; i++) yield [`x-h${i}`, "v"];
  } };
  for (const call of [() => gist.apiCall({ url: "/contacts", headers: endless }), () => gist.listTags({}, { headers: endless })]) {
    assert.equal(await call().then(() => "sent", (e) => e.code), "invalid_argument");
  }
  assert.equal(server.requests.length, 0);
  const twice = new Headers([["x-tenant", "a"], ["x-tenant", "b"]]);
  twice.append("set-cookie", "a=1");
  twice.append("set-cookie", "b=2");
  await gist.apiCall({ url: "/contacts", headers: twice });
  assert.deepEqual([server.requests[0].headers["x-tenant"], String(server.requests[0].headers["set-cookie"])], ["a, b", "a=1, b=2"]);
});

test("a second review: hooks or a logger given as a boxed value are refused, as a number or a string is (before: a Boolean object as the logger silenced every line)", () => {
  for (const options of [{ hooks: new Number(1) }, { hooks: new String("") }, { logger: new Boolean(true) }]) {
    assert.throws(() => new GistClient({ apiKey: "sk_test_review33", baseUrl: "https://api.getgist.com", ...options }), (e) => e.code === "invalid_argument", JSON.stringify(Object.keys(options)));
  }
});

test("consume and pacedFetch refuse an unknown option named by the API key without it in any form the client's scrubber knows, scrubbed before the message is cut (an outside review: consume wrote the key out; pacedFetch wrote it percent-encoded, split by a zero-width space or \", \", or 19 of its characters after 980 others)", async () => {
  const key = "sk_live_ABCDEFGH12345678";
  const gist = new GistClient({ apiKey: key, baseUrl: "https://api.getgist.com", fetch: async () => Response.json({}), logLevel: "off" });
  const refusals = [await consume({ messages: [] }, gist, { [key]: true }).then(() => undefined, (e) => e)];
  for (const name of [key.replace(/_/g, "%5F"), `${key.slice(0, 8)}\u200b${key.slice(8)}`, `${key.slice(0, 8)}, ${key.slice(8)}`, `${"x".repeat(980)}${key}`]) {
    try {
      pacedFetch({ idFromName: (name) => name, get: () => ({}) }, key, { requestsPerSecond: 10, [name]: 1 });
    } catch (error) {
      refusals.push(error);
    }
  }
  assert.equal(refusals.length, 5);
  for (const error of refusals) {
    assert.equal(error?.code, "invalid_argument");
    assert.ok(error.message.includes("[redacted]") && !error.message.includes("ABCDEFGH"), error.message);
  }
  gist.free();
});

test("pacedFetch gives back every permit whose request does not go: one granted with no wait after its call was aborted, and one a pause leaves too little time for (an outside review: neither was released)", async () => {
  const asked = [];
  let grantAfterMs = 0;
  let slot = 0;
  const pacer = {
    fetch: async (url, init) => {
      const { pathname } = new URL(url);
      asked.push([pathname, JSON.parse(init.body).slot]);
      if (pathname !== "/permit") return Response.json({});
      await new Promise((resolve) => setTimeout(resolve, grantAfterMs));
      return Response.json({ waitMs: 0, slot: ++slot });
    },
  };
  const namespace = { idFromName: (name) => name, get: () => pacer };
  let sent = 0;
  let answer = () => Response.json({ tags: [] });
  const fetch = pacedFetch(namespace, "sk_test_review33", { requestsPerSecond: 10, fetch: async () => (sent++, answer()) });
  const client = () => new GistClient({ apiKey: "sk_test_review33", baseUrl: "https://api.getgist.com", fetch, logLevel: "off", maxRetries: 0 });
  const settled = (call) => call.then(() => "sent", (e) => e.code);

  grantAfterMs = 300;
  const aborted = client();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  assert.equal(await settled(aborted.listTags({}, { signal: controller.signal })), "aborted");
  await new Promise((resolve) => setTimeout(resolve, 400)); // the grant comes at 300 ms
  assert.deepEqual([sent, asked], [0, [["/permit", undefined], ["/release", 1]]]);
  aborted.free();

  grantAfterMs = 0;
  answer = () => Response.json({ tags: [] }, { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "60" } });
  const first = client();
  assert.equal(await settled(first.listTags({})), "sent"); // no request remains for a minute
  asked.length = 0;
  const second = client();
  assert.notEqual(await settled(second.listTags({}, { timeoutMs: 2000 })), "sent");
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual([sent, asked.filter(([path]) => path !== "/report")], [1, [["/permit", undefined], ["/release", 3]]]);
  first.free();
  second.free();
});
