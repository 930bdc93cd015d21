// gist-wasm/queues' shared pacer, measured in real workerd through Miniflare: several consumer workers,
// each a separate isolate consuming its own queue (Miniflare runs one batch of a queue at a time, where
// Cloudflare runs up to 250 invocations of one queue at once: each worker here stands in for one of them),
// all bound to the one GistPacer of the producer worker, sync contacts into the loopback mock, which holds
// the key to a hard limit (a token bucket, 429 with Retry-After past it) and fails 5% of what it admits
// (503s and dropped connections). Each request tags 50 contacts (`tagContacts`, one POST /tags per 50), so
// that 100,000 contacts take 2,000 requests: about 42 s at 50 requests/s (this 2-core machine cannot drive
// 100 requests/s through Miniflare with 9 workers). The "before" (each consumer pacing
// only itself at the limit) runs first, in the same run, on fewer contacts. GIST_PACER_CONTACTS sets
// the size of the "after" run, for a quicker run by hand (the bars hold at full size: a run of a few
// seconds is mostly its ramp-up and tail, and uses less of the limit).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { createMockGist } from "gist-wasm/mock";
import { toNodeListener } from "gist-wasm/mock/server";

const LIMIT = 50; // requests a second, per key
const CONTACTS = Number(process.env.GIST_PACER_CONTACTS ?? 100_000);
const BEFORE_CONTACTS = Math.min(20_000, CONTACTS);
const HALVING_CONTACTS = Math.min(20_000, CONTACTS);
const PER_REQUEST = 50;
const CONSUMERS = 8;
const BURST = LIMIT; // the bucket holds a second's requests: the machine's stalls (2 shared cores) bunch requests
const TOKEN = "sync-token";
const root = fileURLToPath(new URL("../../", import.meta.url));

const mock = createMockGist({ seed: 22, maxLoggedRequests: 10 });
let server;
let url;
let tagged; // contact id → how many POST /tags answered 200 named it
let clock; // the first request and the last contact tagged, ms
let statuses; // how many answers of each status (and dropped connections)

// The mock over HTTP, counting each contact a successful POST /tags named (a duplicate would count twice).
before(async () => {
  execFileSync(`${root}node_modules/.bin/wrangler`, ["deploy", "--dry-run", "--outdir", `${root}target/queues-pacer-test`], {
    cwd: `${root}tests/queues`, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  server = createServer(toNodeListener(async (request) => {
    clock.first ??= Date.now();
    const body = request.method === "POST" ? await request.clone().json().catch(() => null) : null;
    const response = await mock.handle(request).catch((error) => {
      statuses.dropped = (statuses.dropped ?? 0) + 1; // a failure rule's dropped connection
      throw error;
    });
    const what = `${request.method} ${new URL(request.url).pathname} ${response.status}`;
    statuses[what] = (statuses[what] ?? 0) + 1;
    if (response.status === 200 && request.method === "POST" && new URL(request.url).pathname === "/tags") {
      for (const { id } of body.contacts) tagged.set(id, (tagged.get(id) ?? 0) + 1);
      clock.last = Date.now();
    }
    return response;
  }));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

// The producer worker (with the Durable Objects) and CONSUMERS consumer workers, each consuming its own
// queue; the consumers share the producer's GistPacer only when `paced`.
function cluster(paced, consumerCount = CONSUMERS) {
  const common = {
    modules: true,
    scriptPath: `${root}target/queues-pacer-test/worker.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
    bindings: { GIST_API_KEY: "mock-key", GIST_BASE_URL: url, SYNC_TOKEN: TOKEN, GIST_MAX_CONCURRENT: "4", GIST_REQUESTS_PER_SECOND: String(LIMIT), GIST_LOG_LEVEL: "off" },
    kvNamespaces: ["STATE"],
  };
  const objects = { GIST_PACER: { className: "GistPacer", scriptName: "producer" }, GIST_SYNCS: { className: "GistSyncs", scriptName: "producer" } };
  const queues = Array.from({ length: consumerCount }, (_, k) => `gist-sync-${k}`);
  const consumers = queues.map((queue, k) => ({
    ...common,
    name: `consumer-${k}`,
    durableObjects: paced ? objects : { GIST_SYNCS: objects.GIST_SYNCS },
    queueProducers: { GIST_SYNC: queue, GIST_DEAD_LETTERS: "gist-dead-letters" },
    queueConsumers: { [queue]: { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10 } },
  }));
  const producer = {
    ...common,
    name: "producer",
    durableObjects: { GIST_PACER: "GistPacer", GIST_SYNCS: "GistSyncs" },
    queueProducers: { GIST_DEAD_LETTERS: "gist-dead-letters", GIST_SYNC: queues[0], ...Object.fromEntries(queues.map((queue, k) => [`GIST_SYNC_${k}`, queue])) },
    queueConsumers: { "gist-dead-letters": { maxBatchSize: 100, maxBatchTimeout: 0 } },
  };
  return new Miniflare({ workers: [producer, ...consumers] });
}

// Enqueues a tagContacts of 50 contacts per message, spread over the consumers' queues, in one sync.
async function enqueueTags(mf, ids, tag) {
  let sync;
  const operations = [];
  for (let i = 0; i < ids.length; i += PER_REQUEST) operations.push({ tagContacts: { tag, users: ids.slice(i, i + PER_REQUEST).map((id) => ({ id })) } });
  for (let k = 0; k < CONSUMERS; k++) {
    const mine = operations.filter((_, i) => i % CONSUMERS === k);
    const query = new URLSearchParams({ queue: `GIST_SYNC_${k}`, perMessage: "1", ...(sync && { sync }) });
    const result = await (await mf.dispatchFetch(`http://sync.test/operations?${query}`, { method: "POST", body: JSON.stringify(mine) })).json();
    assert.equal(result.operations, mine.length);
    sync = result.sync;
  }
  return { sync, operations: operations.length };
}

const status = async (mf, sync) => (await mf.dispatchFetch(`http://sync.test/sync/${sync}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();

// Runs `ids` through the cluster and resolves the run's numbers; `during(elapsedMs)` runs every 100 ms.
// A message for each consumer goes first, so that each worker has loaded the package (and compiled the
// .wasm) before the clock starts, as a worker that has been running has.
async function measure(mf, ids, warmIds, tag, during = () => {}) {
  tagged = new Map();
  clock = {};
  statuses = {};
  const warm = await enqueueTags(mf, warmIds, `${tag}-warm-up`);
  await waitForStatus(mf, warm.sync, warm.operations);
  tagged = new Map();
  clock = {};
  statuses = {};
  const before = mock.limited;
  const samples = [];
  const { sync, operations } = await enqueueTags(mf, ids, tag);
  const started = Date.now();
  let progress;
  while (tagged.size < ids.length) {
    if (Date.now() - started > 300_000) assert.fail(`timed out: ${tagged.size} of ${ids.length} tagged`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { admitted, refused } = mock.limited;
    samples.push({ at: Date.now(), admitted: admitted - before.admitted, refused: refused - before.refused });
    during(Date.now() - started);
    if (samples.length % 20 === 0) progress ??= await status(mf, sync); // once, while it runs
  }
  const seconds = (clock.last - clock.first) / 1000;
  const { admitted, refused } = mock.limited;
  const counts = { admitted: admitted - before.admitted, refused: refused - before.refused };
  await waitForStatus(mf, sync, operations);
  // The share of the limit used over the whole run, from its first request to its last contact tagged.
  return { sync, seconds, last: clock.last, statuses, ...counts, samples, progress, share: counts.admitted / (LIMIT * seconds), refusedShare: counts.refused / (counts.admitted + counts.refused) };
}

// Waits until the sync's object counts every operation done.
async function waitForStatus(mf, sync, operations, settled = (x) => x.done >= operations) {
  const until = Date.now() + 30_000;
  let last;
  while (!settled((last = await status(mf, sync)))) {
    if (Date.now() > until) {
      const dead = await (await mf.dispatchFetch(`http://sync.test/sync/${sync}/dead`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
      assert.fail(`the sync's status never showed ${operations} done: ${JSON.stringify(last)}; dead letters: ${JSON.stringify(dead.slice(0, 2))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

// Every contact of `ids` tagged by exactly one successful request.
function assertOnce(ids, tag) {
  const tagId = mock.state.tags.find((t) => t.name === tag).id;
  const byId = new Map(mock.state.contacts.map((c) => [c.id, c]));
  assert.equal(tagged.size, ids.length, "every contact tagged");
  assert.deepEqual([...tagged.values()].filter((n) => n !== 1), [], "no contact in two successful requests");
  assert.ok(ids.every((id) => byId.get(id).tags.includes(tagId)), "the mock holds every tag");
}

// Requests admitted / answered 429 in each second of a run.
function perSecond(samples) {
  const seconds = [];
  for (let i = 10; i < samples.length; i += 10) seconds.push(`${samples[i].admitted - samples[i - 10].admitted}/${samples[i].refused - samples[i - 10].refused}`);
  return seconds.join(" ");
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

test(`${CONTACTS} contacts through ${CONSUMERS} consumers against a hard limit of ${LIMIT} requests/s, 5% faults: the shared pacer uses ≥ 90% of the limit over the whole run with ≤ 1% 429s, and follows a halved limit; without it, 429s`, async () => {
  mock.reset();
  const first = mock.state.nextId;
  const warmUp = 3 * CONSUMERS * PER_REQUEST;
  for (let i = 0; i < CONTACTS + BEFORE_CONTACTS + HALVING_CONTACTS + warmUp; i++) {
    mock.state.contacts.push({ id: mock.state.nextId++, type: "user", user_id: String(5_000_000 + i), email: null, name: null, custom_properties: {}, tags: [], segments: [], created_at: 1, updated_at: 1 });
  }
  const ids = Array.from({ length: CONTACTS + BEFORE_CONTACTS + HALVING_CONTACTS }, (_, i) => first + i);
  const warmIds = (k) => Array.from({ length: CONSUMERS * PER_REQUEST }, (_, i) => first + ids.length + k * CONSUMERS * PER_REQUEST + i);
  mock.limit({ perSecond: LIMIT, burst: BURST });
  mock.fail({ method: "POST", path: "/tags", status: 503, fraction: 0.03, times: 1e9 });
  mock.fail({ method: "POST", path: "/tags", drop: true, fraction: 0.02 / 0.97, times: 1e9 });

  const unpaced = cluster(false);
  let withoutPacer;
  try {
    withoutPacer = await measure(unpaced, ids.slice(CONTACTS, CONTACTS + BEFORE_CONTACTS), warmIds(0), "before");
    assertOnce(ids.slice(CONTACTS, CONTACTS + BEFORE_CONTACTS), "before");
  } finally {
    await unpaced.dispose();
  }
  const paced = cluster(true);
  try {
    const run = await measure(paced, ids.slice(0, CONTACTS), warmIds(1), "after");
    assertOnce(ids.slice(0, CONTACTS), "after");
    const line = (name, r, n) => `${name}: ${n} contacts in ${r.seconds.toFixed(1)} s, ${r.admitted} requests admitted = ${pct(r.share)} of the limit, ` +
      `${r.refused} answered 429 = ${pct(r.refusedShare)} of requests (answers: ${JSON.stringify(r.statuses)})`;
    console.log(`pacer: ${line("before (each consumer paces itself at the limit)", withoutPacer, BEFORE_CONTACTS)}`);
    if (process.env.GIST_PACER_TIMELINE) for (const r of [withoutPacer, run]) console.log(perSecond(r.samples));
    console.log(`pacer: ${line(`after (${CONSUMERS} consumers, one GistPacer)`, run, CONTACTS)}`);
    assert.ok(run.progress.done > 0 && run.progress.done < CONTACTS / PER_REQUEST && run.progress.pending > 0, `progress while it ran: ${JSON.stringify(run.progress)}`);
    assert.ok(run.progress.ratePerSecond > 0 && run.progress.etaSeconds > 0, JSON.stringify(run.progress));
    assert.equal((await paced.dispatchFetch(`http://sync.test/sync/${run.sync}`)).status, 401, "GET /sync/<id> needs the token");
    const done = await status(paced, run.sync);
    assert.deepEqual([done.enqueued, done.done, done.retrying, done.deadLettered, done.pending, done.etaSeconds], [CONTACTS / PER_REQUEST, CONTACTS / PER_REQUEST, 0, 0, 0, 0]);

    // The limit halves 2 s into another sync: the pacer has followed once no later 2 s send more than
    // 10% over the new limit (admitted and answered 429), and then uses ≥ 80% of it until 95% of the
    // phase's requests are in (the rest are retries waiting out their backoff).
    let halvedAt;
    const halving = await measure(paced, ids.slice(CONTACTS + BEFORE_CONTACTS), warmIds(2), "halving", (elapsed) => {
      if (elapsed >= 2000 && halvedAt === undefined) {
        mock.limit({ perSecond: LIMIT / 2, burst: BURST / 2 });
        halvedAt = Date.now();
      }
    });
    assertOnce(ids.slice(CONTACTS + BEFORE_CONTACTS), "halving");
    const after = halving.samples.filter((x) => x.at >= halvedAt && x.at <= halving.last);
    let followed = after[0];
    for (let i = 20; i < after.length; i++) {
      const sent = after[i].admitted + after[i].refused - after[i - 20].admitted - after[i - 20].refused;
      if (sent > 1.1 * (LIMIT / 2) * ((after[i].at - after[i - 20].at) / 1000)) followed = after[i];
    }
    // Up to 95% of the phase's requests: the last few are retries that wait out their backoff.
    const end = halving.samples.find((x) => x.admitted >= 0.95 * halving.admitted);
    const followSeconds = (followed.at - halvedAt) / 1000;
    const shareAfter = (end.admitted - followed.admitted) / ((LIMIT / 2) * ((end.at - followed.at) / 1000));
    console.log(`pacer: the limit halved to ${LIMIT / 2}/s mid-run: followed within ${followSeconds.toFixed(1)} s ` +
      `(${halving.refused - after[0].refused} answered 429 from the halving on), then ${pct(shareAfter)} of the new limit`);
    if (process.env.GIST_PACER_TIMELINE) console.log(perSecond(halving.samples));
    assert.ok(followSeconds <= 6, `followed within ${followSeconds} s`);
    assert.ok(shareAfter >= 0.8, `${pct(shareAfter)} of the new limit once it followed`);

    assert.ok(run.share >= 0.9, `throughput ${pct(run.share)} of the limit over the whole run`);
    assert.ok(run.refusedShare <= 0.01, `${pct(run.refusedShare)} of requests answered 429`);
    assert.ok(withoutPacer.refusedShare > 0.1, `without the pacer, ${pct(withoutPacer.refusedShare)} answered 429`);
  } finally {
    await paced.dispose();
  }
});

test("examples/bulk-sync in workerd: GET /sync/<id>/dead lists a sync's dead letters by code, POST /sync/<id>/redrive sends them again, a recordEvent of unknown outcome only when named", async () => {
  mock.reset();
  const mf = cluster(true, 1);
  const auth = { authorization: `Bearer ${TOKEN}` };
  const call = async (path, init = {}) => (await mf.dispatchFetch(`http://sync.test${path}`, { ...init, headers: { ...auth, "content-type": "application/json" } })).json();
  try {
    const refusal = { errors: [{ code: "parameter_invalid", message: "Email is not valid" }] };
    mock.fail({ method: "POST", path: "/contacts", bodyIncludes: "refused-once", status: 422, body: refusal, times: 3 });
    mock.fail({ method: "POST", path: "/events", status: 500, times: 1 });
    const contacts = Array.from({ length: 30 }, (_, i) => ({ user_id: 8_000_000 + i, email: i % 10 === 3 ? `refused-once-${i}@example.com` : `r${i}@example.com` }));
    const { sync } = await call("/sync", { method: "POST", body: JSON.stringify(contacts) });
    const user = mock.state.contacts.find((c) => c.type === "user");
    const event = [{ recordEvent: { event_name: "redrive-test", user: { user_id: user.user_id } } }];
    await call(`/operations?${new URLSearchParams({ queue: "GIST_SYNC_0", sync })}`, { method: "POST", body: JSON.stringify(event) });
    await waitForStatus(mf, sync, 31, (x) => x.done + x.deadLettered === 31);

    const dead = await call(`/sync/${sync}/dead?code=invalid_request`);
    assert.equal(dead.length, 3);
    assert.ok(!JSON.stringify(dead).includes("@"), "no email in a listed dead letter");
    const [unknown] = await call(`/sync/${sync}/dead?code=outcome_unknown`);
    assert.equal(unknown.operation, "recordEvent");
    assert.deepEqual(await call(`/sync/${sync}/redrive`, { method: "POST", body: JSON.stringify({ code: "invalid_request" }) }), { redriven: 3, skipped: [], unsent: [] });
    await waitForStatus(mf, sync, 30, (x) => x.done === 30 && x.deadLettered === 1);
    assert.equal(mock.state.contacts.filter((c) => String(c.email).startsWith("refused-once")).length, 3, "the redriven upserts reached Gist");

    const skipped = await call(`/sync/${sync}/redrive`, { method: "POST", body: "{}" });
    assert.deepEqual([skipped.redriven, skipped.skipped.map((x) => x.key)], [0, [unknown.key]], "not sent again unless named");
    assert.equal((await call(`/sync/${sync}/redrive`, { method: "POST", body: JSON.stringify({ resend: [unknown.key] }) })).redriven, 1);
    const final = await waitForStatus(mf, sync, 31, (x) => x.done === 31);
    assert.deepEqual([final.enqueued, final.deadLettered, final.redriven, final.pending], [31, 0, 4, 0]);
    assert.ok(mock.state.events.some((e) => e.name === "redrive-test"));

    // DELETE /sync/<id> (forgetSync): the object keeps nothing of it (an outside review: kept for good).
    assert.equal((await mf.dispatchFetch(`http://sync.test/sync/${sync}`, { method: "DELETE", headers: auth })).status, 204);
    const forgotten = await call(`/sync/${sync}`);
    assert.deepEqual([forgotten.enqueued, forgotten.done, forgotten.redriven, forgotten.startedAt], [0, 0, 0, null]);
    assert.deepEqual(await call(`/sync/${sync}/dead`), []);
  } finally {
    await mf.dispose();
  }
});
