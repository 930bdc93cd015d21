// Run by Node 20, Node 22, Deno 2 and Bun 1: a write to GIST_CLOSED_URL, where nothing listens, through
// the runtime's own fetch; prints one JSON line: its error's code, mayHaveActed, and the requests made.
import { GistClient } from "gist-wasm";

const env = globalThis.process?.env ?? {};
const baseUrl = env.GIST_CLOSED_URL ?? globalThis.Deno?.env.get("GIST_CLOSED_URL");
const sent = [];
const hooks = { request: (info) => sent.push(info.method) };
const gist = new GistClient({ apiKey: "mock-key", baseUrl, maxRetries: 1, logLevel: "off", hooks });
const error = await gist.createTag("never sent").catch((e) => e);
console.log(JSON.stringify([error.code, error.mayHaveActed, sent.length]));
