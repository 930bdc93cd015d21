// Runs a program in a fresh Node, whose wasm memory starts small: for tests of how far a burst or a large
// answer grows it (wasm memory never shrinks, so a process other tests ran in says nothing).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

/** Runs `program` (an ES module that prints JSON) in a fresh Node given `flags`; resolves what it printed. */
export async function inFreshNode(program, flags = []) {
  const root = new URL("../../", import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, "--input-type=module", "-e", program], { cwd: root, timeout: 120_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}
