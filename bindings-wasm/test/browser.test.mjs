// The `web` build in a real browser: Debian's Chromium, driven by playwright-core, loads a page
// served on 127.0.0.1 that runs conformance scenarios; the test reads the page and keeps a
// screenshot in bindings-wasm/test-results/browser.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, root, serveStatic, wasmDir } from "./helpers.js";

// Only what the page needs: the package, the runner, the scenarios and what they load.
const served = ["bindings-wasm/pkg/", "bindings-wasm/test/", "tests/", "templates/", "calendars/"];

test("the web build runs conformance scenarios in Chromium", async () => {
  const server = await serveStatic(root, served);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    page.on("pageerror", (e) => problems.push(String(e)));
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/bindings-wasm/test/browser/index.html`);
    const result = page.locator("#result[data-status]");
    await result.waitFor({ timeout: 30_000 });
    const text = await result.textContent();
    const shots = join(wasmDir, "test-results");
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "browser.png"), fullPage: true });
    assert.equal(await result.getAttribute("data-status"), "passed", text);
    assert.match(text, /before init\(\): engine\.not_initialized/);
    assert.match(text, /39_sla_clocks\.json: \d+ steps, passed/);
    assert.equal((text.match(/passed/g) ?? []).length, 4, text);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    server.close();
  }
});
