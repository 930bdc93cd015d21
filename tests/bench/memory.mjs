// Memory, run by run.mjs in a fresh Node process per arm: `node memory.mjs gist-wasm|minimal|floor` lists
// 10,000 users from an in-memory fetch that serves 167 pages of 60 contacts (the floor: fetch + JSON.parse of
// the same pages). Prints JSON: wall time, RSS before and at peak, and for gist-wasm the wasm linear memory
// before and after, read from `(await init()).memory` (null when the package no longer exposes it so).
import { readFileSync } from "node:fs";
import { fixedFetch, pageText } from "./fixtures.mjs";

const PAGES = 167;
const LIMIT = 10_000;
const baseUrl = "https://api.getgist.com";
const arm = process.argv[2];

const pages = Array.from({ length: PAGES }, (_, i) => fixedFetch(pageText(i + 1, PAGES)));
/** Answers GET /contacts?page=N with page N. */
const fetch = (url, init) => pages[Number(new URL(url).searchParams.get("page") ?? 1) - 1](url, init);

/** The wasm linear memory in bytes, or null when init() does not return the wasm exports. */
async function wasmBytes(init) {
  const exports = typeof init === "function" ? await init() : undefined;
  return exports?.memory instanceof WebAssembly.Memory ? exports.memory.buffer.byteLength : null;
}

/** This process's peak RSS in bytes: Linux's VmHWM (getrusage's maxRSS would include the parent's, as forked). */
function peakRss() {
  const status = readFileSync("/proc/self/status", "utf8").match(/^VmHWM:\s+(\d+) kB/m);
  return status ? Number(status[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/** Lists LIMIT users with one arm; returns how many. */
async function listAll(client) {
  if (client) return (await client.listUsers({ limit: LIMIT })).length;
  let count = 0;
  for (let page = 1; page <= PAGES && count < LIMIT; page++) {
    const data = JSON.parse(await (await fetch(`${baseUrl}/contacts?page=${page}&per_page=60`)).text());
    count += Math.min(data.contacts.length, LIMIT - count);
  }
  return count;
}

let client = null;
let init;
if (arm === "gist-wasm") {
  const gistWasm = await import("gist-wasm");
  init = gistWasm.default;
  client = new gistWasm.GistClient({ apiKey: "k", baseUrl, fetch });
} else if (arm === "minimal") {
  const { MinimalGistClient } = await import("./minimal-client.mjs");
  client = new MinimalGistClient({ apiKey: "k", baseUrl, fetch });
} else if (arm !== "floor") {
  throw new Error(`unknown arm ${arm}: gist-wasm, minimal or floor`);
}

const wasmBefore = await wasmBytes(init);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const count = await listAll(client);
const wallMs = performance.now() - t0;
if (count !== LIMIT) throw new Error(`${arm} listed ${count} users, not ${LIMIT}`);
console.log(JSON.stringify({ wallMs, rssBefore, peakRss: peakRss(), wasmBefore, wasmAfter: await wasmBytes(init) }));
