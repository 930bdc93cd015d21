// Run by Node 20, Node 22, Deno 2 and Bun 1 from the repository root: imports the installed package by
// name and prints one JSON line with the runtime's name and what the smoke test saw.
import init, * as gistWasm from "gist-wasm";
import { runtimeSmoke } from "../js/runtime-smoke.mjs";

const env = globalThis.process?.env ?? {};
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;
await init();
const seen = await runtimeSmoke(gistWasm, env.GIST_MOCK_URL ?? globalThis.Deno?.env.get("GIST_MOCK_URL"));
console.log(JSON.stringify({ runtime, seen }));
