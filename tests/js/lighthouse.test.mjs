// Lighthouse on the demo page, mobile and desktop presets: at least 95 in performance, accessibility,
// best practices and SEO, and a layout shift (CLS) of at most 0.05. Chromium runs with no outside
// network, and the page fetches nothing from outside. Performance is timing, and this machine is shared:
// a preset below 95 in performance is measured again, up to 3 runs in all, and the best run counts.
// The other categories and CLS count from the first run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { startDemoServer } from "../../www/server.mjs";

const FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run"];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const MIN_SCORE = 95;
const MAX_CLS = 0.05;
const PERF_RUNS = 3;

let demo;
let chrome;

before(async () => {
  demo = await startDemoServer({ port: 0 });
  chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", chromeFlags: FLAGS, logLevel: "silent" });
});

after(async () => {
  await chrome?.kill();
  await demo?.close();
});

/**
 * One Lighthouse run of `categories`: each category's score out of 100, CLS, the failed audits' ids, and
 * the URLs the page requested from anywhere but the demo server.
 */
async function audit(config, categories) {
  const { lhr } = await lighthouse(`${demo.url}/`, { port: chrome.port, logLevel: "error", output: "json", onlyCategories: categories }, config);
  assert.equal(lhr.runtimeError, undefined, lhr.runtimeError?.message);
  const scores = Object.fromEntries(categories.map((c) => [c, Math.round(lhr.categories[c].score * 100)]));
  const failed = Object.values(lhr.audits).filter((a) => a.scoreDisplayMode === "binary" && a.score === 0).map((a) => a.id);
  const outside = lhr.audits["network-requests"].details.items.map((r) => r.url).filter((url) => !url.startsWith(`${demo.url}/`) && !url.startsWith("data:"));
  return { scores, cls: lhr.audits["cumulative-layout-shift"].numericValue, failed, outside };
}

for (const [preset, config] of [["mobile", undefined], ["desktop", desktopConfig]]) {
  test(`Lighthouse ${preset}: every category at least ${MIN_SCORE}, CLS at most ${MAX_CLS}`, async (t) => {
    const first = await audit(config, CATEGORIES);
    let performance = first.scores.performance;
    for (let run = 2; run <= PERF_RUNS && performance < MIN_SCORE; run++) {
      performance = Math.max(performance, (await audit(config, ["performance"])).scores.performance);
    }
    t.diagnostic(`${preset}: ${JSON.stringify({ ...first.scores, performance })}, CLS ${first.cls}`);
    for (const category of CATEGORIES.filter((c) => c !== "performance")) {
      assert.ok(first.scores[category] >= MIN_SCORE, `${category} ${first.scores[category]} < ${MIN_SCORE}; failed audits: ${first.failed.join(", ")}`);
    }
    assert.ok(performance >= MIN_SCORE, `performance ${performance} < ${MIN_SCORE} in ${PERF_RUNS} runs`);
    assert.ok(first.cls <= MAX_CLS, `CLS ${first.cls} > ${MAX_CLS}`);
    assert.deepEqual(first.outside, [], "the page fetches nothing from outside");
  });
}
