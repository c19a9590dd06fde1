// The lean calls `open` and `send`: the same commands as `openCase` and `apply`, answered by
// the new state only. Each answer and each refusal must be what the full call gives, and a
// refused command must leave the case as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, CivicflowError } from "../pkg/node.mjs";
import { root } from "./helpers.js";

const petition = JSON.parse(readFileSync(join(root, "bench", "workload", "petition.json"), "utf8"));
const township = JSON.parse(readFileSync(join(root, "templates", "hotline-12345.json"), "utf8"));
const calendar = JSON.parse(readFileSync(join(root, "calendars", "cn-mainland.json"), "utf8"));
const clerk = { id: "u-1", roles: ["clerk"] };
const boss = { id: "u-2", roles: ["supervisor"] };
const T = Date.UTC(2026, 0, 5);

function engine() {
  const e = new Engine();
  e.loadWorkflow(petition);
  return e;
}

function refusal(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CivicflowError);
    return { code: e.code, message: e.message, path: e.path, errors: e.errors };
  }
  assert.fail("expected a CivicflowError");
}

test("open and send answer the new state and record what openCase and apply record", () => {
  const lean = engine();
  const full = engine();
  assert.equal(lean.open("c-1", "petition", "web", clerk, T), "received");
  full.openCase({ case_id: "c-1", workflow: "petition", channel: "web", actor: clerk, at: T });
  assert.equal(lean.send("c-1", "ACCEPT", clerk, T + 1), "accepted");
  full.apply({ case_id: "c-1", transition: "ACCEPT", actor: clerk, at: T + 1 });
  assert.equal(lean.send("c-1", "ESCALATE", boss, T + 2), "escalated");
  full.apply({ case_id: "c-1", transition: "ESCALATE", actor: boss, at: T + 2 });
  assert.deepEqual(lean.history("c-1"), full.history("c-1"));
  assert.deepEqual(lean.getCase("c-1"), full.getCase("c-1"));
});

test("a refused send throws what apply throws and changes nothing", () => {
  const lean = engine();
  const full = engine();
  for (const e of [lean, full]) e.open("c-1", "petition", "web", clerk, T);
  const before = lean.history("c-1");
  const officer = { id: "u-3", roles: ["officer"] };
  const cases = [
    ["c-1", "ACCEPT", officer, T + 1], // wrong role
    ["c-2", "ACCEPT", clerk, T + 1], // no such case
    ["c-1", "NOPE", clerk, T + 1], // no such transition
    ["c-1", "ASSIGN", boss, T + 1], // not from this state
    ["c-1", "ACCEPT", clerk, T - 1], // time went backwards
    ["c-1", "ACCEPT", clerk, 1.5], // not whole milliseconds
    ["c-1", "ACCEPT", { id: "", roles: ["clerk"] }, T + 1], // empty actor id
  ];
  for (const [id, t, actor, at] of cases) {
    const lean1 = refusal(() => lean.send(id, t, actor, at));
    const full1 = refusal(() => full.apply({ case_id: id, transition: t, actor, at }));
    assert.deepEqual(lean1, full1, `${t} by ${actor.id} at ${at}`);
  }
  assert.deepEqual(lean.history("c-1"), before);
  const openTwice = refusal(() => lean.open("c-1", "petition", "web", clerk, T));
  assert.equal(openTwice.code, "case.already_exists");
  assert.equal(refusal(() => lean.open("c-9", "nope", "web", clerk, T)).code, "workflow.not_found");
  assert.deepEqual(lean.history("c-1"), before);
});

test("roles are passed one by one: a role holding a NUL is not split into two", () => {
  const e = engine();
  e.open("c-1", "petition", "web", clerk, T);
  const sneaky = { id: "u-9", roles: ["officer\u0000clerk"] };
  assert.equal(refusal(() => e.send("c-1", "ACCEPT", sneaky, T + 1)).code, "case.role_not_allowed");
  const both = { id: "u-9", roles: ["officer", "clerk"] };
  assert.equal(e.send("c-1", "ACCEPT", both, T + 1), "accepted");
});

test("ids holding a NUL go through the JSON path and are refused as apply refuses them", () => {
  const lean = engine();
  const full = engine();
  for (const e of [lean, full]) e.open("c-1", "petition", "web", clerk, T);
  const cases = [
    ["c-1\u0000ACCEPT", "ACCEPT", clerk],
    ["c-1", "ACCEPT\u0000", clerk],
    ["c-1", "ACCEPT", { id: "u-1\u0000clerk", roles: ["clerk"] }],
  ];
  for (const [id, t, actor] of cases) {
    assert.deepEqual(
      refusal(() => lean.send(id, t, actor, T + 1)),
      refusal(() => full.apply({ case_id: id, transition: t, actor, at: T + 1 })),
    );
  }
  const channel = refusal(() => lean.open("c-2", "petition", "we\u0000b", clerk, T));
  assert.equal(channel.code, "case.invalid_channel");
  assert.equal(lean.history("c-1").events.length, 1);
});

test("a frozen actor is read once; an actor with getters is read on every call", () => {
  const e = engine();
  const frozen = Object.freeze({ id: "u-1", roles: Object.freeze(["clerk"]) });
  e.open("c-1", "petition", "web", frozen, T);
  e.open("c-2", "petition", "web", frozen, T);
  assert.equal(e.send("c-1", "ACCEPT", frozen, T + 1), "accepted");
  assert.equal(e.history("c-1").events[1].actor.id, "u-1");
  // Frozen, but its id is a getter: never remembered, so each call sees the current value.
  let n = 0;
  const shifty = Object.freeze({
    get id() {
      n += 1;
      return `u-shifty-${n}`;
    },
    roles: Object.freeze(["clerk", "supervisor"]),
  });
  assert.equal(e.send("c-2", "ACCEPT", shifty, T + 1), "accepted");
  assert.equal(e.send("c-2", "ASSIGN", shifty, T + 2), "assigned");
  const ids = e.history("c-2").events.map((ev) => ev.actor.id);
  assert.deepEqual(ids.slice(1), ["u-shifty-1", "u-shifty-2"]);
  // Frozen roles array, unfrozen actor: read every time too.
  const loose = { id: "u-5", roles: Object.freeze(["clerk"]) };
  e.open("c-3", "petition", "web", loose, T);
  loose.id = "u-6";
  assert.equal(e.send("c-3", "ACCEPT", loose, T + 1), "accepted");
  assert.deepEqual(e.history("c-3").events.map((ev) => ev.actor.id), ["u-5", "u-6"]);
});

test("after a first success, a frozen actor and a transition go by number: same records, same refusals", () => {
  const lean = engine();
  const full = engine();
  const fclerk = Object.freeze({ id: "u-1", roles: Object.freeze(["clerk"]) });
  const fboss = Object.freeze({ id: "u-2", roles: Object.freeze(["supervisor"]) });
  for (let i = 1; i <= 3; i++) {
    const id = `c-${i}`;
    lean.open(id, "petition", "web", fclerk, T);
    full.openCase({ case_id: id, workflow: "petition", channel: "web", actor: fclerk, at: T });
    // c-1 registers ACCEPT and the clerk; c-2 and c-3 use the numbers.
    assert.equal(lean.send(id, "ACCEPT", fclerk, T + 1), "accepted");
    full.apply({ case_id: id, transition: "ACCEPT", actor: fclerk, at: T + 1 });
    assert.equal(lean.send(id, "ESCALATE", fboss, T + 2), "escalated");
    full.apply({ case_id: id, transition: "ESCALATE", actor: fboss, at: T + 2 });
    assert.deepEqual(lean.history(id), full.history(id));
  }
  const before = lean.history("c-3");
  for (const [id, t, actor, at] of [
    ["c-3", "ACCEPT", fclerk, T + 3], // not from this state
    ["c-9", "ACCEPT", fclerk, T + 3], // no such case
    ["c-3", "ESCALATE", fboss, T + 1], // time went backwards
  ]) {
    assert.deepEqual(
      refusal(() => lean.send(id, t, actor, at)),
      refusal(() => full.apply({ case_id: id, transition: t, actor, at })),
    );
  }
  assert.deepEqual(lean.history("c-3"), before);
});

test("payloads and fields go through the same checks", () => {
  const e = new Engine();
  e.loadCalendar(calendar);
  e.loadWorkflow(township);
  const op = { id: "op-1", roles: ["operator"] };
  const fields = { summary: "路灯不亮", category: "municipal", citizen_name: "张三", citizen_phone: "13812345678" };
  assert.equal(e.open("WO-1", "hotline-12345", "wechat", op, T, fields), "registered");
  assert.deepEqual(e.getCase("WO-1").fields.summary, "路灯不亮");
  const bad = refusal(() => e.open("WO-2", "hotline-12345", "wechat", op, T, { summary: 5 }));
  const full = refusal(() =>
    e.openCase({ case_id: "WO-2", workflow: "hotline-12345", channel: "wechat", actor: op, at: T, fields: { summary: 5 } }),
  );
  assert.deepEqual(bad, full);
  assert.equal(e.send("WO-1", "accept", op, T + 1, { region: "幸福街道", urgency: "normal" }), "accepted");
  assert.equal(e.history("WO-1").events[1].payload.region, "幸福街道");
});

test("restoreCase brings a persisted case back live, hashes checked", () => {
  const a = engine();
  a.open("c-1", "petition", "web", clerk, T);
  a.send("c-1", "ACCEPT", clerk, T + 1);
  const stored = JSON.parse(JSON.stringify(a.history("c-1")));
  const b = engine();
  assert.equal(b.restoreCase(stored.events).case.state, "accepted");
  assert.equal(b.send("c-1", "ASSIGN", boss, T + 2), "assigned");
  a.send("c-1", "ASSIGN", boss, T + 2);
  assert.deepEqual(b.history("c-1"), a.history("c-1"));
  const tampered = JSON.parse(JSON.stringify(stored.events));
  tampered[1].actor.id = "someone-else";
  const c = engine();
  assert.equal(refusal(() => c.restoreCase(tampered)).code, "history.hash_mismatch");
  assert.equal(refusal(() => c.getCase("c-1")).code, "case.not_found");
  assert.equal(refusal(() => b.restoreCase(stored.events)).code, "history.rejected");
});

test("a channel near the size limit sends open through the JSON path, refused as openCase is", () => {
  const e = engine();
  e.maxRequestBytes = 600;
  const channel = "w".repeat(560);
  const lean = refusal(() => e.open("c-1", "petition", channel, clerk, T));
  const full = refusal(() => e.openCase({ case_id: "c-1", workflow: "petition", channel, actor: clerk, at: T }));
  assert.equal(lean.code, "request.too_large");
  assert.deepEqual(lean, full);
  assert.equal(refusal(() => e.getCase("c-1")).code, "case.not_found");
});
