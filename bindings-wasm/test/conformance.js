// Runs one scenario of tests/scenarios/ against the package's Engine, as the Rust and C runners
// do (tests/README.md). No Node APIs: the browser test runs it too. `files` maps each path the
// scenario names (relative to the scenario file) to its parsed JSON.

export function runScenario(Engine, scenario, files) {
  const failures = [];
  const engine = new Engine();
  let skipped = 0;
  try {
    if (scenario.limits !== undefined) {
      const answer = engine.call({ op: "set_limits", limits: scenario.limits });
      if (!answer.ok) failures.push(`setting limits: ${JSON.stringify(answer)}`);
    }
    for (const path of scenario.calendars ?? []) {
      const answer = engine.call({ op: "load_calendar", calendar: files[path] });
      if (!answer.ok) failures.push(`loading ${path}: ${JSON.stringify(answer)}`);
    }
    for (const path of scenario.load ?? []) {
      const answer = engine.call({ op: "load_workflow", definition: files[path] });
      if (!answer.ok) failures.push(`loading ${path}: ${JSON.stringify(answer)}`);
    }
    scenario.steps.forEach((step, i) => {
      // A JS string cannot hold bytes that are not UTF-8: such steps are for Rust and C.
      if (step.request_hex !== undefined) {
        skipped++;
        return;
      }
      const before = step.unchanged ? state(engine) : undefined;
      const text = requestText(step);
      const answer = text !== undefined ? JSON.parse(engine.callJson(text)) : engine.call(step.request);
      if (!deepEqual(answer, step.expect)) {
        failures.push(
          `step ${i} (${step.name}): expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(answer)}`,
        );
      }
      if (before !== undefined && !deepEqual(before, state(engine))) {
        failures.push(`step ${i} (${step.name}): changed the engine`);
      }
    });
  } finally {
    engine.free();
  }
  return { steps: scenario.steps.length - skipped, failures };
}

/** Everything a request could change: the engine's data and its limits. */
function state(engine) {
  return [engine.call({ op: "snapshot" }), engine.call({ op: "get_limits" })];
}

/** The text a `request_text` or `request_parts` step sends; undefined for `request`. */
export function requestText(step) {
  if (step.request_parts !== undefined) {
    return step.request_parts.map(([text, times]) => text.repeat(times)).join("");
  }
  return step.request_text;
}

/** Every file a scenario names, relative to the scenario. */
export function scenarioFiles(scenario) {
  return [...(scenario.calendars ?? []), ...(scenario.load ?? [])];
}

export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}
