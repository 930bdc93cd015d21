// workerd start-up, for a worker that imports a client and constructs one per request, minus the same for an
// empty worker, workers interleaved, after a warm-up round. Each worker is bundled by wrangler, as `wrangler
// deploy` would. Measured two ways: from `new Miniflare` to the first dispatchFetch answer (median of 15),
// with the bundle's modules listed as `wrangler dev` hands them to Miniflare (given only the script's path,
// Miniflare would parse its JS with acorn to find them, about 7 ms for gist-wasm's 58 KB bundle, work that
// `wrangler dev` does not ask of it); and workerd alone: the wall time of a `workerd test` process that loads
// the worker and makes one request of it (median of 21).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { empty, root, work } from "./sdks.mjs";
import { median, progress, rotate } from "./util.mjs";

const ROUNDS = 15;
const ALONE_ROUNDS = 21;

/** Bundles a worker for `sdk` with wrangler; returns its script's path, or null when wrangler cannot. */
function bundleWorker(sdk) {
  const dir = `${work}workers/${sdk.name}/`;
  mkdirSync(dir, { recursive: true });
  // wrangler adds to dist/ and never empties it: a .wasm of an earlier build would be loaded too.
  rmSync(`${dir}dist`, { recursive: true, force: true });
  const handler = `  async fetch() {\n    ${sdk.ready}\n    return new Response(typeof client);\n  },\n`;
  writeFileSync(`${dir}index.mjs`, `${sdk.imports}\nexport default {\n${handler}};\n`);
  const config = `name = "bench-${sdk.name}"\nmain = "index.mjs"\ncompatibility_date = "2025-01-01"\n`;
  writeFileSync(`${dir}wrangler.toml`, config);
  try {
    execFileSync(`${root}node_modules/.bin/wrangler`, ["deploy", "--dry-run", "--outdir", "dist"], {
      cwd: dir, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    return `${dir}dist/index.js`;
  } catch (error) {
    progress(`workerd: wrangler could not bundle ${sdk.name}: ${String(error.stderr ?? error).split("\n")[0]}`);
    return null;
  }
}

/** The .wasm files of a wrangler bundle: those beside its script. */
const wasmBeside = (scriptPath) => readdirSync(dirname(scriptPath)).filter((file) => file.endsWith(".wasm"));

/** The modules of a wrangler bundle (its script and the .wasm beside it), as `wrangler dev` lists them for Miniflare. */
function bundleModules(scriptPath) {
  const dir = dirname(scriptPath);
  const wasm = wasmBeside(scriptPath)
    .map((file) => ({ type: "CompiledWasm", path: `${dir}/${file}`, contents: readFileSync(`${dir}/${file}`) }));
  const script = { type: "ESModule", path: scriptPath, contents: readFileSync(scriptPath, "utf8") };
  return { modules: [script, ...wasm], modulesRoot: dir };
}

/** Milliseconds from `new Miniflare` to the worker's first answer (which must be "object"). */
async function startup(scriptPath) {
  const source = bundleModules(scriptPath);
  const t0 = performance.now();
  const mf = new Miniflare({ ...source, compatibilityDate: "2025-01-01" });
  try {
    const answer = await (await mf.dispatchFetch("http://worker.test/")).text();
    const ms = performance.now() - t0;
    if (answer !== "object") throw new Error(`the worker answered ${answer.slice(0, 200)}`);
    return ms;
  } finally {
    await mf.dispose();
  }
}

/** A `workerd test` config for a bundled worker (its dist/ as modules, and a test that fetches from it once). */
function testConfig(scriptPath) {
  const dir = `${dirname(scriptPath)}/`;
  writeFileSync(`${dir}test.js`, 'import worker from "./index.js";\nexport default {\n  async test() {\n' +
    '    const answer = await (await worker.fetch(new Request("http://worker.test/"))).text();\n' +
    '    if (answer !== "object") throw new Error(`the worker answered ${answer.slice(0, 200)}`);\n  },\n};\n');
  const wasm = wasmBeside(scriptPath).map((name) => `(name = "${name}", wasm = embed "${name}")`);
  const modules = ['(name = "test.js", esModule = embed "test.js")', '(name = "index.js", esModule = embed "index.js")', ...wasm];
  writeFileSync(`${dir}workerd.capnp`, 'using Workerd = import "/workerd/workerd.capnp";\n' +
    `const config :Workerd.Config = (services = [(name = "main", worker = (modules = [${modules.join(", ")}], ` +
    'compatibilityDate = "2025-01-01"))]);\n');
  return `${dir}workerd.capnp`;
}

/** Milliseconds of a `workerd test` process on `config` (its test must pass). */
function testRun(config) {
  const t0 = performance.now();
  const run = spawnSync(`${root}node_modules/.bin/workerd`, ["test", config], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`workerd test failed: ${(run.stderr || run.stdout).slice(0, 300)}`);
  return ms;
}

/** workerd alone: each worker's `workerd test` time over the empty worker's, median of ALONE_ROUNDS. */
function measureAlone(scripts) {
  const configs = Object.fromEntries(Object.entries(scripts).filter(([, path]) => path).map(([name, path]) => [name, testConfig(path)]));
  const times = {};
  for (let round = 0; round <= ALONE_ROUNDS; round++) {
    for (const name of rotate(Object.keys(configs), round)) {
      if (!configs[name]) continue;
      try {
        const ms = testRun(configs[name]);
        if (round > 0) (times[name] ??= []).push(ms);
      } catch (error) {
        progress(`workerd alone: ${name} did not run: ${error.message.split("\n")[0]}`);
        configs[name] = null;
      }
    }
  }
  const emptyMs = median(times.empty);
  return Object.fromEntries(Object.keys(scripts).filter((name) => name !== "empty")
    .map((name) => [name, times[name] ? median(times[name]) - emptyMs : null]));
}

/** Start-up added over an empty worker, per client (null where the worker cannot be built or run), through
 * Miniflare (`added`) and in workerd alone (`alone`), and the empty worker's own median and range in
 * Miniflare, which shows its noise. */
export async function measureWorkerd(clients) {
  const scripts = {};
  for (const sdk of [empty, ...clients]) scripts[sdk.name] = bundleWorker(sdk);
  const times = {};
  for (let round = 0; round <= ROUNDS; round++) {
    progress(`workerd round ${round || "warm-up"} of ${ROUNDS}`);
    for (const name of rotate(Object.keys(scripts), round)) {
      if (!scripts[name]) continue;
      const ms = await startup(scripts[name]).catch((error) => {
        progress(`workerd: ${name} did not run: ${error.message.split("\n")[0]}`);
        scripts[name] = null;
        return null;
      });
      if (round > 0 && ms !== null) (times[name] ??= []).push(ms);
    }
  }
  const emptyMs = median(times.empty);
  const added = Object.fromEntries(
    clients.map(({ name }) => [name, scripts[name] ? median(times[name]) - emptyMs : null]),
  );
  progress("workerd alone (workerd test)");
  const alone = measureAlone(scripts);
  return { added, alone, emptyMs, emptyRange: [Math.min(...times.empty), Math.max(...times.empty)] };
}
