// Receives Gist webhooks: refuses unverified deliveries (401) and malformed ones (400), answers 200 at
// once, and records each verified contact event back in Gist as a tracked event, after the answer.
import { GistClient, GistError, handleWebhook, normalizeEventName } from "gist-wasm";

/** The tracked event that mirrors a delivery: `webhook-<topic>`, for the contact it is about. */
function eventFor(event) {
  const contact = event.contact;
  const name = normalizeEventName(`webhook.${event.topic ?? event.kind}`);
  const who = contact.type === "user"
    ? { user: contact.user_id ? { user_id: contact.user_id } : { id: contact.id } }
    : { lead: contact.email ? { email: contact.email } : { id: contact.id } };
  return { event_name: name, ...who, properties: { source: "gist-webhook", topic: event.topic ?? null } };
}

export default {
  async fetch(request, env, ctx) {
    if (request.method !== "POST") return new Response("POST Gist webhooks here\n", { status: 405 });
    let event;
    try {
      const secret = String(env.GIST_WEBHOOK_SECRET ?? "").split(",").filter(Boolean);
      event = await handleWebhook(request, { verify: { secret, scheme: env.GIST_WEBHOOK_SCHEME || "token" } });
    } catch (error) {
      if (error instanceof GistError && error.code === "invalid_webhook") {
        return new Response(`${error.message}\n`, { status: error.status ?? 400 });
      }
      return new Response("webhook receiver misconfigured\n", { status: 500 });
    }
    if (event.kind === "contact" || event.kind === "automation") {
      const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL });
      ctx.waitUntil(gist.recordEvent(eventFor(event)).catch((error) => console.error(`recordEvent: ${error.code}`)));
    }
    return new Response("ok\n");
  },
};
