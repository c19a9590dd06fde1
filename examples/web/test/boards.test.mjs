// The desk's outbound boards in a real browser (Debian's Chromium, driven by playwright-core, on
// the built page in dist/): the 发布 board shows each post under review with its stage and its
// review clock, the post sent back with its reason, and each release with the channels it
// reached; the 账号健康 board shows each account's time since its last post (green, amber within
// the warning window, red past two weeks) and 原创率 and 政务指数 per quarter as the seed gives
// them and `metrics` computes them. Moving the clock turns them as the rules say. Any console
// error fails the test. Also: data/outbound.json is what data/outbound.mjs writes.
// Screenshots go to examples/web/test-results/ (publishing.png, accounts.png, accounts-later.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, watch } from "./chromium.mjs";
import { json, reference, shots } from "./seed.mjs";
import { serve } from "../serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const HOUR = 3_600_000;

/** What the seed says of each account: its last post, and its posts by quarter. */
function seededAccounts(outbound) {
  const cases = new Map();
  for (const s of outbound.steps) {
    if (s.op === "open_case" && s.workflow === "account-health") cases.set(s.case_id, s.fields);
  }
  const accounts = new Map();
  for (const s of outbound.steps) {
    if (s.op !== "apply" || s.transition !== "post") continue;
    const { account, quarter } = cases.get(s.case_id);
    const a = accounts.get(account) ?? { last: 0, quarters: {} };
    a.last = Math.max(a.last, s.at);
    (a.quarters[quarter] ??= []).push(s.payload);
    accounts.set(account, a);
  }
  return accounts;
}

/** A quarter ("2026Q1") as [from, to) in China time. */
function period(quarter) {
  const [y, q] = [Number(quarter.slice(0, 4)), Number(quarter.slice(5))];
  const start = (year, month) => Date.parse(`${year}-${String(month).padStart(2, "0")}-01T00:00:00+08:00`);
  return [start(y, 3 * q - 2), q === 4 ? start(y + 1, 1) : start(y, 3 * q + 1)];
}

const percent = (rate) => `${(rate * 100).toFixed(1)}%`;

test("data/outbound.json is what data/outbound.mjs writes", async () => {
  const { text } = await import("../data/outbound.mjs");
  assert.equal(readFileSync(join(here, "..", "data", "outbound.json"), "utf8"), text, "run `node data/outbound.mjs`");
  const { week, outbound } = reference();
  assert.equal(outbound.now, week.now);
});

test("the 发布 and 账号健康 boards in Chromium", async () => {
  const { engine, week, outbound } = reference();
  const server = await serve(0);
  const browser = await launch();
  mkdirSync(shots, { recursive: true });
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch(page, problems);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
    // The case board keeps to the citizens' requests.
    const ids = (workflow) => engine.snapshot().cases.map((c) => c.id).filter((id) => engine.getCase(id).workflow === workflow);
    const requests = ids("township").length;
    assert.equal(await page.locator("#board tr[data-case]").count(), requests);

    // 发布: the posts not yet released, each in the stage the API gives, with its review clock.
    await page.click('#tabs button[data-tab="publishing"]');
    await page.waitForSelector("#publishing table.review");
    assert.equal(await page.isHidden("#board-view"), true);
    const posts = ids("publishing");
    const out = posts.filter((id) => ["published", "withdrawn"].includes(engine.getCase(id).state));
    const review = posts.filter((id) => !out.includes(id));
    assert.deepEqual(out, ["P-01", "P-02", "P-03"]);
    assert.equal(await page.locator("#publishing table.review tr[data-case]").count(), review.length);
    for (const id of review) {
      const row = page.locator(`#publishing table.review tr[data-case="${id}"]`);
      assert.equal(await row.getAttribute("data-state"), engine.getCase(id).state, id);
      const running = engine.slaStatus({ case_id: id, at: week.now }).clocks.filter((k) => ["running", "paused", "breached"].includes(k.status));
      assert.equal(await row.locator(".badge").count(), running.length, id);
      for (const k of running) assert.equal(await row.locator(`.badge[data-sla="${k.sla}"]`).getAttribute("data-status"), k.status, `${id} ${k.sla}`);
    }
    // 初审 in its last quarter (the reminder fired): amber, half an hour left.
    const p05 = page.locator('#publishing tr[data-case="P-05"] .badge[data-sla="first_review"]');
    assert.equal(await p05.getAttribute("class"), "badge amber");
    assert.match(await p05.textContent(), /初审时限 剩 30分/);
    assert.equal(await page.getAttribute('#publishing tr[data-case="P-06"] .badge[data-sla="second_review"]', "class"), "badge green");
    // 终审 entered on Wednesday, due at Thursday's close: red, six and a half working hours over.
    const p07 = page.locator('#publishing tr[data-case="P-07"] .badge[data-sla="final_review"]');
    assert.equal(await p07.getAttribute("class"), "badge red");
    assert.match(await p07.textContent(), /终审时限 超时 −6时30分/);
    // Sent back at 复审, with the reviewer's reason; signed off and awaiting release.
    const returned = outbound.steps.find((s) => s.case_id === "P-04" && s.transition === "return_second");
    assert.equal(await page.getAttribute('#publishing tr[data-case="P-04"]', "data-state"), "drafting");
    const why = await page.textContent('#publishing tr[data-case="P-04"] td[data-returned="return_second"]');
    assert.ok(why.startsWith("复审退改") && why.endsWith(`：${returned.payload.reason}`), why);
    assert.match(await page.textContent('#publishing tr[data-case="P-08"]'), /审核通过待发布.*终审签发，待发布/);

    // The releases, each with the channels its release named, each delivered (acknowledged).
    for (const id of out) {
      const release = outbound.steps.find((s) => s.case_id === id && s.transition === "release");
      const row = page.locator(`#publishing table.released tr[data-case="${id}"]`);
      assert.equal(await row.getAttribute("data-channels"), release.payload.channels.join(" "), id);
      const chips = row.locator("[data-channel]");
      assert.deepEqual(await chips.evaluateAll((els) => els.map((e) => e.dataset.channel)), release.payload.channels);
      assert.deepEqual(await chips.evaluateAll((els) => [...new Set(els.map((e) => e.dataset.delivery))]), ["delivered"]);
    }
    assert.match(await page.textContent('#publishing tr[data-case="P-02"] .channels'), /微信 ✓微博 ✓网站 ✓移动端 ✓/);
    // The repost with its source.
    assert.match(await page.textContent('#publishing tr[data-case="P-03"]'), /转载.*稿源：青山区医疗保障局官网/);
    await page.screenshot({ path: join(shots, "publishing.png"), fullPage: true });

    // 账号健康: time since each account's last post, coloured against two weeks (336 h) and the
    // 72-hour warning.
    await page.click('#tabs button[data-tab="accounts"]');
    await page.waitForSelector("#accounts table.accounts");
    const seeded = seededAccounts(outbound);
    assert.equal(await page.locator("#accounts tr[data-account]").count(), seeded.size);
    const health = async (name) => page.getAttribute(`#accounts tr[data-account="${name}"]`, "data-health");
    assert.deepEqual(
      { 青山发布: await health("青山发布"), 青山镇政务: await health("青山镇政务"), 青山民生服务: await health("青山民生服务"), 青山生态环境: await health("青山生态环境") },
      { 青山发布: "green", 青山镇政务: "green", 青山民生服务: "amber", 青山生态环境: "red" },
    );
    for (const [name, a] of seeded) {
      const row = page.locator(`#accounts tr[data-account="${name}"]`);
      assert.equal(await row.locator("td.last-post").getAttribute("data-at"), String(a.last), name);
      assert.equal(await row.getAttribute("data-elapsed"), String(week.now - a.last), name);
      const elapsed = week.now - a.last;
      const colour = elapsed >= 336 * HOUR ? "red" : elapsed >= (336 - 72) * HOUR ? "amber" : "green";
      assert.equal(await row.getAttribute("data-health"), colour, name);
      assert.equal(await row.locator(`.badge.${colour}[data-since]`).count(), 1, name);
    }
    assert.match(await page.textContent('#accounts tr[data-account="青山民生服务"] .badge[data-since]'), /12天21时未更新 · 剩 1天3时/);
    assert.match(await page.textContent('#accounts tr[data-account="青山生态环境"] .badge[data-since]'), /21天6时未更新 · 超两周 7天6时/);

    // 原创率 and 政务指数 of each quarter: the seed's posts counted, and what `metrics` gives.
    for (const quarter of ["2026Q1", "2025Q4"]) {
      const query = await page.evaluate(([from, to]) => window.civicflowDemo.accountsQuery(from, to), period(quarter));
      const rows = engine.metrics(query).rows;
      for (const [name, a] of seeded) {
        const cell = (measure) => page.locator(`#accounts tr[data-account="${name}"] td[data-quarter="${quarter}"][data-measure="${measure}"]`);
        const payloads = a.quarters[quarter] ?? [];
        assert.equal(await cell("posts").textContent(), String(payloads.length), `${name} ${quarter}`);
        const row = rows.find((r) => r.group === name);
        if (payloads.length === 0) {
          assert.equal(await cell("original_rate").textContent(), "—");
          assert.equal(await cell("government_index").textContent(), "—");
          continue;
        }
        const original = payloads.filter((p) => p.original === true).length / payloads.length;
        const government = payloads.filter((p) => p.kind === "government").length / payloads.length;
        assert.equal(await cell("original_rate").textContent(), percent(original), `${name} ${quarter} 原创率`);
        assert.equal(await cell("government_index").textContent(), percent(government), `${name} ${quarter} 政务指数`);
        assert.equal(await cell("original_rate").getAttribute("data-value"), String(row.shares["post/original=true"] ?? 0));
        assert.equal(await cell("government_index").getAttribute("data-value"), String(row.shares["post/kind=government"] ?? 0));
      }
    }
    // The seed's figures, as the issue states them: 青山发布 this quarter 60 % original, 40 % 政务.
    assert.equal(await page.textContent('#accounts tr[data-account="青山发布"] td[data-quarter="2026Q1"][data-measure="original_rate"]'), "60.0%");
    assert.equal(await page.textContent('#accounts tr[data-account="青山发布"] td[data-quarter="2026Q1"][data-measure="government_index"]'), "40.0%");
    await page.screenshot({ path: join(shots, "accounts.png"), fullPage: true });

    // Three days on (Monday 17:00): 青山民生服务 is past two weeks, and the quarter's clock of
    // 青山生态环境 (no post since the quarter opened) has fired its 72-hour warning.
    await page.click('button[data-advance="+3天"]');
    await page.waitForSelector('#accounts tr[data-account="青山民生服务"][data-health="red"]');
    assert.equal(await health("青山发布"), "green");
    const clock = page.locator('#accounts tr[data-account="青山生态环境"] .badge[data-sla="update"]');
    assert.equal(await clock.getAttribute("class"), "badge amber");
    engine.fireDue(week.now + 72 * HOUR);
    const status = engine.slaStatus({ case_id: await page.getAttribute('#accounts tr[data-account="青山生态环境"]', "data-case"), at: week.now + 72 * HOUR });
    assert.deepEqual(status.clocks.find((k) => k.sla === "update").warnings_fired, ["reminder"]);
    await page.screenshot({ path: join(shots, "accounts-later.png"), fullPage: true });
    // And on the 发布 board, 初审 of P-05 ran out on Friday at 17:30.
    await page.click('#tabs button[data-tab="publishing"]');
    await page.waitForSelector('#publishing tr[data-case="P-05"] .badge.red[data-sla="first_review"]');
  } finally {
    await browser.close();
    server.close();
    engine.free();
  }
  assert.deepEqual(problems, []);
});
