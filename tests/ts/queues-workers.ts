// gist-wasm/queues with Cloudflare's own types (workers.json): a Queue, a MessageBatch and a KVNamespace
// are what its functions take.
import { GistClient } from "gist-wasm";
import { consume, consumeWebhooks, enqueue, receiveWebhook } from "gist-wasm/queues";

interface Env {
  GIST_API_KEY: string;
  GIST_SYNC: Queue;
  GIST_WEBHOOKS: Queue;
  GIST_DEAD_LETTERS: Queue;
  STATE: KVNamespace;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/webhooks") return receiveWebhook(request, env.GIST_WEBHOOKS, { verify: { secret: "s" } });
    const result = await enqueue(env.GIST_SYNC, [{ upsertUser: { user_id: 1, email: "ada@example.com" } }]);
    return Response.json(result);
  },
  async queue(batch: MessageBatch, env: Env): Promise<void> {
    if (batch.queue === "gist-webhooks") {
      await consumeWebhooks(batch, () => undefined, { dedupe: env.STATE, deadLetterQueue: env.GIST_DEAD_LETTERS });
      return;
    }
    await consume(batch, new GistClient({ apiKey: env.GIST_API_KEY }), { deadLetterQueue: env.GIST_DEAD_LETTERS, ledger: env.STATE });
  },
} satisfies ExportedHandler<Env>;
