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

/** The tests of `POST path`; `app()` gives `{ fetch(path, init) }` of the started app, `mock()` the serveMock. */
export function webhookRouteTests(app, mock, path = "/api/webhook") {
  test(`POST ${path} accepts a delivery signed by signWebhook`, async () => {
    const { body, headers } = await signedDelivery(mock());
    const response = await app().fetch(path, { method: "POST", headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { received: "contact" });
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
