// The conformance scenarios again, each request sent through its typed method (engine.apply,
// engine.getCase, ...) instead of call(): results must equal the expected answers' `result`,
// and a refusal must throw a CivicflowError whose `errors` are the expected answer's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, CivicflowError } from "../pkg/node.mjs";
import { deepEqual, requestText } from "./conformance.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scenarios, wasmDir } from "./helpers.js";

const without = (r, ...keys) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)));
// The methods' one name for the time a thing happens: the JSON API's `now` is `at` there.
const atNotNow = (r) => {
  const { op: _, now, ...rest } = r;
  return "now" in r ? { ...rest, at: now } : rest;
};
const only = (r, ...keys) => Object.keys(r).every((k) => k === "op" || keys.includes(k));

// op -> [keys the method passes on, call]; the whole body for methods that take it.
const methods = {
  load_workflow: [["definition"], (e, r) => e.loadWorkflow(r.definition)],
  validate_workflow: [["definition"], (e, r) => e.validateWorkflow(r.definition)],
  list_workflows: [[], (e) => e.listWorkflows()],
  open_case: [null, (e, r) => e.openCase(without(r, "op"))],
  apply: [null, (e, r) => e.apply(without(r, "op"))],
  get_case: [["case_id"], (e, r) => e.getCase(r.case_id)],
  list_cases: [null, (e, r) => e.listCases(without(r, "op"))],
  available_transitions: [null, (e, r) => e.availableTransitions(without(r, "op"))],
  history: [["case_id"], (e, r) => e.history(r.case_id)],
  replay: [["history", "store"], (e, r) => (r.store ? e.restoreCase(r.history) : e.replay(r.history))],
  verify_history: [null, (e, r) => e.verifyHistory(r.history, r.head)],
  append_events: [["case_id", "events"], (e, r) => e.appendEvents(r.case_id, r.events)],
  unload_case: [["case_id"], (e, r) => e.unloadCase(r.case_id)],
  archive_case: [["case_id", "expected_seq"], (e, r) => e.archiveCase(r.case_id, r.expected_seq)],
  shortest_path: [null, (e, r) => e.shortestPath(without(r, "op"))],
  export_graph: [null, (e, r) => e.exportGraph(without(r, "op"))],
  snapshot: [["definitions_only"], (e, r) => e.snapshot({ definitionsOnly: r.definitions_only })],
  restore: [["snapshot"], (e, r) => e.restore(r.snapshot)],
  load_calendar: [["calendar"], (e, r) => e.loadCalendar(r.calendar)],
  calendar_add: [null, (e, r) => e.calendarAdd(without(r, "op"))],
  calendar_from_notice: [null, (e, r) => e.calendarFromNotice(without(r, "op"))],
  calendar_between: [null, (e, r) => e.calendarBetween(without(r, "op"))],
  sla_status: [null, (e, r) => e.slaStatus(atNotNow(r))],
  due: [["now", "limit"], (e, r) => e.due(r.now, r.limit)],
  case_timers: [["case_id"], (e, r) => e.caseTimers(r.case_id)],
  next_due: [[], (e) => {
    const timer = e.nextDue();
    return timer === undefined ? {} : { timer };
  }],
  fire_due: [["now", "case_id", "limit"], (e, r) => e.fireDue(r.now, { caseId: r.case_id, limit: r.limit })],
  extend: [null, (e, r) => e.extend(without(r, "op"))],
  load_org: [["org"], (e, r) => e.loadOrg(r.org)],
  route: [null, (e, r) => e.route(without(r, "op"))],
  follow_primary: [null, (e, r) => e.followPrimary(without(r, "op"))],
  plan: [["request"], (e, r) => e.plan(r.request)],
  link_cases: [null, (e, r) => e.linkCases(without(r, "op"))],
  submit_opinion: [null, (e, r) => e.submitOpinion(without(r, "op"))],
  supervise: [null, (e, r) => e.supervise(without(r, "op"))],
  answer_supervision: [null, (e, r) => e.answerSupervision(without(r, "op"))],
  drain_outbox: [null, (e, r) => e.drainOutbox(atNotNow(r))],
  ack_effects: [["ids"], (e, r) => e.ackEffects(r.ids)],
  metrics: [null, (e, r) => (r.format === "csv" ? e.metricsCsv(without(atNotNow(r), "format")) : e.metrics(atNotNow(r)))],
  public_view: [["case_id"], (e, r) => e.publicView(r.case_id)],
  set_limits: [["limits"], (e, r) => e.setLimits(r.limits)],
  get_limits: [[], (e) => e.getLimits()],
  set_options: [null, (e, r) => e.setOptions(without(r, "op"))],
  get_options: [[], (e) => e.getOptions()],
};

test("every op has a method", () => {
  const types = readFileSync(join(wasmDir, "js", "types.d.ts"), "utf8");
  const request = /export type Request = (.*);/.exec(types)[1];
  const ops = [...request.matchAll(/op: "(\w+)"/g)].map((m) => m[1]).sort();
  assert.equal(ops.length, 44);
  assert.deepEqual(Object.keys(methods).sort(), ops);
  for (const name of ["loadWorkflow", "validateWorkflow", "listWorkflows", "openCase", "apply",
    "getCase", "listCases", "nextDue", "onChange", "availableTransitions", "history", "replay", "verifyHistory", "appendEvents", "unloadCase", "archiveCase", "caseTimers", "cloneDefinitions", "followPrimary", "plan",
    "shortestPath",
    "exportGraph",
    "snapshot", "restore", "loadCalendar", "calendarAdd", "calendarBetween", "slaStatus", "due",
    "fireDue", "extend", "loadOrg", "route", "linkCases", "submitOpinion", "supervise",
    "answerSupervision", "drainOutbox", "ackEffects", "metrics", "metricsCsv", "publicView",
    "setLimits", "getLimits", "setOptions", "getOptions", "call", "callJson", "free"]) {
    assert.equal(typeof Engine.prototype[name], "function", name);
  }
});

let viaMethods = 0;
for (const { name, scenario, files } of scenarios()) {
  test(`scenario ${name} through the typed methods`, () => {
    const engine = new Engine();
    try {
    if (scenario.limits !== undefined) engine.setLimits(scenario.limits);
    for (const p of scenario.calendars ?? []) engine.loadCalendar(files[p]);
    for (const p of scenario.load ?? []) engine.loadWorkflow(files[p]);
    for (const [i, step] of scenario.steps.entries()) {
      if (step.request_hex !== undefined) continue; // not expressible as a JS string
      const r = step.request;
      const entry = r !== null && typeof r === "object" ? methods[r.op] : undefined;
      let answer;
      if (requestText(step) !== undefined) {
        answer = JSON.parse(engine.callJson(requestText(step)));
      } else if (entry === undefined || (entry[0] !== null && !only(r, ...entry[0]))) {
        answer = engine.call(r); // a shape the method cannot express (extra keys, no op)
      } else {
        viaMethods++;
        try {
          answer = { ok: true, result: entry[1](engine, r) };
        } catch (e) {
          assert.ok(e instanceof CivicflowError, `step ${i} threw ${e}`);
          assert.ok(e instanceof Error);
          assert.equal(e.code, e.errors[0].code);
          assert.equal(e.message, e.errors[0].message);
          assert.equal(e.path, e.errors[0].path);
          answer = { ok: false, errors: e.errors };
        }
      }
      assert.ok(
        deepEqual(answer, step.expect),
        `step ${i} (${step.name}): expected ${JSON.stringify(step.expect)}\n got ${JSON.stringify(answer)}`,
      );
    }
    } finally {
      engine.free();
    }
  });
}

test("most steps went through a typed method", () => {
  assert.ok(viaMethods >= 200, `only ${viaMethods}`);
});
