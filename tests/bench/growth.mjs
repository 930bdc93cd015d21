// Growth, run by run.mjs in a fresh Node process: how per-call cost grows with the input. listUsers over
// pages of 10, 60 and 500 contacts (÷ fetch + JSON.parse of the same page), and parseWebhook over bodies of
// about 1 KB, 100 KB and 1 MB in three shapes (÷ JSON.parse): wide (one object of many keys), long (an
// array of many small objects) and deep (objects nested 100 levels, repeated); and recordEvent whose
// properties hold about 1 KB, 100 KB and 1 MB of small objects (÷ JSON.stringify of its argument: what
// reading an argument costs). Cost must grow linearly: the ratio to the floor should stay flat across
// sizes. Prints JSON: { listUsers: { "10": {floor, gist, ratio}, ... }, parseWebhook: { wide: { "1KB":
// {...} }, ... }, recordEvent: { "1KB": {...}, ... } } in µs, medians of 15 runs.
import { GistClient, parseWebhook } from "gist-wasm";
import { fixedFetch, wireContact } from "./fixtures.mjs";
import { median } from "./util.mjs";

const RUNS = Number(process.env.GIST_GROWTH_RUNS ?? 15); // fewer for a quick look at a slow build
const baseUrl = "https://api.getgist.com";

/** The median µs of `run` over RUNS timed batches, each of `reps` calls after one warm-up batch. */
async function time(run, reps) {
  for (let i = 0; i < reps; i++) await run();
  const each = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) await run();
    each.push(((performance.now() - t) * 1000) / reps);
  }
  return median(each);
}

const row = (floor, gist) => ({ floor, gist, ratio: gist / floor });

async function listUsers(size) {
  const text = JSON.stringify({ contacts: Array.from({ length: size }, (_, i) => wireContact(i + 1)), pages: { next: null } });
  const fetch = fixedFetch(text);
  const gist = new GistClient({ apiKey: "k", baseUrl, fetch });
  const reps = Math.max(3, Math.round(3000 / size));
  const floor = await time(async () => JSON.parse(await (await fetch(`${baseUrl}/contacts`)).text()), reps);
  return row(floor, await time(() => gist.listUsers({ limit: size }), reps));
}

// A body of about `bytes` in `shape`.
function body(shape, bytes) {
  if (shape === "wide") {
    const keys = Math.round(bytes / 20);
    return JSON.stringify({ topic: "user.updated", data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`field_${i}`, i])) });
  }
  if (shape === "long") {
    const items = Math.round(bytes / 30);
    return JSON.stringify({ topic: "user.updated", items: Array.from({ length: items }, (_, i) => ({ id: i, name: `n${i}` })) });
  }
  const nest = (depth) => (depth === 0 ? { leaf: "x" } : { a: nest(depth - 1) });
  const chains = Math.max(1, Math.round(bytes / 700));
  return JSON.stringify({ topic: "user.updated", chains: Array.from({ length: chains }, () => nest(100)) });
}

async function webhook(shape, bytes) {
  const text = body(shape, bytes);
  const reps = Math.max(2, Math.round(200_000 / text.length));
  const floor = await time(() => JSON.parse(text), reps);
  return row(floor, await time(() => parseWebhook(text), reps));
}

async function recordEvent(bytes) {
  const event = { event_name: "e", lead: { id: 1 }, properties: { rows: Array.from({ length: Math.round(bytes / 8) }, (_, i) => ({ n: i % 10 })) } };
  const gist = new GistClient({ apiKey: "k", baseUrl, fetch: fixedFetch(JSON.stringify({ contact: { id: 1, type: "lead" }, event: { id: 1, name: "e" } })) });
  const reps = Math.max(2, Math.round(200_000 / bytes));
  const floor = await time(() => JSON.stringify(event), reps);
  return row(floor, await time(() => gist.recordEvent(event), reps));
}

const result = { listUsers: {}, parseWebhook: {}, recordEvent: {} };
for (const size of [10, 60, 500]) result.listUsers[size] = await listUsers(size);
for (const shape of ["wide", "long", "deep"]) {
  result.parseWebhook[shape] = {};
  for (const [label, bytes] of [["1KB", 1_000], ["100KB", 100_000], ["1MB", 1_000_000]]) {
    result.parseWebhook[shape][label] = await webhook(shape, bytes);
  }
}
for (const [label, bytes] of [["1KB", 1_000], ["100KB", 100_000], ["1MB", 1_000_000]]) result.recordEvent[label] = await recordEvent(bytes);
console.log(JSON.stringify(result));
