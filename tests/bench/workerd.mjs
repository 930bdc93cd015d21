// workerd start-up: time from `new Miniflare` to the first dispatchFetch answer, for a worker that imports a
// client and constructs one per request, minus the same for an empty worker; median of 5 after a warm-up
// round, workers interleaved. Each worker is bundled by wrangler, as `wrangler deploy` would.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { empty, root, work } from "./sdks.mjs";
import { median, progress, rotate } from "./util.mjs";

const ROUNDS = 5;

/** Bundles a worker for `sdk` with wrangler; returns its script's path, or null when wrangler cannot. */
function bundleWorker(sdk) {
  const dir = `${work}workers/${sdk.name}/`;
  mkdirSync(dir, { recursive: true });
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

/** Milliseconds from `new Miniflare` to the worker's first answer (which must be "object"). */
async function startup(scriptPath) {
  const t0 = performance.now();
  const mf = new Miniflare({
    modules: true, scriptPath, compatibilityDate: "2025-01-01",
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  });
  try {
    const answer = await (await mf.dispatchFetch("http://worker.test/")).text();
    const ms = performance.now() - t0;
    if (answer !== "object") throw new Error(`the worker answered ${answer.slice(0, 200)}`);
    return ms;
  } finally {
    await mf.dispose();
  }
}

/** Start-up added over an empty worker, per client (null where the worker cannot be built or run), and the
 * empty worker's own median and range, which shows the noise. */
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
  return { added, emptyMs, emptyRange: [Math.min(...times.empty), Math.max(...times.empty)] };
}
