// Bad input from JavaScript: each throws a CivicflowError with the core's code, and leaves the
// engine exactly as it was. No crash, no leak.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, CivicflowError, memoryBytes, version } from "../pkg/node.mjs";
import { root } from "./helpers.js";

const permit = JSON.parse(readFileSync(join(root, "tests/workflows/permit.json"), "utf8"));
const clerk = { id: "u-1", roles: ["clerk"] };
const fields = { applicant: "张三", kind: "repair" };

function engineWithCase() {
  const engine = new Engine();
  engine.loadWorkflow(permit);
  engine.openCase({ case_id: "c-1", workflow: "permit", channel: "web", fields, actor: clerk, at: 1000 });
  return engine;
}

function throwsCode(fn, code, path) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CivicflowError, `expected a CivicflowError, got ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "CivicflowError");
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.errors.length >= 1);
  assert.equal(caught.errors[0].code, code);
  assert.equal(caught.message, caught.errors[0].message);
  if (path !== undefined) assert.equal(caught.path, path);
  assert.match(caught.stack, /CivicflowError/);
  return caught;
}

const cases = [
  ["getCase(undefined)", (e) => e.getCase(undefined), "request.invalid", ""],
  ["getCase(42)", (e) => e.getCase(42), "request.invalid", "/case_id"],
  ["getCase(unknown id)", (e) => e.getCase("nope"), "case.not_found"],
  ["openCase(undefined)", (e) => e.openCase(undefined), "request.invalid", ""],
  ["openCase(a string)", (e) => e.openCase("c-2"), "request.invalid", ""],
  ["openCase({}) (missing fields)", (e) => e.openCase({}), "request.invalid", ""],
  ["openCase with an unknown key", (e) => e.openCase({ case_id: "c-2", workflow: "permit", channel: "web", fields, actor: clerk, at: 2000, colour: "red" }), "request.invalid", "/colour"],
  ["apply(undefined)", (e) => e.apply(undefined), "request.invalid", ""],
  ["apply with at as a string", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5 }, at: "soon" }), "request.invalid", "/at"],
  ["apply with a fractional at", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5 }, at: 1.5 }), "request.invalid", "/at"],
  ["apply with NaN at", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5 }, at: NaN }), "request.invalid", "/at"],
  ["apply with roles not a list", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: { id: "u-1", roles: "clerk" }, at: 2000 }), "request.invalid", "/actor/roles"],
  ["apply with a null payload", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: null, at: 2000 }), "request.invalid", "/payload"],
  ["apply with a BigInt in the payload", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5n }, at: 2000 }), "request.invalid", ""],
  ["apply with a cycle in the payload", (e) => { const p = { amount: 5 }; p.self = p; return e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: p, at: 2000 }); }, "request.invalid", ""],
  ["apply a forbidden role", (e) => e.apply({ case_id: "c-1", transition: "cancel", actor: clerk, at: 2000 }), "case.role_not_allowed"],
  ["apply without a required payload field", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, at: 2000 }), "case.missing_payload"],
  ["apply going back in time", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5 }, at: 10 }), "case.time_went_backwards"],
  ["loadWorkflow(undefined)", (e) => e.loadWorkflow(undefined), "request.invalid", ""],
  ["loadWorkflow(a number)", (e) => e.loadWorkflow(7), "definition.invalid", "/definition"],
  ["restore(garbage)", (e) => e.restore({ format: 1 }), "request.invalid"],
  ["replay([])", (e) => e.replay([]), "history.empty"],
  ["due(undefined)", (e) => e.due(undefined), "request.invalid", ""],
  ["due(now, -1)", (e) => e.due(0, -1), "request.invalid", "/limit"],
  ["fireDue('x')", (e) => e.fireDue("x"), "request.invalid", "/now"],
  ["a 20 MB case id", (e) => e.getCase("x".repeat(20 * 1024 * 1024)), "request.too_large"],
  ["a 20 MB payload string", (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { note: "y".repeat(20 * 1024 * 1024) }, at: 2000 }), "request.too_large"],
  ["maxRequestBytes = 0", (e) => { e.maxRequestBytes = 0; }, "request.invalid", "/max_request_bytes"],
  ["maxRequestBytes = 1.5", (e) => { e.maxRequestBytes = 1.5; }, "request.invalid", "/max_request_bytes"],
];

for (const [name, fn, code, path] of cases) {
  test(`bad input: ${name} throws ${code} and changes nothing`, () => {
    const engine = engineWithCase();
    try {
      const before = engine.snapshot();
      const limit = engine.maxRequestBytes;
      throwsCode(() => fn(engine), code, path);
      assert.deepEqual(engine.snapshot(), before);
      assert.equal(engine.maxRequestBytes, limit);
    } finally {
      engine.free();
    }
  });
}

test("call() answers refusals instead of throwing; callJson() passes text through", () => {
  const engine = engineWithCase();
  try {
    const a = engine.call({ op: "get_case", case_id: "nope" });
    assert.equal(a.ok, false);
    assert.equal(a.errors[0].code, "case.not_found");
    assert.equal(engine.call(undefined).errors[0].code, "request.invalid");
    assert.equal(JSON.parse(engine.callJson("{not json")).errors[0].code, "request.invalid_json");
    assert.equal(JSON.parse(engine.callJson(42)).errors[0].code, "request.invalid");
    const ok = engine.call({ op: "get_case", case_id: "c-1" });
    assert.equal(ok.ok, true);
    assert.equal(ok.result.state, "draft");
  } finally {
    engine.free();
  }
});

test("a freed engine throws engine.freed from every method, and free() is idempotent", () => {
  const engine = engineWithCase();
  engine.free();
  engine.free();
  assert.equal(engine.freed, true);
  const calls = [
    (e) => e.getCase("c-1"), (e) => e.apply({ case_id: "c-1", transition: "submit", actor: clerk, payload: { amount: 5 }, at: 2000 }),
    (e) => e.due(0), (e) => e.fireDue(0), (e) => e.snapshot(), (e) => e.call({ op: "snapshot" }),
    (e) => e.callJson("{}"), (e) => e.loadWorkflow(permit), (e) => { e.maxRequestBytes = 10; },
  ];
  for (const call of calls) throwsCode(() => call(engine), "engine.freed");
});

test("Symbol.dispose frees the engine", () => {
  const engine = new Engine();
  engine[Symbol.dispose]();
  assert.equal(engine.freed, true);
  throwsCode(() => engine.listWorkflows(), "engine.freed");
});

test("the fast apply and the JSON apply give the same answer", () => {
  const a = engineWithCase();
  const b = engineWithCase();
  try {
    const req = { case_id: "c-1", transition: "submit", actor: { id: "u-1", roles: ["clerk"], unit: "district-1" }, payload: { amount: 5 }, at: 2000 };
    assert.deepEqual(a.apply(req), b.call({ op: "apply", ...req }).result);
    assert.deepEqual(a.snapshot(), b.snapshot());
  } finally {
    a.free();
    b.free();
  }
});

test("the fast paths refuse what the JSON path refuses", () => {
  const req = () => ({ case_id: "c-1", transition: "submit", actor: { id: "u-1", roles: ["clerk"] }, payload: { amount: 5 }, at: 2000 });
  const variants = [
    ["a small limit", (e) => { e.maxRequestBytes = 60; return req(); }],
    ["an inherited request", () => Object.create(req())],
    ["a lone surrogate in the actor id", () => ({ ...req(), actor: { id: "u-1\uD800", roles: ["clerk"] } })],
    ["a lone surrogate in the payload", () => ({ ...req(), payload: { note: "x\uDC00" } })],
    ["a sparse roles array", () => ({ ...req(), actor: { id: "u-1", roles: [, "clerk"] } })],
  ];
  for (const [name, make] of variants) {
    const a = engineWithCase();
    const b = engineWithCase();
    try {
      const ra = make(a);
      const rb = make(b);
      const viaJson = b.call({ ...rb, op: "apply" }); // op last, as the methods send it
      let viaFast;
      try { viaFast = { ok: true, result: a.apply(ra) }; } catch (e) {
        assert.ok(e instanceof CivicflowError, `${name}: ${e}`);
        viaFast = { ok: false, errors: e.errors };
      }
      assert.deepEqual(viaFast, viaJson, name);
      assert.deepEqual(a.snapshot(), b.snapshot(), name);
    } finally {
      a.free();
      b.free();
    }
  }
  const e = engineWithCase();
  try {
    e.maxRequestBytes = 10;
    throwsCode(() => e.fireDue(0), "request.too_large");
    throwsCode(() => e.due(0), "request.too_large");
    throwsCode(() => { e.maxRequestBytes = 10n; }, "request.invalid");
    throwsCode(() => { e.maxRequestBytes = 2 ** 40; }, "request.invalid");
    assert.equal(e.maxRequestBytes, 10);
  } finally {
    e.free();
  }
});

test("no leak: engines and refusals leave WebAssembly memory flat", () => {
  const run = () => {
    for (let i = 0; i < 200; i++) {
      const engine = engineWithCase();
      for (let j = 0; j < 10; j++) {
        try { engine.getCase(`missing-${j}`); } catch { /* expected */ }
        try { engine.apply({ case_id: "c-1", transition: "cancel", actor: clerk, at: 2000 }); } catch { /* expected */ }
      }
      engine.free();
    }
  };
  run();
  const after1 = memoryBytes();
  run();
  run();
  assert.equal(memoryBytes(), after1);
});

test("version is the crate's", () => {
  const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
  assert.equal(version(), /^version = "(.*)"$/m.exec(cargo)[1]);
});
