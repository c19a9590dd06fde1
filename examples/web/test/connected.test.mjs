// The township desk connected to `civicflow serve` on SQLite (scripts/desk-server.sh prepares it,
// as ./scripts/demo.sh does): two browsers open the desk the server serves; one replies to a
// case, the other sees it without reloading; the page reloaded still has it; a refused command
// is shown with its code and changes nothing; the 发布 and 账号健康 boards show the server's
// posts and accounts; the stored cases check out (`civicflow check`).
// Needs target/debug/civicflow (scripts/test.sh builds it before).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, watch } from "./chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const dist = join(here, "..", "dist");
const shots = join(here, "..", "test-results");
const civicflow = join(root, "target", "debug", "civicflow");

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
}

test("the connected desk keeps its cases on the server, shared between browsers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "civicflow-desk-"));
  execFileSync(join(root, "scripts", "desk-server.sh"), [dir], { stdio: "inherit" });
  copyFileSync(join(dir, "desk-tokens.json"), join(dist, "desk-tokens.json"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = spawn(civicflow, ["serve", "--database", `sqlite:${dir}/civicflow.db`, "--config", `${dir}/civicflow.toml`,
    "--desk", dist, "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "ignore"] });
  await until(async () => (await fetch(`${url}health`)).ok, "the server starts");
  const browser = await launch();
  mkdirSync(shots, { recursive: true });
  const problems = [];
  try {
    const open = async () => {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      watch(page, problems);
      await page.goto(url);
      await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
      return page;
    };
    const [a, b] = [await open(), await open()];
    for (const page of [a, b]) {
      assert.match(await page.textContent("footer"), /已连接 civicflow serve/);
      assert.equal(await page.locator("#board tr[data-case]").count(), 14);
      assert.equal(await page.getAttribute('#board tr[data-case="W-10"]', "data-state"), "handling");
      assert.equal(await page.locator("button[data-advance]").count(), 0);
    }

    // In browser A, the handler of 东村 replies to W-10, with the token of that actor.
    await a.click('#board tr[data-case="W-10"]');
    await a.waitForSelector('#case [data-case="W-10"]');
    assert.equal(await a.inputValue('#case select[name="unit"]'), "dongcun");
    // Sent without the reply it requires: the server refuses, the page says why, nothing changes.
    await a.click('#case button[data-transition="reply"]');
    await a.click('#case form[data-form="答复"] button[type="submit"]');
    await a.waitForSelector("#toast.error");
    assert.match(await a.textContent("#toast"), /case\.missing_payload/);
    assert.equal(await a.getAttribute('#board tr[data-case="W-10"]', "data-state"), "handling");
    await a.click('#case button[data-transition="reply"]');
    await a.fill('#case form[data-form="答复"] textarea[name="reply_text"]', "已更换漏水管段，恢复供水");
    await a.click('#case form[data-form="答复"] button[type="submit"]');
    await a.waitForSelector('#board tr[data-case="W-10"][data-state="replied"]');

    // Browser B sees it within its next poll, without reloading.
    await b.waitForSelector('#board tr[data-case="W-10"][data-state="replied"]', { timeout: 10_000 });
    await b.screenshot({ path: join(shots, "connected.png") });
    // The outbound boards read the server's cases as well: a release's channels from its event,
    // 原创率 and 政务指数 from `metrics` on the page's copies (the server's clock is past the
    // seed's, so every account is late by now).
    await b.click('#tabs button[data-tab="publishing"]');
    await b.waitForSelector('#publishing table.released tr[data-case="P-02"]');
    assert.equal(await b.getAttribute('#publishing tr[data-case="P-02"]', "data-channels"), "wechat weibo web app");
    assert.equal(await b.locator('#publishing tr[data-case="P-02"] [data-channel][data-delivery]').count(), 0);
    await b.click('#tabs button[data-tab="accounts"]');
    await b.waitForSelector("#accounts tr[data-account]");
    assert.equal(await b.locator("#accounts tr[data-account]").count(), 4);
    assert.equal(await b.getAttribute('#accounts tr[data-account="青山生态环境"]', "data-health"), "red");
    const share = (measure) => b.textContent(`#accounts tr[data-account="青山发布"] td[data-quarter="2026Q1"][data-measure="${measure}"]`);
    assert.deepEqual([await share("original_rate"), await share("government_index")], ["60.0%", "40.0%"]);
    await b.screenshot({ path: join(shots, "connected-accounts.png"), fullPage: true });
    // A reloaded page still has it: it is the server's.
    await a.reload();
    await a.waitForSelector("body[data-ready]");
    assert.equal(await a.getAttribute('#board tr[data-case="W-10"]', "data-state"), "replied");
    // And the server's store is sound.
    const checked = execFileSync(civicflow, ["check", "--database", `sqlite:${dir}/civicflow.db`], { encoding: "utf8" });
    // The week's 14 requests, 8 posts and 8 account-quarters.
    assert.match(checked, /^30 cases, \d+ events, \d+ timer rows checked; 0 problems$/m);
    // The one refusal (a 422 from POST /v1) is the only thing the browser complained of.
    assert.deepEqual(problems, ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]);
  } finally {
    await browser.close();
    server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
