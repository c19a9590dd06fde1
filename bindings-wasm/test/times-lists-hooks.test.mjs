// What the JS layer adds to the JSON API and nothing else: instants as Dates or milliseconds
// under one name (`at`), `listCases` and `nextDue`, and `onChange` with each write set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, CivicflowError } from "../pkg/node.mjs";
import { root } from "./helpers.js";

const read = (p) => JSON.parse(readFileSync(join(root, p), "utf8"));
const hotline = read("templates/hotline-12345.json");
const calendar = read("calendars/cn-mainland.json");
const operator = Object.freeze({ id: "op-1", roles: Object.freeze(["operator"]) });
const fields = { summary: "路灯不亮", category: "municipal", citizen_name: "张三", citizen_phone: "13812345678", address: "幸福路 12 号" };
const opened = new Date("2026-09-30T08:00:05.000Z");

function engine() {
  const e = new Engine();
  e.loadCalendar(calendar);
  e.loadWorkflow(hotline);
  return e;
}

function open(e, id, at = opened, channel = "wechat") {
  return e.openCase({ case_id: id, workflow: "hotline-12345", channel, actor: operator, fields, at });
}

test("a Date and its milliseconds give the same answers, for every kind of time argument", () => {
  const byDate = engine();
  const byMs = engine();
  const ms = opened.getTime();
  assert.deepEqual(open(byDate, "WO-1"), open(byMs, "WO-1", ms));
  const later = new Date(ms + 3_600_000);
  assert.deepEqual(
    byDate.apply({ case_id: "WO-1", transition: "accept", actor: operator, at: later }),
    byMs.apply({ case_id: "WO-1", transition: "accept", actor: operator, at: later.getTime() }),
  );
  const week = new Date(ms + 7 * 86_400_000);
  assert.deepEqual(byDate.slaStatus({ case_id: "WO-1", at: week }), byMs.slaStatus({ case_id: "WO-1", at: week.getTime() }));
  assert.deepEqual(byDate.due(week), byMs.due(week.getTime()));
  assert.deepEqual(byDate.metrics({ at: week, from: opened }), byMs.metrics({ at: week.getTime(), from: ms }));
  assert.deepEqual(
    byDate.calendarBetween({ calendar: "cn-mainland", from: opened, to: week }),
    byMs.calendarBetween({ calendar: "cn-mainland", from: ms, to: week.getTime() }),
  );
  assert.deepEqual(byDate.fireDue(week), byMs.fireDue(week.getTime()));
  assert.deepEqual(byDate.drainOutbox({ at: week }), byMs.drainOutbox({ at: week.getTime() }));
  assert.equal(byDate.open("WO-2", "hotline-12345", "web", operator, later, fields), "registered");
  assert.equal(byDate.send("WO-2", "accept", operator, week), "accepted");
  assert.deepEqual(byDate.listCases({ opened_from: later }).cases.map((c) => c.id), ["WO-2"]);
});

test("the methods say `at` where the JSON API says `now`, and call() keeps the JSON names", () => {
  const e = engine();
  open(e, "WO-1");
  const at = opened.getTime() + 86_400_000;
  const viaMethod = e.slaStatus({ case_id: "WO-1", at });
  assert.equal(viaMethod.now, at);
  assert.deepEqual(e.call({ op: "sla_status", case_id: "WO-1", now: at }), { ok: true, result: viaMethod });
});

test("an Invalid Date is refused with its name, and nothing changes", () => {
  const e = engine();
  for (const call of [
    () => open(e, "WO-1", new Date("not a date")),
    () => e.due(new Date(Number.NaN)),
    () => e.slaStatus({ case_id: "WO-1", at: new Date("") }),
    () => e.send("WO-1", "accept", operator, new Date("x")),
  ]) {
    assert.throws(call, (err) => err instanceof CivicflowError && err.code === "request.invalid" && err.path === "/at");
  }
  assert.throws(() => e.listCases({ opened_from: new Date("?") }), (err) => err.path === "/opened_from");
  assert.equal(e.listCases().total, 0);
});

test("listCases filters and pages; nextDue is the earliest pending timer", () => {
  const e = engine();
  assert.equal(e.nextDue(), undefined);
  for (let i = 0; i < 5; i++) open(e, `WO-${i}`, opened.getTime() + i * 60_000, i % 2 ? "hotline" : "wechat");
  e.apply({ case_id: "WO-1", transition: "accept", actor: operator, at: opened.getTime() + 3_600_000 });
  const first = e.listCases({ limit: 2 });
  assert.deepEqual(first.cases.map((c) => c.id), ["WO-4", "WO-3"]);
  assert.equal(first.total, 5);
  const rest = e.listCases({ limit: 10, after: first.next });
  assert.deepEqual(rest.cases.map((c) => c.id), ["WO-2", "WO-1", "WO-0"]);
  assert.equal(rest.next, undefined);
  assert.deepEqual(e.listCases({ channel: "hotline" }).cases.map((c) => c.id), ["WO-3", "WO-1"]);
  assert.deepEqual(e.listCases({ state: "accepted" }).cases.map((c) => c.id), ["WO-1"]);
  const next = e.nextDue();
  assert.deepEqual(next, e.due(Number.MAX_SAFE_INTEGER, 1).timers[0]);
  assert.equal(next.case_id, "WO-0");
  assert.throws(() => e.listCases({ overdue: true }), (err) => err.code === "request.invalid" && err.path === "/at");
});

test("onChange sees every command's write set, the lean calls included, until removed", () => {
  const e = engine();
  const seen = [];
  const stop = e.onChange((change) => seen.push([change.op, change.writes.map((w) => `${w.case_id}@${w.row.version}`)]));
  open(e, "WO-1");
  e.apply({ case_id: "WO-1", transition: "accept", actor: operator, at: opened.getTime() + 1000 });
  e.open("WO-2", "hotline-12345", "web", operator, opened.getTime() + 2000, fields);
  e.send("WO-2", "accept", operator, opened.getTime() + 3000);
  e.call({ op: "get_case", case_id: "WO-1" }); // a read: no change
  e.callJson(JSON.stringify({ op: "apply", case_id: "WO-2", transition: "withdraw", actor: operator, at: opened.getTime() + 4000, payload: { withdraw_reason: "已解决" } }));
  open(e, "WO-3"); // registered: its response clock runs
  e.fireDue(opened.getTime() + 30 * 86_400_000);
  assert.throws(() => e.apply({ case_id: "WO-1", transition: "nope", actor: operator, at: 1 }), CivicflowError);
  assert.deepEqual(seen.slice(0, 5), [
    ["open_case", ["WO-1@1"]],
    ["apply", ["WO-1@2"]],
    ["open_case", ["WO-2@1"]],
    ["apply", ["WO-2@2"]],
    ["apply", ["WO-2@3"]],
  ]);
  assert.deepEqual(seen[5], ["open_case", ["WO-3@1"]]);
  assert.equal(seen[6][0], "fire_due");
  assert.equal(seen.length, 7);
  stop();
  e.apply({ case_id: "WO-1", transition: "withdraw", actor: operator, at: opened.getTime() + 31 * 86_400_000, payload: { withdraw_reason: "x" } });
  assert.equal(seen.length, 7);
});

test("a listener that throws does not undo the change; the other listeners still run", () => {
  const e = engine();
  const seen = [];
  e.onChange(() => {
    throw new Error("listener failed");
  });
  e.onChange((c) => seen.push(c.op));
  assert.throws(() => open(e, "WO-1"), /listener failed/);
  assert.deepEqual(seen, ["open_case"]);
  assert.equal(e.getCase("WO-1").state, "registered");
});
