import init, * as gistWasm from "gist-wasm";
import * as web from "gist-wasm/web";
import { createMockGist } from "gist-wasm/mock";
import { pacedFetch } from "gist-wasm/queues";

export { GistPacer } from "gist-wasm/queues";
import { smoke } from "../js/smoke.mjs";
import { runtimeSmoke } from "../js/runtime-smoke.mjs";

const { GistClient, GistError } = gistWasm;
// `/shared`: one client for every request of the isolate, pacing them all.
let shared;
// `/fire` and `/one`: one more, one request at a time, to GIST_HANG_URL (which never answers user 7).
// `/flood`: GIST_HANG_URL's endless body, fast, cut by a deadline or an abort.
// `/drop` and `/paced`: one more, one start a second.
let paced;
let one;
// `/rate`: one more, twenty starts a second for every request of the isolate.
let rated;
// `/paced-shared`: one more, through a pacedFetch kept for every request, and what its pacer's calls did.
let pacedShared;
const pacerCalls = { answered: 0, failed: 0 };

// The namespace `namespace`, counting how each call of a stub it gives goes.
const counted = (namespace) => ({
  idFromName: (name) => namespace.idFromName(name),
  get: (id) => {
    const stub = namespace.get(id);
    return {
      fetch: (...args) => stub.fetch(...args).then((response) => {
        pacerCalls.answered += 1;
        return response;
      }, (error) => {
        pacerCalls.failed += 1;
        throw error;
      }),
    };
  },
});

export default {
  async fetch(request, env) {
    await init();
    const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL });
    try {
      const path = new URL(request.url).pathname;
      if (path === "/smoke") return Response.json(await smoke(gist, GistError));
      if (path === "/runtime") return Response.json(await runtimeSmoke(gistWasm, env.GIST_BASE_URL));
      if (path === "/deliver") {
        const options = { secret: "s3cret", scheme: "hmac-sha256" };
        const response = await createMockGist().deliverWebhook(env.RECEIVER_URL, "lead.created", options);
        return Response.json({ status: response.status });
      }
      if (path === "/shared") {
        shared ??= new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, requestsPerSecond: 2, maxConcurrent: 6 });
        const user = await shared.fetchUser({ id: 1001 }, { timeoutMs: 8000 });
        return Response.json({ id: user.id });
      }
      if (path === "/fire" || path === "/one") {
        one ??= new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_HANG_URL, maxConcurrent: 1 });
        // A call the request does not wait for: the request ends, and workerd drops what the call awaits.
        if (path === "/fire") one.fetchUser({ user_id: "7" }, { timeoutMs: 1000 }).catch(() => {});
        else return Response.json({ id: (await one.fetchUser({ id: 1001 }, { timeoutMs: 8000 })).id });
        return Response.json({ fired: true });
      }
      if (path === "/drop" || path === "/paced") {
        // One start a second, for every request of the isolate: `/drop` starts 30 calls it does not wait
        // for (workerd drops them, and their timers, as the request ends), `/paced` one it waits for.
        paced ??= new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, requestsPerSecond: 1, maxConcurrent: 100 });
        if (path === "/drop") {
          for (let i = 0; i < 30; i++) paced.fetchUser({ id: 1001 }, { timeoutMs: 2000 }).catch(() => {});
          return Response.json({ fired: true });
        }
        return Response.json({ id: (await paced.fetchUser({ id: 1001 }, { timeoutMs: 10_000 })).id });
      }
      if (path === "/rate") {
        rated ??= new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, requestsPerSecond: 20, maxConcurrent: 100 });
        return Response.json({ id: (await rated.fetchUser({ id: 1001 }, { timeoutMs: 10_000 })).id });
      }
      if (path === "/paced-shared") {
        const fetch = () => pacedFetch(counted(env.GIST_PACER), env.GIST_API_KEY, { requestsPerSecond: 100 });
        pacedShared ??= new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL, fetch: fetch() });
        const user = await pacedShared.fetchUser({ id: 1001 }, { timeoutMs: 8000 });
        return Response.json({ id: user.id, pacerCalls });
      }
      if (path === "/faketimers") {
        // A test's fake timers that are never ticked (as vi.useFakeTimers() installs them): an answer
        // past a MiB, whose read yields on the way, still comes.
        const big = JSON.stringify({ contact: { id: 1, type: "user", name: "x".repeat(2 * 1024 * 1024) } });
        const client = new GistClient({ apiKey: "k", baseUrl: "https://gist.test", maxRetries: 0, fetch: async () => new Response(big, { headers: { "content-type": "application/json" } }) });
        const real = { setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis) };
        globalThis.setTimeout = () => 0;
        globalThis.clearTimeout = () => {};
        try {
          const hung = new Promise((resolve) => real.setTimeout(() => resolve("hung"), 5000));
          return Response.json({ outcome: await Promise.race([client.fetchUser({ id: 1 }).then((user) => user.id), hung]) });
        } finally {
          Object.assign(globalThis, real);
        }
      }
      if (path === "/flood") {
        // GIST_HANG_URL's answer to user 8 is a body sent as fast as it goes: the deadline, or the
        // caller's abort, must end the call, not the body's size.
        const flood = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_HANG_URL, maxRetries: 0, maxResponseBytes: 200 * 1024 * 1024 });
        const aborting = new AbortController();
        setTimeout(() => aborting.abort(), 150);
        const options = new URL(request.url).searchParams.has("abort") ? { signal: aborting.signal } : { timeoutMs: 300 };
        const started = Date.now(); // workerd's clock moves on with each read
        const code = await flood.fetchUser({ user_id: "8" }, options).then(() => "answered", (error) => error.code);
        return Response.json({ code, ms: Date.now() - started });
      }
      if (path === "/web") {
        const users = await new web.GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL }).listUsers({ limit: 3 });
        return Response.json({ sameModule: web.GistClient === GistClient, count: users.length });
      }
      // `/once`: no retry, so that a request that fails shows.
      const users = await gist.listUsers({ limit: 65 }, path === "/once" ? { maxRetries: 0 } : {});
      return Response.json({ count: users.length, types: [...new Set(users.map((u) => u.type))] });
    } catch (error) {
      return Response.json({ code: error.code, message: error.message, isGistError: error instanceof GistError }, { status: 502 });
    }
  },
};
