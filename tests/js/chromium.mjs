// Debian's headless Chromium for the browser tests, started as root on a machine with no outside network.
import { chromium } from "playwright-core";

/** Launches /usr/bin/chromium with the flags this machine needs (no sandbox as root, no background calls). */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}
