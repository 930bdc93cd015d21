// ./build.sh bench: what a browser app downloads and how long Node takes to load a client, for gist-wasm
// and for the JS SDKs people use today. Prints a Markdown table; run it on an idle machine.
//   download: the app's entry bundled and minified by esbuild for the browser, gzip -9, plus for
//             gist-wasm its .wasm (gzip -9)
//   load:     a fresh `node` process importing the package and constructing a client, median of 15
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL("./", import.meta.url));
const work = fileURLToPath(new URL("../../target/bench/", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
mkdirSync(work, { recursive: true });

const sdks = [
  { name: "gist-wasm", entry: 'import init, { GistClient } from "gist-wasm"; await init(); export const c = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });', load: 'const { GistClient } = await import("gist-wasm"); new GistClient({ apiKey: "k" });', wasm: `${root}node_modules/gist-wasm/gist_wasm_bg.wasm` },
  { name: "stripe", entry: 'import Stripe from "stripe"; export const c = new Stripe("sk_test_x");', load: 'const { default: Stripe } = await import("stripe"); new Stripe("sk_test_x");' },
  { name: "openai", entry: 'import OpenAI from "openai"; export const c = new OpenAI({ apiKey: "k", dangerouslyAllowBrowser: true });', load: 'const { default: OpenAI } = await import("openai"); new OpenAI({ apiKey: "k" });' },
  { name: "intercom-client", entry: 'import { IntercomClient } from "intercom-client"; export const c = new IntercomClient({ token: "k" });', load: 'const { IntercomClient } = await import("intercom-client"); new IntercomClient({ token: "k" });' },
];

const kb = (bytes) => (bytes / 1024).toFixed(1);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const sdk of sdks) {
  const entry = `${work}${sdk.name}.entry.mjs`;
  writeFileSync(entry, sdk.entry);
  const out = await build({
    entryPoints: [entry], bundle: true, minify: true, format: "esm", platform: "browser", write: false,
    nodePaths: [`${root}node_modules`, `${here}node_modules`], logLevel: "silent", target: "es2022",
  });
  const js = out.outputFiles[0].contents;
  const wasm = sdk.wasm ? readFileSync(sdk.wasm) : new Uint8Array();
  const download = gzipSync(js, { level: 9 }).length + (sdk.wasm ? gzipSync(wasm, { level: 9 }).length : 0);
  const script = `${work}${sdk.name}.load.mjs`;
  writeFileSync(script, `const t = performance.now(); ${sdk.load} console.log(performance.now() - t);`);
  const times = [];
  for (let i = 0; i < 15; i++) {
    const env = { ...process.env, NODE_PATH: "" };
    times.push(Number(execFileSync(process.execPath, [script], { cwd: root, env }).toString().trim()));
  }
  rows.push(`| ${sdk.name} | ${kb(js.length)} KB | ${sdk.wasm ? `${kb(wasm.length)} KB` : "-"} | **${kb(download)} KB** | ${median(times).toFixed(1)} ms |`);
}
console.log("| package | JS, minified | .wasm | download, gzip -9 | Node load + new client (median of 15) |");
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(row);
