// The demo in a real browser: Debian's Chromium, driven by playwright-core, opens the built
// page (dist/, served on 127.0.0.1), opens a case, takes a transition, moves the clock until a
// badge turns red and a supervision climbs the tree, supervises a case and answers it, checks that the page's engine holds what
// the same commands give through the package in Node, and that the dashboard shows what the
// API computes. Any console error fails the test.
// Screenshots go to examples/web/test-results/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, watch } from "./chromium.mjs";
import { reference as seeded, shots } from "./seed.mjs";
import { serve } from "../serve.mjs";


test("the township desk works in Chromium", async () => {
  const { engine: reference, week } = seeded();
  const cases = reference.snapshot().cases.map((c) => c.id).filter((id) => reference.getCase(id).workflow === "township");
  const server = await serve(0);
  const browser = await launch();
  mkdirSync(shots, { recursive: true });
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    watch(page, problems);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector("body[data-ready]", { timeout: 30_000 });

    // The board: a row per request of the week, in the states the API gives.
    const rows = page.locator("#board tr[data-case]");
    assert.equal(await rows.count(), cases.length);
    for (const id of cases) {
      assert.equal(await page.getAttribute(`#board tr[data-case="${id}"]`, "data-state"), reference.getCase(id).state, id);
    }
    assert.equal(await page.getAttribute("#now", "data-now"), String(week.now));
    const w08 = page.locator('#board tr[data-case="W-08"] .badge[data-sla="sign_or_return"]');
    assert.equal(await w08.getAttribute("class"), "badge green");
    assert.equal(await page.locator('#board tr[data-case="W-02"] .badge[data-sla="handling"]').getAttribute("class"), "badge amber");
    // W-07 was accepted eleven hours late: red, and the overrun shown negative.
    const w07 = page.locator('#board tr[data-case="W-07"] .badge[data-sla="response"]');
    assert.equal(await w07.getAttribute("class"), "badge red");
    assert.match(await w07.textContent(), /超时 −11时10分/);
    await page.screenshot({ path: join(shots, "board.png") });

    // A case: the handler of its unit replies, through the payload form.
    await page.click('#board tr[data-case="W-10"]');
    await page.waitForSelector('#case [data-case="W-10"]');
    assert.equal(await page.inputValue('#case select[name="role"]'), "handler");
    assert.equal(await page.inputValue('#case select[name="unit"]'), "dongcun");
    await page.click('#case button[data-transition="reply"]');
    // Sent without the reply it requires: the engine refuses, the page says why, nothing changes.
    await page.click('#case form[data-form="答复"] button[type="submit"]');
    await page.waitForSelector("#toast.error");
    assert.match(await page.textContent("#toast"), /case\.missing_payload/);
    assert.equal(await page.getAttribute('#board tr[data-case="W-10"]', "data-state"), "handling");
    await page.click('#case button[data-transition="reply"]');
    await page.fill('#case form[data-form="答复"] textarea[name="reply_text"]', "已更换漏水管段，恢复供水");
    await page.click('#case form[data-form="答复"] button[type="submit"]');
    await page.waitForSelector('#board tr[data-case="W-10"][data-state="replied"]');
    assert.equal(await page.textContent("#case-state"), "已答复");
    assert.match(await page.textContent("#case .timeline"), /答复：办理中 → 已答复/);
    // Its effects, its public view with the citizen masked, and the graph at its state.
    assert.ok((await page.locator("#case [data-effect]").count()) > 0);
    const publicText = await page.textContent("#public-view");
    assert.match(publicText, /何\*/);
    assert.match(publicText, /189\*\*\*\*4444/);
    assert.doesNotMatch(publicText, /18900004444|何平/);
    await page.waitForSelector('#graph svg[data-state="replied"]', { timeout: 30_000 });
    assert.match(await page.locator("#graph svg").innerHTML(), /#ffd54f/);
    await page.screenshot({ path: join(shots, "case.png"), fullPage: true });
    // A citizen may take none of the case's transitions now.
    await page.selectOption('#case select[name="role"]', "citizen");
    assert.equal(await page.locator("#case button[data-transition]").count(), 0);

    // The clock: an hour on, W-08 was not signed in its working day and turns red.
    await page.click('button[data-advance="+1小时"]');
    await page.waitForSelector('#board tr[data-case="W-08"] .badge.red[data-sla="sign_or_return"]');
    assert.equal(await w08.getAttribute("data-status"), "breached");
    assert.match(await w08.textContent(), /超时/);
    // Three days on, W-02's handling limit is breached and supervision climbs to 青山镇.
    assert.equal(await page.getAttribute('#board tr[data-case="W-02"]', "data-supervisions"), "0");
    await page.click('button[data-advance="+3天"]');
    await page.waitForSelector('#board tr[data-case="W-02"][data-supervisions="1"]');
    assert.match(await page.textContent('#board tr[data-case="W-02"] .supervision'), /催办·青山镇人民政府/);
    await page.click('#board tr[data-case="W-02"]');
    await page.waitForSelector('#case [data-case="W-02"] li[data-event="supervision_raised"]');
    assert.match(await page.textContent('#case li[data-event="supervision_raised"]'), /超时自动/);
    await page.screenshot({ path: join(shots, "clock.png"), fullPage: true });

    // A supervisor of 青山镇 supervises W-12; the handler of 东村 answers it.
    await page.click('#board tr[data-case="W-12"]');
    await page.waitForSelector('#case [data-case="W-12"]');
    await page.selectOption('#case select[name="role"]', "supervisor");
    await page.selectOption('#case select[name="unit"]', "town");
    await page.click('#case form[data-form="supervise"] button[type="submit"]');
    await page.waitForSelector('#board tr[data-case="W-12"][data-supervisions="1"]');
    await page.selectOption('#case select[name="role"]', "handler");
    await page.selectOption('#case select[name="unit"]', "dongcun");
    await page.click('#case form[data-form="answer_supervision"] button[type="submit"]');
    await page.waitForSelector('#case li[data-event="supervision_answered"]');

    // The page's engine holds what the same commands give through the package in Node.
    const hour = 3_600_000;
    reference.apply({ case_id: "W-10", transition: "reply", at: week.now,
      actor: { id: "handler@dongcun", roles: ["handler"], unit: "dongcun" },
      payload: { reply_text: "已更换漏水管段，恢复供水" } });
    reference.fireDue(week.now + hour);
    reference.fireDue(week.now + hour + 72 * hour);
    const later = week.now + 73 * hour;
    reference.supervise({ case_id: "W-12", level: "reminder", required: "请说明办理进展", at: later,
      actor: { id: "supervisor@town", roles: ["supervisor"], unit: "town" } });
    reference.answerSupervision({ case_id: "W-12", supervision: 0, answer: "已按要求办理", at: later,
      actor: { id: "handler@dongcun", roles: ["handler"], unit: "dongcun" } });
    const state = await page.evaluate(() => ({
      snapshot: window.civicflowDemo.snapshot(),
      query: window.civicflowDemo.metricsQuery(),
    }));
    assert.deepEqual(state.snapshot, reference.snapshot());
    assert.equal(state.query.at, week.now + 73 * hour);

    // The dashboard shows what `metrics` computes.
    const metrics = reference.metrics(state.query);
    assert.ok(metrics.ranking.some((r) => r.tier), "the desk's tiers place at least one ranked unit");
    await page.click('#tabs button[data-tab="dashboard"]');
    await page.waitForSelector("#dashboard .unit");
    const shown = metrics.rows.filter((r) => r.received > 0);
    assert.equal(await page.locator("#dashboard .unit").count(), shown.length);
    for (const r of shown) {
      const unit = page.locator(`#dashboard .unit[data-unit="${r.group}"]`);
      assert.equal(await unit.getAttribute("data-received"), String(r.received));
      assert.equal(await unit.getAttribute("data-closed"), String(r.closed));
      for (const key of ["response_rate", "resolution_rate", "satisfaction_rate"]) {
        assert.equal(await unit.locator(`[data-rate="${key}"]`).getAttribute("data-value"), r[key] === undefined || r[key] === null ? "" : String(r[key]), `${r.group} ${key}`);
      }
    }
    for (const s of metrics.slas.filter((s) => s.started > 0 && shown.some((r) => r.group === s.group))) {
      const bar = page.locator(`#dashboard .unit[data-unit="${s.group}"] [data-rate="on_time:${s.sla}"]`);
      const rate = s.on_time_rate_with_open_overdue;
      assert.equal(await bar.getAttribute("data-value"), rate === undefined || rate === null ? "" : String(rate), `${s.group} ${s.sla}`);
    }
    assert.equal(await page.locator("#dashboard tr[data-rank]").count(), metrics.ranking.length);
    for (const r of metrics.ranking) {
      assert.equal(await page.getAttribute(`#dashboard tr[data-rank="${r.group}"] td[data-score]`, "data-score"), String(r.score));
      assert.equal(await page.getAttribute(`#dashboard tr[data-rank="${r.group}"] td[data-tier]`, "data-tier"), r.tier ?? "");
    }
    // The CSV download is the API's CSV.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('#dashboard a[data-csv="metrics-units.csv"]')]);
    const csv = readFileSync(await download.path(), "utf8");
    assert.equal(csv.replace(/^\ufeff/, ""), reference.metricsCsv(state.query).rows);
    await page.screenshot({ path: join(shots, "dashboard.png"), fullPage: true });
  } finally {
    await browser.close();
    server.close();
    reference.free();
  }
  assert.deepEqual(problems, []);
});
