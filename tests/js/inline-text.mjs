// What a bundler emitted for the .wasm that the main entry carries inside its JS (gist_wasm_inline.js).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";

/** The text of the installed package's inline .wasm, as its string literal holds it. */
function inlineText() {
  const file = createRequire(import.meta.url).resolve("gist-wasm/package.json").replace(/package\.json$/, "gist_wasm_inline.js");
  return readFileSync(file, "latin1").match(/export default "(.*)";/s)[1];
}

/** `path` if it is a file, else the .js files under it, in every folder. */
function jsFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true }).filter((name) => /\.[cm]?js$/.test(name)).map((name) => `${path}/${name}`);
}

/** Whether a bundle (a file, or the JS files of a folder) holds the inline .wasm's text unchanged: a bundler that
 * escaped some of its characters would ship more bytes. */
export function carriesInlineText(path) {
  const text = inlineText();
  return jsFiles(path).some((file) => readFileSync(file, "latin1").includes(text));
}
