// The `web` build in a real browser: Debian's Chromium, driven by playwright-core, loads a page
// served on 127.0.0.1 that runs conformance scenarios; the test reads the page and keeps a
// screenshot in bindings-wasm/test-results/browser.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { root, wasmDir } from "./helpers.js";

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
// Only what the page needs: the package, the runner, the scenarios and what they load.
const served = ["bindings-wasm/pkg/", "bindings-wasm/test/", "tests/", "templates/", "calendars/"];

function serve() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "");
    if (!served.some((p) => path.startsWith(p)) || !statSync(join(root, path), { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(join(root, path)));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("the web build runs conformance scenarios in Chromium", async () => {
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
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
