// Debian's headless Chromium for the browser tests, started as root on a machine with no outside network.
import { chromium } from "playwright-core";

/** Launches /usr/bin/chromium with the flags this machine needs (no sandbox as root, no background calls), and `more`. */
export function launchChromium(more = []) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", ...more],
  });
}

/**
 * Opens `url` in a new page, waits for window.__result (tests/js/page-smoke.mjs) and resolves
 * `{ result, problems, wasm }`: the page's errors and its failed loads, but those of the mock API under
 * `apiUrl` (the smoke test asks for missing contacts on purpose), and the paths of the .wasm files it fetched.
 */
export async function openSmokePage(browser, url, apiUrl) {
  const page = await browser.newPage();
  const problems = [];
  const wasm = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().startsWith(apiUrl)) problems.push(`${r.status()} ${r.url()}`);
    if (new URL(r.url()).pathname.endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result, null, { timeout: 30_000 });
    return { result: await page.evaluate(() => window.__result), problems, wasm };
  } finally {
    await page.close();
  }
}
