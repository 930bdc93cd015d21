// The webhook route of an app (the recipes of docs/recipes.md, the Next.js consumer): it answers
// { received: kind } for a delivery signed by signWebhook, and 401 for the same delivery tampered with
// or unsigned. The app verifies with { secret: WEBHOOK_SECRET, scheme: "hmac-sha256" }.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signWebhook } from "gist-wasm";

export const WEBHOOK_SECRET = "s3cret";

/**
 * A contact delivery about one of the mock's users, and the headers signWebhook gives it. Indented, so
 * that a receiver that verifies re-serialised JSON instead of the raw body refuses it.
 */
async function signedDelivery(mock) {
  const contact = mock.mock.state.contacts.find((c) => c.type === "user");
  const body = JSON.stringify({ topic: "user.updated", contact }, null, 2);
  const signature = await signWebhook(body, { secret: WEBHOOK_SECRET, scheme: "hmac-sha256" });
  return { body, headers: { "content-type": "application/json", ...signature } };
}

/**
 * The tests of `POST path`; `app()` gives `{ fetch(path, init) }` of the started app, `mock()` the serveMock.
 * `untyped`: whether a delivery with no Content-Type must be accepted (SvelteKit and Astro refuse a POST
 * without one as a cross-site form; Gist's deliveries are typed JSON).
 */
export function webhookRouteTests(app, mock, path = "/api/webhook", { untyped = true } = {}) {
  test(`POST ${path} accepts a delivery signed by signWebhook`, async () => {
    const { body, headers } = await signedDelivery(mock());
    const response = await app().fetch(path, { method: "POST", headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { received: "contact" });
  });

  test(`POST ${path} accepts a signed delivery of 200 KB${untyped ? ", and one with no Content-Type" : ""}`, async () => {
    const { body, headers } = await signedDelivery(mock());
    if (untyped) {
      const bare = { ...headers };
      delete bare["content-type"];
      const answer = await app().fetch(path, { method: "POST", headers: bare, body: new TextEncoder().encode(body) });
      assert.equal(answer.status, 200, await answer.clone().text());
    }
    const large = body.replace("{", `{"padding": "${" ".repeat(200_000)}",`);
    const signature = await signWebhook(large, { secret: WEBHOOK_SECRET, scheme: "hmac-sha256" });
    const answer = await app().fetch(path, { method: "POST", headers: { "content-type": "application/json", ...signature }, body: large });
    assert.equal(answer.status, 200, (await answer.clone().text()).slice(0, 200));
  });

  test(`POST ${path} refuses the same delivery tampered with, or unsigned (401)`, async () => {
    const { body, headers } = await signedDelivery(mock());
    const tampered = body.replace(/"email": "[^"]*"/, '"email": "mallory@example.com"');
    assert.notEqual(tampered, body);
    const response = await app().fetch(path, { method: "POST", headers, body: tampered });
    assert.equal(response.status, 401);
    const unsigned = await app().fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(unsigned.status, 401);
  });
}
