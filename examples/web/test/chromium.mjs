// The browser the desk's tests drive: a real headless Chromium (`CHROMIUM` names another
// binary), and what a page reports as broken, collected so that a test can require nothing.

import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Collects the page's console errors and uncaught exceptions into `problems`. */
export function watch(page, problems) {
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  return page;
}
