// Download size: each client's browser app (import it, construct a client) bundled by esbuild with
// --bundle --minify --format=esm --platform=browser, plus the .wasm gist-wasm/web fetches; gzip -9 and brotli -q 11.
// The bundles are also the pages that browser.mjs serves: www/<name>/{index.html, app.js, *.wasm}.
import { build } from "esbuild";
import { basename } from "node:path";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { empty, root, sdks, work } from "./sdks.mjs";

export const www = `${work}www/`;

/** gzip -9. */
export function gzip(bytes) {
  return gzipSync(bytes, { level: 9 });
}

/** brotli -q 11. */
export function brotli(bytes) {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
}

/** The sum of a list of numbers. */
const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Bundles one client's page into www/<name>/ and returns its files' bytes. */
async function bundlePage(sdk) {
  const dir = `${www}${sdk.name}/`;
  mkdirSync(dir, { recursive: true });
  const entry = `${work}entries/${sdk.name}.mjs`;
  mkdirSync(`${work}entries`, { recursive: true });
  const ready = "globalThis.client = client;\nglobalThis.readyAt = performance.now();\n";
  writeFileSync(entry, `${sdk.imports}\n${sdk.ready}\n${ready}`);
  const out = await build({
    entryPoints: [entry], bundle: true, minify: true, format: "esm", platform: "browser", write: false,
    nodePaths: [`${root}node_modules`], logLevel: "silent",
  });
  const html = `<!doctype html><meta charset="utf-8"><title>${sdk.name}</title>${sdk.head ?? ""}\n` +
    '<script type="module" src="app.js"></script>\n';
  const files = { "index.html": Buffer.from(html), "app.js": Buffer.from(out.outputFiles[0].contents) };
  for (const path of sdk.wasm ?? []) files[basename(path)] = readFileSync(path);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(`${dir}${name}`, bytes);
  return files;
}

/** Bundles every page (and the empty one); returns each client's JS and wasm sizes, raw, gzip and brotli. */
export async function measureDownload() {
  rmSync(www, { recursive: true, force: true });
  await bundlePage(empty);
  const sizes = {};
  for (const sdk of sdks) {
    const files = await bundlePage(sdk);
    const js = files["app.js"];
    const wasm = (sdk.wasm ?? []).map((path) => files[basename(path)]);
    const part = (compress) => ({ js: compress(js).length, wasm: sum(wasm.map((bytes) => compress(bytes).length)) });
    const raw = { js: js.length, wasm: sum(wasm.map((bytes) => bytes.length)) };
    sizes[sdk.name] = { raw, gzip: part(gzip), brotli: part(brotli) };
  }
  return sizes;
}
