// The conformance suite of tests/scenarios/ through the npm package, unchanged: same requests,
// same answers as the Rust core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../pkg/node.mjs";
import { runScenario } from "./conformance.js";
import { scenarios } from "./helpers.js";

const all = scenarios();
let steps = 0;

for (const { name, scenario, files } of all) {
  test(`scenario ${name}`, () => {
    const result = runScenario(Engine, scenario, files);
    steps += result.steps;
    assert.deepEqual(result.failures, []);
  });
}

test("every scenario ran", () => {
  assert.ok(all.length >= 40, `found ${all.length} scenarios`);
  assert.ok(steps >= 296, `ran ${steps} steps`);
});
