// The packed package in the bundlers web developers use: Vite 8 with no configuration, Vite 5
// with the one setting docs/javascript.md gives, webpack 5 with an entry and an output. Each
// builds bindings-wasm/bundlers/app (the default entry, civicflow/templates and
// civicflow/calendars) from its pinned lockfile; the bundle is served on 127.0.0.1 and run in
// Debian's Chromium, which must show the case moved. Screenshots in test-results/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium, packedTarball, run, serveStatic, wasmDir } from "./helpers.js";

const bundlers = join(wasmDir, "bundlers");

// Builds the app with one bundler's project in a fresh folder; answers its dist/.
function build(bundler) {
  const dir = mkdtempSync(join(tmpdir(), `civicflow-${bundler}-`));
  cpSync(join(bundlers, bundler), dir, { recursive: true });
  cpSync(join(bundlers, "app"), dir, { recursive: true });
  run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], dir);
  run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", packedTarball()], dir);
  run("npm", ["run", "--silent", "build"], dir);
  return join(dir, "dist");
}

// Every file under a folder, relative to it.
function files(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

for (const bundler of ["vite8", "vite5", "webpack5"]) {
  test(`${bundler} bundles the package and the page runs in Chromium`, async () => {
    const dist = build(bundler);
    const wasm = files(dist).filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `one .wasm in the bundle: ${files(dist).join(" ")}`);
    const server = await serveStatic(dist);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 300 } });
      const problems = [];
      page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
      page.on("pageerror", (e) => problems.push(String(e)));
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
      const out = page.locator("#out[data-status]");
      await out.waitFor({ timeout: 30_000 });
      const shots = join(wasmDir, "test-results");
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `${bundler}.png`) });
      const text = await out.textContent();
      assert.equal(await out.getAttribute("data-status"), "ok", text);
      const shown = JSON.parse(text);
      assert.match(shown.version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(
        { state: shown.state, refused: shown.refused, listed: shown.listed },
        { state: "accepted", refused: "case.not_found", listed: 2 },
      );
      // WO-2's response reminder: half an hour after it was opened.
      assert.equal(shown.due, Date.parse("2026-09-30T09:40:00Z"), text);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
}
