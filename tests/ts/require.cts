// A CommonJS consumer (its imports compile to require()): tsconfig.json (nodenext) and node16.json check it, and
// tests/js/typescript.test.mjs compiles it and runs it in Node, so its types are the ones require() gives.
import init, { GistClient, GistError, type Contact, type GistErrorCode } from "gist-wasm";
import * as web from "gist-wasm/web";
import { createMockGist } from "gist-wasm/mock";
import { allowedHosts } from "gist-wasm/mock/server";
import { enqueue, type EnqueueResult } from "gist-wasm/queues";

async function main(): Promise<void> {
  await init();
  const mock = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch });
  const users: Contact[] = await gist.listUsers({ limit: 2 });
  const error: unknown = await gist.fetchUser({ email: "nobody@example.com" }).catch((e: unknown) => e);
  const code: GistErrorCode | undefined = error instanceof GistError ? error.code : undefined;
  gist.free();
  const freed: unknown = await gist.listTags().catch((e: unknown) => e);
  const queue = { send: async () => undefined, sendBatch: async () => undefined };
  const queued: EnqueueResult = await enqueue(queue, [{ upsertUser: { user_id: 1 } }, { upsertUser: { user_id: "x" } }]);
  console.log(JSON.stringify({
    users: users.map((user) => user.type),
    code,
    freed: freed instanceof GistError ? freed.code : undefined,
    webIsMain: web.GistClient === GistClient,
    hosts: allowedHosts("127.0.0.1", 1).size,
    queued: [queued.operations, queued.invalid.length],
  }));
}

main();
