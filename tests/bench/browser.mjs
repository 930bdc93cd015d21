// Ready time in headless Chromium: from the page's start (performance.now() = 0) to a constructed client
// (gist-wasm: once the import compiled and instantiated the .wasm), a fresh context per load,
// on loopback and throttled to slow 4G through the DevTools protocol; median of 5 after a warm-up round.
import { createServer } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { chromium } from "playwright-core";
import { brotli, gzip, www } from "./download.mjs";
import { median, progress, rotate } from "./util.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm" };
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const ROUNDS = 5;

/** Serves www/ from memory on 127.0.0.1, no-store, brotli- (or gzip-) encoded when the browser accepts it. */
async function serve() {
  const files = new Map();
  for (const page of readdirSync(www)) {
    for (const name of readdirSync(`${www}${page}`)) {
      const raw = readFileSync(`${www}${page}/${name}`);
      files.set(`/${page}/${name}`, { type: TYPES[extname(name)], raw, br: brotli(raw), gzip: gzip(raw) });
    }
  }
  const encodings = new Set();
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url, "http://x").pathname.replace(/\/$/, "/index.html"));
    if (!file) return response.writeHead(404).end();
    const accepts = request.headers["accept-encoding"] ?? "";
    const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : "identity";
    encodings.add(encoding);
    const body = encoding === "identity" ? file.raw : file[encoding];
    response.writeHead(200, {
      "content-type": file.type, "content-encoding": encoding, "content-length": body.length, "cache-control": "no-store",
    });
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, encodings, close: () => server.close() };
}

/** Loads one page in a fresh context and returns the page's readyAt (ms since its start). */
async function readyTime(browser, url, throttled) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    if (throttled) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
    }
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => globalThis.readyAt !== undefined, null, { timeout: 30_000 }).catch((error) => {
      throw new Error(`${url}: ${errors.join("; ") || error.message}`);
    });
    return await page.evaluate(() => globalThis.readyAt);
  } finally {
    await context.close();
  }
}

/** Median ready time of every page (the clients' and the empty one), loopback and slow 4G, loads interleaved. */
export async function measureBrowser(names) {
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const pages = ["empty", ...names];
  const times = { loopback: {}, slow4g: {} };
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      progress(`Chromium round ${round || "warm-up"} of ${ROUNDS}`);
      for (const [condition, throttled] of [["loopback", false], ["slow4g", true]]) {
        for (const name of rotate(pages, round)) {
          const ms = await readyTime(browser, `${server.origin}/${name}/`, throttled);
          if (round > 0) (times[condition][name] ??= []).push(ms);
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const medians = (byName) => Object.fromEntries(Object.entries(byName).map(([name, ms]) => [name, median(ms)]));
  return { loopback: medians(times.loopback), slow4g: medians(times.slow4g), encodings: [...server.encodings] };
}
