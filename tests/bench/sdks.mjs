// The clients compared by ./build.sh bench, and how a browser page, a worker and a Node script construct each.
// Runs from target/bench, where build.sh copies tests/bench and npm installs the JS SDKs; gist-wasm
// resolves from the project's node_modules.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const work = fileURLToPath(new URL("./", import.meta.url));
export const root = fileURLToPath(new URL("../../", import.meta.url));
const minimal = `${work}minimal-client.ts`;
const gistWasm = `${root}node_modules/gist-wasm/`;

/** The version of an SDK installed in target/bench. */
function version(name) {
  return JSON.parse(readFileSync(`${work}node_modules/${name}/package.json`, "utf8")).version;
}

// wasm: the .wasm files a page serves next to its bundle; head: what its HTML adds to <head>;
// imports: the static import of an app; ready: what makes a client (`client`) once imported;
// load: the same for Node, with a dynamic import so that it can be timed; browserOnly: an arm for browser
// pages alone (gist-wasm/web is the main entry in Node and workerd).
export const sdks = [
  {
    name: "gist-wasm", label: "gist-wasm",
    imports: 'import { GistClient } from "gist-wasm";',
    ready: 'const client = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });',
    load: 'const { GistClient } = await import("gist-wasm"); new GistClient({ apiKey: "k" });',
  },
  {
    name: "gist-wasm-web", label: "gist-wasm/web", browserOnly: true,
    wasm: [`${gistWasm}gist_wasm_bg.wasm`], // the one web.js fetches (gist_wasm_node.wasm is Node's)
    head: '<link rel="preload" href="gist_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>',
    imports: 'import { GistClient } from "gist-wasm/web";',
    ready: 'const client = new GistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });',
  },
  {
    name: "stripe", label: `stripe ${version("stripe")}`,
    imports: 'import Stripe from "stripe";',
    ready: 'const client = new Stripe("sk_test_x");',
    load: 'const { default: Stripe } = await import("stripe"); new Stripe("sk_test_x");',
  },
  {
    name: "openai", label: `openai ${version("openai")}`,
    imports: 'import OpenAI from "openai";',
    ready: 'const client = new OpenAI({ apiKey: "k", dangerouslyAllowBrowser: true });',
    load: 'const { default: OpenAI } = await import("openai"); new OpenAI({ apiKey: "k" });',
  },
  {
    name: "intercom-client", label: `intercom-client ${version("intercom-client")}`,
    imports: 'import { IntercomClient } from "intercom-client";',
    ready: 'const client = new IntercomClient({ token: "k" });',
    load: 'const { IntercomClient } = await import("intercom-client"); new IntercomClient({ token: "k" });',
  },
  {
    name: "minimal", label: "minimal TS client",
    imports: `import { MinimalGistClient } from ${JSON.stringify(minimal)};`,
    ready: 'const client = new MinimalGistClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });',
    load: `const { MinimalGistClient } = await import(${JSON.stringify(`${work}minimal-client.mjs`)});\n` +
      'new MinimalGistClient({ apiKey: "k" });',
  },
];

/** The baseline: a page or a worker that imports nothing. */
export const empty = { name: "empty", imports: "", ready: "const client = {};" };
