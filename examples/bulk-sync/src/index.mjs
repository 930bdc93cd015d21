// Syncs contacts into Gist through Cloudflare Queues, and processes Gist webhooks durably:
// - POST /sync (with `Authorization: Bearer <SYNC_TOKEN>`): a JSON array of contacts, each upserted into
//   Gist (a user when it has a user_id, else a lead) by the gist-sync queue's consumer; answers 202 with
//   how many were enqueued and which were invalid.
// - POST /webhooks: Gist's deliveries, verified and enqueued before the 200; the gist-webhooks consumer
//   records each contact event back in Gist as a tracked event, once, through the gist-sync queue.
// - The gist-dead-letters consumer keeps what could never pass in KV, under dead/<message id>/<index>.
import { GistClient, GistError } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, receiveWebhook } from "gist-wasm/queues";

const utf8 = new TextEncoder();

// Whether the request carries the sync token (compared in constant time).
function authorized(request, env) {
  const given = utf8.encode(request.headers.get("authorization") ?? "");
  const expected = utf8.encode(`Bearer ${env.SYNC_TOKEN ?? ""}`);
  return Boolean(env.SYNC_TOKEN) && given.length === expected.length && crypto.subtle.timingSafeEqual(given, expected);
}

/** The queue operation of a posted contact: a user when it has a user_id, else a lead. */
export const operationOf = (contact) => (contact?.user_id !== undefined ? { upsertUser: contact } : { upsertLead: contact });

/** The webhook consumer's handler: a contact event becomes a tracked event, enqueued for gist-sync (or it throws). */
export function webhookHandler(env) {
  return async (event) => {
    if (event.kind !== "contact" && event.kind !== "automation") return;
    const { contact } = event;
    const who = contact.user_id ? { user: { user_id: contact.user_id } } : { lead: contact.email ? { email: contact.email } : { id: contact.id } };
    const recordEvent = { event_name: `webhook-${event.topic ?? event.kind}`, ...who, properties: { topic: event.topic ?? null } };
    const { invalid, unsent } = await enqueue(env.GIST_SYNC, [{ recordEvent }]);
    if (invalid.length > 0) console.warn(`webhook event not recorded: ${invalid[0].message}`);
    // The queue refused it: throwing has consumeWebhooks retry the delivery, which is not marked handled.
    if (unsent.length > 0) throw new GistError(unsent[0].code, unsent[0].message);
  };
}

/** consumeWebhooks' options for this Worker's bindings. */
export const webhookOptions = (env) => ({ dedupe: env.STATE, deadLetterQueue: env.GIST_DEAD_LETTERS });

// Keeps dead letters in KV, one key per message and operation (a dead letter sent twice is kept once).
async function keepDeadLetters(batch, env) {
  for (const message of batch.messages) {
    const { messageId = message.id, index = null } = message.body ?? {};
    await env.STATE.put(`dead/${messageId}/${index}`, JSON.stringify(message.body));
    message.ack();
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/webhooks") {
      const secret = String(env.GIST_WEBHOOK_SECRET ?? "").split(",").filter(Boolean);
      return receiveWebhook(request, env.GIST_WEBHOOKS, { verify: { secret } });
    }
    if (request.method === "POST" && pathname === "/sync") {
      if (!authorized(request, env)) return new Response("unauthorized\n", { status: 401 });
      const contacts = await request.json().catch(() => null);
      if (!Array.isArray(contacts)) return new Response("POST a JSON array of contacts\n", { status: 400 });
      const result = await enqueue(env.GIST_SYNC, contacts.map(operationOf), { perMessage: 10 });
      // 503 when the queue refused a batch: `unsent` names the contacts to post again.
      return Response.json(result, { status: result.unsent.length > 0 ? 503 : 202 });
    }
    return new Response("POST /sync or /webhooks\n", { status: 404 });
  },

  async queue(batch, env) {
    if (batch.queue === "gist-dead-letters") return keepDeadLetters(batch, env);
    if (batch.queue === "gist-webhooks") return consumeWebhooks(batch, webhookHandler(env), webhookOptions(env));
    // Four operations per connection, so that those waiting out a Retry-After leave no connection idle.
    const maxConcurrent = Number(env.GIST_MAX_CONCURRENT ?? 6);
    const logLevel = env.GIST_LOG_LEVEL ?? "warn"; // "warn": a line for each retry
    const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, maxConcurrent, logLevel });
    return consume(batch, gist, { deadLetterQueue: env.GIST_DEAD_LETTERS, ledger: env.STATE, concurrency: 4 * maxConcurrent });
  },
};
