// gist-wasm/queues with Cloudflare's own types (workers.json): a Queue, a MessageBatch, a KVNamespace
// and a DurableObjectNamespace are what its functions take.
import { GistClient } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, listDeadLetters, pacedFetch, receiveWebhook, redrive, syncStatus } from "gist-wasm/queues";
import type { RedriveResult, SyncDeadLetter, SyncStatus } from "gist-wasm/queues";

export { GistPacer, GistSyncs } from "gist-wasm/queues";

interface Env {
  GIST_API_KEY: string;
  GIST_SYNC: Queue;
  GIST_WEBHOOKS: Queue;
  GIST_DEAD_LETTERS: Queue;
  STATE: KVNamespace;
  GIST_PACER: DurableObjectNamespace;
  GIST_SYNCS: DurableObjectNamespace;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/webhooks") return receiveWebhook(request, env.GIST_WEBHOOKS, { verify: { secret: "s" } });
    const result = await enqueue(env.GIST_SYNC, [{ upsertUser: { user_id: 1, email: "ada@example.com" } }], { progress: env.GIST_SYNCS });
    const status: SyncStatus = await syncStatus(env.GIST_SYNCS, result.sync);
    const dead: SyncDeadLetter[] = await listDeadLetters(env.GIST_SYNCS, result.sync, { code: "outcome_unknown" });
    const redriven: RedriveResult = await redrive(env.GIST_SYNCS, env.GIST_SYNC, result.sync, { code: "invalid_request", resend: dead.map((d) => d.key) });
    return Response.json({ result, status, redriven });
  },
  async queue(batch: MessageBatch, env: Env): Promise<void> {
    if (batch.queue === "gist-webhooks") {
      await consumeWebhooks(batch, () => undefined, { dedupe: env.STATE, deadLetterQueue: env.GIST_DEAD_LETTERS });
      return;
    }
    const fetch = pacedFetch(env.GIST_PACER, env.GIST_API_KEY, { requestsPerSecond: 100 });
    await consume(batch, new GistClient({ apiKey: env.GIST_API_KEY, fetch }), { deadLetterQueue: env.GIST_DEAD_LETTERS, ledger: env.STATE, progress: env.GIST_SYNCS });
  },
} satisfies ExportedHandler<Env>;

// Options built from values that may be undefined, as the runtime takes them (undefined is absent): under
// exactOptionalPropertyTypes they type-check too.
export async function queuesOptionsMaybeUndefined(env: Env, batch: MessageBatch, maybe: number | undefined, text: string | undefined): Promise<void> {
  const result = await enqueue(env.GIST_SYNC, [], { perMessage: maybe, delaySeconds: maybe, progress: undefined, sync: text, key: text });
  await listDeadLetters(env.GIST_SYNCS, result.sync, { code: undefined });
  await redrive(env.GIST_SYNCS, env.GIST_SYNC, result.sync, { code: undefined, resend: undefined });
  const fetch = pacedFetch(env.GIST_PACER, env.GIST_API_KEY, { requestsPerSecond: 100, fallbackRequestsPerSecond: maybe, fetch: undefined });
  const retry = { maxAttempts: maybe, concurrency: maybe, retryDelaySeconds: maybe, maxRetryDelaySeconds: maybe };
  await consume(batch, new GistClient({ apiKey: env.GIST_API_KEY, fetch }), { deadLetterQueue: env.GIST_DEAD_LETTERS, ledger: undefined, progress: undefined, ...retry });
  await consumeWebhooks(batch, () => undefined, { dedupe: env.STATE, deadLetterQueue: env.GIST_DEAD_LETTERS, windowSeconds: maybe, ...retry });
}
