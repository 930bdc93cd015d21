// Node start-up: a fresh `node` process imports a client's package and constructs a client (timed inside the
// process, so Node's own boot is left out); median of 15 after a warm-up round, clients interleaved.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { work } from "./sdks.mjs";
import { median, progress, rotate } from "./util.mjs";

const ROUNDS = 15;

/** Median milliseconds to import + construct, per client. */
export function measureNodeLoad(clients) {
  mkdirSync(`${work}load`, { recursive: true });
  const scripts = {};
  for (const sdk of clients) {
    scripts[sdk.name] = `${work}load/${sdk.name}.mjs`;
    const script = `const t = performance.now();\n${sdk.load}\nconsole.log(performance.now() - t);\n`;
    writeFileSync(scripts[sdk.name], script);
  }
  const times = {};
  const env = { ...process.env, NODE_PATH: "" };
  progress(`Node import + new client, ${ROUNDS} rounds`);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const name of rotate(Object.keys(scripts), round)) {
      const out = execFileSync(process.execPath, [scripts[name]], { cwd: work, env });
      if (round > 0) (times[name] ??= []).push(Number(out.toString().trim()));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, median(ms)]));
}
