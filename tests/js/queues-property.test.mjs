// A seeded property test of gist-wasm/queues: random upserts, taggings and recordEvents go through
// `enqueue` (whose sendBatch the queue sometimes refuses: the producer enqueues `unsent` again) into a
// simulated Cloudflare Queues runtime, which delivers them to `consume` in batches of random size and order:
// several consume runs at once, a message sometimes delivered twice (in one batch, or in two runs at once),
// and runs that crash at a random binding call. A crash stops the run where it is: the call it was in
// (a Gist request, a ledger read or write, a dead-letter send, an ack) happens or not, at random, and no
// later one happens: each then never settles (the run is abandoned mid-operation, as workerd does when an
// invocation ends, and keeps its in-isolate claims) or fails at once (the run unwinds); the runtime
// delivers the run's unacked messages again. Then the isolate dies (the next runs get new bindings) or
// lives on. Gist is the in-memory
// mock, failing a seeded share of writes (429, 500, 503, dropped before it acts, or acted with the answer
// lost). The ledger is a consistent KV that fails a share of calls (a throw, the write landed or not).
// Checked: every message is settled (acked) in the end; enqueue put every operation in exactly one
// message; every upsert and tagging landed; no event is recorded twice; an event recorded but never
// seen recorded by a consume run is dead-lettered as outcome_unknown, and one never recorded is dead-lettered; every
// dead letter has a documented code and no email; consume never rejects.
// Two more runs show what cannot hold: a ledger that loses writes ("lost": the put resolves, nothing is
// stored, as when a write does not reach the location of the next read) records an event twice only where
// a "sent" mark was lost; and two isolates consuming one message at the same moment can both send it
// (KV has no compare-and-swap), which only concurrent duplicate deliveries across isolates can cause.
// GIST_PROPERTY_SEED=<seed> replays a run (the seed is printed); GIST_PROPERTY_OPERATIONS sets its size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { GistClient } from "gist-wasm";
import { consume, enqueue } from "gist-wasm/queues";
import { createMockGist } from "gist-wasm/mock";
import { mulberry32 as random } from "./seeded.mjs";

const SEED = process.env.GIST_PROPERTY_SEED !== undefined ? Number(process.env.GIST_PROPERTY_SEED) >>> 0 : 20261128;
const OPERATIONS = Number(process.env.GIST_PROPERTY_OPERATIONS ?? 400);
const MAX_ROUNDS = 3000;
const BATCH_SIZE = 10; // Queues' default max_batch_size
const ROUND_MS = 10_000; // a round whose runs neither finish nor crash by then is a hang
const EMAIL = /@|%40/i;
const DEAD_CODES = new Set(["unauthorized", "forbidden", "not_found", "invalid_request", "rate_limited", "server_error",
  "network_error", "timeout", "aborted", "invalid_argument", "invalid_response", "outcome_unknown", "handler_error", "store_error"]);


const stopped = () => Promise.reject(new Error("the run crashed"));
const clone = (body) => JSON.parse(JSON.stringify(body)); // Queues carries JSON

/**
 * One simulation. `loseWrites`: the share of ledger puts that resolve but store nothing; `isolates`: how
 * many isolates consume at once (each with its own bindings, so with its own in-isolate claims).
 */
async function simulate(seed, { loseWrites = 0, isolates = 1 } = {}) {
  const chance = random(seed);
  const pick = (list) => list[Math.floor(chance() * list.length)];
  const mock = createMockGist({ seed, contacts: 60, maxLoggedRequests: 10 });
  for (const rule of [{ status: 429, headers: { "retry-after": "1" } }, { status: 503 }, { status: 500 }, { drop: true }]) {
    mock.fail({ method: "POST", fraction: 0.04, times: 1e9, ...rule });
  }
  const users = mock.state.contacts.filter((c) => c.type === "user");
  const stats = { runs: 0, crashes: 0, isolatesDied: 0, duplicates: 0, concurrentDuplicates: 0, lostAnswers: 0, ledgerFailures: 0, lostWrites: [], refusedBatches: 0 };

  // The operations, each with what it should do.
  const operations = Array.from({ length: OPERATIONS }, (_, n) => {
    const roll = chance();
    if (roll < 0.4) return { upsertUser: { user_id: 7_000_000 + n, email: `p${n}@example.com`, name: `P${n}`, custom_properties: { n } } };
    if (roll < 0.5) return { upsertLead: { email: `lead${n}@example.com`, name: `L${n}` } };
    if (roll < 0.65) return { tagContacts: { tag: `prop-${n % 4}`, users: [pick(users), pick(users)].map((u) => ({ user_id: u.user_id })) } };
    return { recordEvent: { event_name: "prop-event", user: { user_id: pick(users).user_id }, properties: { n } } };
  });

  // The queue: its messages, and a producer that refuses a sendBatch now and then.
  const queue = [];
  let nextId = 0;
  const producer = {
    send: async () => assert.fail("enqueue uses sendBatch"),
    async sendBatch(messages) {
      if (chance() < 0.1) {
        stats.refusedBatches += 1;
        throw pick([new Error("queue overloaded for p1@example.com"), undefined, null]);
      }
      for (const { body } of messages) queue.push({ id: `q${++nextId}`, body: clone(body), attempts: 0, visibleAt: 0, isolates: new Set() });
    },
  };
  for (let first = 0; first < operations.length;) {
    const chunk = operations.slice(first, (first += 1 + Math.floor(chance() * 60)));
    let left = chunk;
    for (let tries = 0; left.length > 0; tries++) {
      assert.ok(tries < 50, "enqueue kept refusing");
      const { invalid, unsent } = await enqueue(producer, left, { perMessage: 1 + Math.floor(chance() * 6) });
      assert.deepEqual(invalid, []);
      left = unsent.map(({ index }) => left[index]);
    }
  }

  // What is stored for good: the ledger, the dead letters. A ledger binding per isolate (the claims of
  // gist-wasm/queues are per binding object), which finds the calling run through AsyncLocalStorage.
  const ledger = new Map();
  const dead = [];
  const seenRecorded = new Set();
  // What abandoned runs wait on: it never settles while the simulation runs, and fails once it is over,
  // so that those runs unwind (their effects are void) instead of outliving the test.
  const waiting = [];
  let over = false;
  const hang = () => (over ? stopped() : new Promise((resolve, reject) => waiting.push(reject)));
  const current = new AsyncLocalStorage();
  // Runs `act` as one binding call of `run`: a crash there (the run's budget of calls is spent) lets the
  // call happen or not, at random, then stops the run; after a crash, nothing happens.
  const effect = async (run, act) => {
    assert.ok(run, "a ledger call outside any consume run");
    if (run.dead) return run.after();
    if (--run.budget === 0) {
      run.crash();
      if (chance() < 0.5) await Promise.resolve().then(act).catch(() => {});
      return run.after();
    }
    return act();
  };
  const failing = () => {
    if (chance() < 0.05) {
      stats.ledgerFailures += 1;
      return true;
    }
    return false;
  };
  const ledgerBinding = () => ({
    get: (key) => effect(current.getStore(), () => {
      if (failing()) throw new Error("KV GET failed");
      return ledger.get(key) ?? null;
    }),
    put: (key, value) => effect(current.getStore(), () => {
      if (failing()) {
        if (chance() < 0.5) ledger.set(key, value); // it landed, but the call failed
        throw new Error("KV PUT failed");
      }
      if (chance() < loseWrites) stats.lostWrites.push([key, value]);
      else ledger.set(key, value);
    }),
    delete: (key) => effect(current.getStore(), () => {
      if (failing()) throw new Error("KV DELETE failed");
      ledger.delete(key);
    }),
  });
  const live = Array.from({ length: isolates }, () => ({ ledger: ledgerBinding() }));

  // One consume run on `deliveries` (queue entries; one may come twice) in `isolate`.
  function deliver(deliveries, isolate) {
    stats.runs += 1;
    let crashed;
    const run = { dead: false, budget: chance() < 0.25 ? 1 + Math.floor(chance() * 60) : Infinity, stopped: new Promise((resolve) => (crashed = resolve)) };
    run.after = chance() < 0.5 ? hang : stopped; // after a crash: abandoned, or unwinding
    run.crash = () => {
      run.dead = true;
      stats.crashes += 1;
      crashed();
    };
    const fetch = (input, init) => effect(run, async () => {
      const response = await mock.fetch(input, init);
      if ((init?.method ?? input.method) === "POST" && chance() < 0.03) {
        stats.lostAnswers += 1;
        throw new TypeError("the connection reset after the request was sent");
      }
      // An event whose success reached a consume run that goes on: it knows the event was recorded.
      if (response.ok && new URL(input.url ?? input).pathname === "/events" && !run.dead) seenRecorded.add(JSON.parse(init.body).properties.n);
      return response;
    });
    const settle = (entry, how) => effect(run, () => entry.outcomes.push(how));
    const messages = deliveries.map((entry) => ({
      id: entry.id, body: clone(entry.body), attempts: entry.attempts,
      ack: () => settle(entry, "ack"), retry: () => settle(entry, "retry"),
    }));
    const deadLetterQueue = {
      send: async () => assert.fail("consume uses sendBatch"),
      sendBatch: (batch) => effect(run, () => {
        if (chance() < 0.05) throw new Error("DLQ refused");
        dead.push(...batch.map(({ body }) => body));
      }),
    };
    const client = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch, maxRetries: 0, timeoutMs: 2000, logLevel: "off" });
    const options = { deadLetterQueue, ledger: isolate.ledger, maxAttempts: 25, concurrency: 1 + Math.floor(chance() * 8), retryDelaySeconds: 1 };
    const done = current.run(run, () => consume({ messages }, client, options));
    for (const entry of deliveries) entry.isolates.add(isolate);
    return Promise.race([done.then(() => "done", (error) => `rejected: ${error.code} ${error.message}`), run.stopped.then(() => "crashed")]);
  }

  // The runtime: each round delivers the visible messages in random order, in 1 to 3 runs at once.
  const all = [...queue];
  let round = 0;
  while (queue.length > 0) {
    round += 1;
    assert.ok(round <= MAX_ROUNDS, `${queue.length} messages still unsettled after ${MAX_ROUNDS} rounds`);
    const runs = Array.from({ length: 1 + Math.floor(chance() * 3) }, () => []);
    const visible = queue.filter((entry) => entry.visibleAt <= round).sort(() => chance() - 0.5).slice(0, BATCH_SIZE * runs.length);
    if (visible.length === 0) continue;
    for (const entry of visible) {
      entry.attempts += 1;
      entry.outcomes = [];
      entry.isolates.clear();
      const target = pick(runs);
      target.push(entry);
      if (chance() < 0.05) {
        const again = pick(runs);
        again.push(entry); // delivered twice: in the same run, or in another at the same moment
        stats.duplicates += 1;
        if (again !== target) stats.concurrentDuplicates += 1;
      }
    }
    const started = runs.filter((deliveries) => deliveries.length > 0).map((deliveries) => {
      const isolate = pick(live);
      return deliver(deliveries, isolate).then((end) => ({ end, isolate }));
    });
    let timer;
    const ends = await Promise.race([Promise.all(started), new Promise((resolve) => (timer = setTimeout(resolve, ROUND_MS, null)))]);
    clearTimeout(timer);
    assert.ok(ends !== null, `round ${round}: a consume run neither finished nor crashed within ${ROUND_MS} ms`);
    for (const { end, isolate } of ends) {
      assert.ok(end === "done" || end === "crashed", `round ${round}: consume ${end}`);
      if (end === "crashed" && chance() < 0.5 && live.includes(isolate)) {
        stats.isolatesDied += 1;
        live[live.indexOf(isolate)] = { ledger: ledgerBinding() }; // a new isolate: new bindings, no claims
      }
    }
    for (const entry of visible) {
      if (entry.isolates.size > 1) entry.crossIsolate = true;
      if (entry.outcomes.includes("ack")) queue.splice(queue.indexOf(entry), 1);
      else entry.visibleAt = round + 1 + Math.floor(chance() * 3); // retried, or unsettled by a crash
    }
  }
  over = true;
  for (const reject of waiting) reject(new Error("the simulation is over"));
  return { operations, mock, ledger, dead, stats, rounds: round, messages: all, seenRecorded };
}

const tally = (items) => items.reduce((counts, item) => counts.set(item, (counts.get(item) ?? 0) + 1), new Map());
const summary = (dead) => [...tally(dead.map((d) => `${d.operation} ${d.code}`))].map(([what, n]) => `${n} ${what}`).join(", ") || "none";

/**
 * The invariants, as a list of what broke. `mayDouble(message, key)`: whether an event recorded twice
 * there is explained by what the run allowed (a lost ledger write, two isolates at once).
 */
function checkInvariants({ operations, mock, dead, messages, seenRecorded }, mayDouble = () => false) {
  const problems = [];
  const wanted = tally(operations.map((op) => JSON.stringify(op)));
  const queued = tally(messages.flatMap((m) => m.body.ops.map((op) => JSON.stringify(op))));
  const misqueued = [...new Set([...wanted.keys(), ...queued.keys()])].filter((op) => wanted.get(op) !== queued.get(op));
  if (misqueued.length > 0) problems.push(`${misqueued.length} operations not enqueued exactly once, e.g. ${misqueued[0]}`);

  const contacts = mock.state.contacts;
  const tagIds = new Map(mock.state.tags.map((t) => [t.name, t.id]));
  const recorded = tally(mock.state.events.filter((e) => e.name === "prop-event").map((e) => e.properties.n));
  const letters = new Map();
  for (const entry of dead) {
    if (!DEAD_CODES.has(entry.code)) problems.push(`a dead letter with an undocumented code: ${JSON.stringify(entry)}`);
    if (EMAIL.test(JSON.stringify(entry))) problems.push(`a dead letter holds an email: ${JSON.stringify(entry)}`);
    if (entry.operation !== "recordEvent") problems.push(`a ${entry.operation} was dead-lettered (${entry.code}): ${entry.message}`);
    const key = `${entry.messageId}/${entry.index}`;
    letters.set(key, [...(letters.get(key) ?? []), entry]);
  }
  for (const message of messages) {
    message.body.ops.forEach((op, index) => {
      const [[name, input]] = Object.entries(op);
      if (name === "upsertUser") {
        const c = contacts.find((x) => x.user_id === String(input.user_id));
        if (c?.name !== input.name || c.custom_properties?.n !== input.custom_properties.n) problems.push(`upsert ${input.user_id} did not land`);
      } else if (name === "upsertLead") {
        if (!contacts.some((x) => x.email === input.email && x.name === input.name)) problems.push(`lead ${input.name} did not land`);
      } else if (name === "tagContacts") {
        const id = tagIds.get(input.tag);
        for (const { user_id: userId } of input.users) {
          if (!contacts.find((x) => x.user_id === userId)?.tags.includes(id)) problems.push(`${input.tag} did not land on ${userId}`);
        }
      } else {
        const { n } = input.properties;
        const times = recorded.get(n) ?? 0;
        const key = `gist-wasm/op/${message.body.key ?? message.id}/${index}`;
        const lettered = letters.get(`${message.id}/${index}`) ?? [];
        if (times > 1 && !mayDouble(message, key)) problems.push(`event ${n} recorded ${times} times`);
        if (times >= 1 && !seenRecorded.has(n) && !lettered.some((d) => d.code === "outcome_unknown")) {
          problems.push(`event ${n} recorded, its success never seen by a consume run, yet not dead-lettered as outcome_unknown`);
        }
        if (times === 0 && lettered.length === 0) problems.push(`event ${n} neither recorded nor dead-lettered`);
      }
    });
  }
  return problems;
}

function report(label, { stats, rounds, dead, operations }, started) {
  console.log(`queues property (${label}): ${operations.length} operations, ${rounds} rounds, ${stats.runs} consume runs ` +
    `(${stats.crashes} crashed; an isolate died ${stats.isolatesDied} times), ${stats.duplicates} duplicate deliveries ` +
    `(${stats.concurrentDuplicates} in two runs at once), ${stats.lostAnswers} answers lost after Gist acted, ` +
    `${stats.ledgerFailures} ledger calls failed, ${stats.lostWrites.length} ledger writes lost, ${stats.refusedBatches} sendBatch refused; ` +
    `dead letters: ${summary(dead)}; ${Date.now() - started} ms`);
}

console.log(`queues property: seed ${SEED} (GIST_PROPERTY_SEED=${SEED} replays it)`);

test("one isolate at a time, a consistent ledger that fails calls: every message settled, every upsert lands, no event twice", async () => {
  const started = Date.now();
  const run = await simulate(SEED);
  report("consistent ledger", run, started);
  assert.deepEqual(checkInvariants(run), []);
});

test("a ledger that loses writes: an event is recorded twice only where its 'sent' mark was lost", async () => {
  const started = Date.now();
  const run = await simulate(SEED + 1, { loseWrites: 0.1 });
  report("ledger losing 10% of writes", run, started);
  // A lost "done" leaves "sent" (a later delivery dead-letters the event); a lost "sent" lets one send it again.
  const lostSent = new Set(run.stats.lostWrites.filter(([, value]) => value === "sent").map(([key]) => key));
  const problems = checkInvariants(run, (message, key) => lostSent.has(key));
  const doubles = [...tally(run.mock.state.events.filter((e) => e.name === "prop-event").map((e) => e.properties.n)).values()].filter((n) => n > 1).length;
  console.log(`queues property (ledger losing 10% of writes): ${doubles} events recorded twice, ${lostSent.size} "sent" marks lost`);
  assert.deepEqual(problems, []);
});

test("two isolates at once: only a message delivered to both at the same moment can record its event twice", async () => {
  const started = Date.now();
  const run = await simulate(SEED + 2, { isolates: 2 });
  report("two isolates", run, started);
  const problems = checkInvariants(run, (message) => message.crossIsolate === true);
  const doubles = [...tally(run.mock.state.events.filter((e) => e.name === "prop-event").map((e) => e.properties.n)).values()].filter((n) => n > 1).length;
  console.log(`queues property (two isolates): ${doubles} events recorded twice, ${run.messages.filter((m) => m.crossIsolate).length} messages delivered to both isolates at once`);
  assert.deepEqual(problems, []);
});
