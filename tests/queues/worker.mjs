// examples/bulk-sync with the faults tests/js/queues.test.mjs injects: a consumer that crashes mid-batch
// once (CRASH_AFTER_REQUESTS: it throws once that many of the batch's requests have started), and webhook
// handler runs that fail once (every FAIL_ONCE_EVERY-th delivery's `n`). GET /stats says what happened;
// POST /operations enqueues any operations, as given.
import example, { webhookHandler, webhookOptions } from "../../examples/bulk-sync/src/index.mjs";
import { consumeWebhooks, enqueue } from "gist-wasm/queues";

export { GistPacer, GistSyncs } from "../../examples/bulk-sync/src/index.mjs";

const stats = { requests: 0, crashes: 0, handlerFailures: 0, consumed: { succeeded: 0, retried: 0, deadLettered: 0 } };
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  stats.requests += 1;
  return realFetch(...args);
};
const failed = new Set();

// Resolves once `check()` holds or `promise` settles.
async function until(check, promise) {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  while (!settled && !check()) await new Promise((resolve) => setTimeout(resolve, 1));
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/stats") return Response.json(stats);
    if (pathname === "/operations") {
      // ?queue=GIST_SYNC_1 names another producer binding, ?perMessage= and ?sync= enqueue's options.
      const query = new URL(request.url).searchParams;
      const options = { perMessage: Number(query.get("perMessage") ?? 10), progress: env.GIST_SYNCS, sync: query.get("sync") ?? undefined };
      return Response.json(await enqueue(env[query.get("queue") ?? "GIST_SYNC"], await request.json(), options));
    }
    return example.fetch(request, env, ctx);
  },

  async queue(batch, env, ctx) {
    if (batch.queue === "gist-webhooks") {
      const handle = webhookHandler(env);
      const every = Number(env.FAIL_ONCE_EVERY ?? 0);
      const counts = await consumeWebhooks(batch, async (event, message) => {
        const n = event.payload.n;
        if (every > 0 && n % every === 0 && !failed.has(n)) {
          failed.add(n);
          stats.handlerFailures += 1;
          throw new Error(`injected failure of delivery ${n}`);
        }
        await handle(event, message);
      }, webhookOptions(env));
      stats.webhooks = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (stats.webhooks?.[k] ?? 0) + v]));
      return;
    }
    const crashAfter = Number(env.CRASH_AFTER_REQUESTS ?? 0);
    if (batch.queue !== "gist-sync") return example.queue(batch, env, ctx);
    const run = example.queue(batch, env, ctx).then((counts) => {
      for (const [key, value] of Object.entries(counts)) stats.consumed[key] += value;
    });
    if (crashAfter === 0 || stats.crashes > 0) return run;
    const start = stats.requests;
    await until(() => stats.requests - start >= crashAfter, run);
    stats.crashes += 1;
    stats.crashedAfterRequests = stats.requests - start;
    throw new Error("injected consumer crash");
  },
};
