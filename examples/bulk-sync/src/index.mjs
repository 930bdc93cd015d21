// Syncs contacts into Gist through Cloudflare Queues, and processes Gist webhooks durably:
// - POST /sync (with `Authorization: Bearer <SYNC_TOKEN>`): a JSON array of contacts, each upserted into
//   Gist (a user when it has a user_id, else a lead) by the gist-sync queue's consumers; answers 202 with
//   the sync's id, how many were enqueued and which were invalid. POST /sync/<id> adds to that sync.
// - GET /sync/<id> (with the token): the sync's progress; GET /sync/<id>/dead?code=…&after=…: its dead letters;
//   POST /sync/<id>/redrive with `{ code?, resend? }`: sends them again.
// - Every consumer invocation paces its requests through one GistPacer (a Durable Object) per API key.
// - POST /webhooks: Gist's deliveries, verified and enqueued before the 200; the gist-webhooks consumer
//   records each contact event back in Gist as a tracked event, once, through the gist-sync queue.
// - The gist-dead-letters consumer keeps what could never pass in KV, under dead/<message id>/<index>.
import { GistClient, GistError } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, forgetSync, listDeadLetters, pacedFetch, receiveWebhook, redrive, syncStatus } from "gist-wasm/queues";

export { GistPacer, GistSyncs } from "gist-wasm/queues";

const utf8 = new TextEncoder();

// Whether the request carries the sync token (compared in constant time).
function authorized(request, env) {
  const given = utf8.encode(request.headers.get("authorization") ?? "");
  const expected = utf8.encode(`Bearer ${env.SYNC_TOKEN ?? ""}`);
  return Boolean(env.SYNC_TOKEN) && given.length === expected.length && crypto.subtle.timingSafeEqual(given, expected);
}

/** The queue operation of a posted contact: a user when it has a user_id, else a lead. */
export const operationOf = (contact) => (contact?.user_id !== undefined ? { upsertUser: contact } : { upsertLead: contact });

// A key for enqueue from a queue message's id: its SHA-256, in hex.
async function keyOf(id) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(`webhook/${id}`)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The webhook consumer's handler: a contact event becomes a tracked event, enqueued for gist-sync (or it
 * throws), keyed by the delivery's message: run again for it, it enqueues what the ledger records once.
 */
export function webhookHandler(env) {
  return async (event, message) => {
    if (event.kind !== "contact" && event.kind !== "automation") return;
    const { contact } = event;
    const who = contact.user_id ? { user: { user_id: contact.user_id } } : { lead: contact.email ? { email: contact.email } : { id: contact.id } };
    const recordEvent = { event_name: `webhook-${event.topic ?? event.kind}`, ...who, properties: { topic: event.topic ?? null } };
    const key = message === undefined ? undefined : await keyOf(message.id);
    const { invalid, unsent } = await enqueue(env.GIST_SYNC, [{ recordEvent }], { key });
    if (invalid.length > 0) console.warn(`webhook event not recorded: ${invalid[0].message}`);
    // The queue refused it: throwing has consumeWebhooks retry the delivery, which is not marked handled.
    if (unsent.length > 0) throw new GistError(unsent[0].code, unsent[0].message);
  };
}

/** consumeWebhooks' options for this Worker's bindings. */
export const webhookOptions = (env) => ({ dedupe: env.STATE, deadLetterQueue: env.GIST_DEAD_LETTERS });

// What a dead letter keeps: consume's entry (no email in it) as it is; of a message that Queues itself
// moved here after its max_retries, what it held, but not the inputs, which hold emails.
function deadLetterOf(message) {
  const body = message.body ?? {};
  if (typeof body.code === "string" && typeof body.messageId === "string" && !("ops" in body) && !("webhook" in body)) return body;
  const ops = Array.isArray(body.ops) ? body.ops.map((op) => op?.op ?? Object.keys(op ?? {})[0] ?? null) : undefined;
  return { code: "max_retries", messageId: message.id, index: null, sync: body.sync ?? null, operations: ops ?? null, webhook: body.webhook?.topic ?? null };
}

// Keeps dead letters in KV, one key per message and operation (a dead letter sent twice is kept once).
async function keepDeadLetters(batch, env) {
  for (const message of batch.messages) {
    const letter = deadLetterOf(message);
    await env.STATE.put(`dead/${letter.messageId ?? message.id}/${letter.index ?? null}`, JSON.stringify(letter));
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
    const [, route, id, action] = pathname.split("/");
    if (route !== "sync") return new Response("POST /sync or /webhooks\n", { status: 404 });
    if (!authorized(request, env)) return new Response("unauthorized\n", { status: 401 });
    try {
      return await syncRoute(request, env, id, action);
    } catch (error) {
      if (error instanceof GistError && error.code === "invalid_argument") return new Response(`${error.message}\n`, { status: 400 });
      throw error;
    }
  },

  async queue(batch, env) {
    if (batch.queue === "gist-dead-letters") return keepDeadLetters(batch, env);
    if (batch.queue === "gist-webhooks") return consumeWebhooks(batch, webhookHandler(env), webhookOptions(env));
    // Four operations per connection, so that those waiting out a Retry-After leave no connection idle.
    const maxConcurrent = Number(env.GIST_MAX_CONCURRENT ?? 6);
    const logLevel = env.GIST_LOG_LEVEL ?? "warn"; // "warn": a line for each retry
    // One rate for every consumer of the key through GIST_PACER, starting at Gist's limit
    // (GIST_REQUESTS_PER_SECOND); without GIST_PACER, each invocation paces only itself at that rate.
    const requestsPerSecond = env.GIST_REQUESTS_PER_SECOND ? Number(env.GIST_REQUESTS_PER_SECOND) : undefined;
    const fetch = env.GIST_PACER ? pacedFetch(env.GIST_PACER, env.GIST_API_KEY, { requestsPerSecond: requestsPerSecond ?? 100 }) : undefined;
    const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, maxConcurrent, logLevel, ...(fetch ? { fetch } : { requestsPerSecond }) });
    return consume(batch, gist, { deadLetterQueue: env.GIST_DEAD_LETTERS, ledger: env.STATE, progress: env.GIST_SYNCS, concurrency: 4 * maxConcurrent });
  },
};

// /sync routes (the token checked): POST /sync[/<id>] enqueues contacts (in a new sync, or sync <id>);
// GET /sync/<id> is its progress, GET /sync/<id>/dead?code= its dead letters, POST /sync/<id>/redrive sends them again,
// DELETE /sync/<id> forgets it (its object keeps it for good otherwise).
async function syncRoute(request, env, id, action) {
  if (request.method === "POST" && action === undefined) {
    const contacts = await request.json().catch(() => null);
    if (!Array.isArray(contacts)) return new Response("POST a JSON array of contacts\n", { status: 400 });
    const result = await enqueue(env.GIST_SYNC, contacts.map(operationOf), { perMessage: 10, progress: env.GIST_SYNCS, sync: id || undefined });
    // 503 when the queue refused a batch: `unsent` names the contacts to post again.
    return Response.json(result, { status: result.unsent.length > 0 ? 503 : 202 });
  }
  if (request.method === "GET" && id && action === undefined) return Response.json(await syncStatus(env.GIST_SYNCS, id));
  if (request.method === "DELETE" && id && action === undefined) {
    await forgetSync(env.GIST_SYNCS, id);
    return new Response(null, { status: 204 });
  }
  if (request.method === "GET" && id && action === "dead") {
    // A page of at most 1,000: ?after=<the last one's key> for the next.
    const query = new URL(request.url).searchParams;
    const limit = query.has("limit") ? Number(query.get("limit")) : undefined;
    return Response.json(await listDeadLetters(env.GIST_SYNCS, id, { code: query.get("code") ?? undefined, after: query.get("after") ?? undefined, limit }));
  }
  if (request.method === "POST" && id && action === "redrive") {
    const { code, resend } = (await request.json().catch(() => null)) ?? {};
    return Response.json(await redrive(env.GIST_SYNCS, env.GIST_SYNC, id, { code, resend }));
  }
  return new Response("POST /sync, GET /sync/<id>, GET /sync/<id>/dead, POST /sync/<id>/redrive, DELETE /sync/<id>\n", { status: 404 });
}
