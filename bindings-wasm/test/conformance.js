// Runs one scenario of tests/scenarios/ against the package's Engine, as the Rust and C runners
// do (tests/README.md). No Node APIs: the browser test runs it too. `files` maps each path the
// scenario names (relative to the scenario file) to its parsed JSON.

export function runScenario(Engine, scenario, files) {
  const failures = [];
  const engine = new Engine();
  try {
    const max = scenario.limits?.max_request_bytes;
    if (max !== undefined) engine.maxRequestBytes = max;
    for (const path of scenario.calendars ?? []) {
      const answer = engine.call({ op: "load_calendar", calendar: files[path] });
      if (!answer.ok) failures.push(`loading ${path}: ${JSON.stringify(answer)}`);
    }
    for (const path of scenario.load ?? []) {
      const answer = engine.call({ op: "load_workflow", definition: files[path] });
      if (!answer.ok) failures.push(`loading ${path}: ${JSON.stringify(answer)}`);
    }
    scenario.steps.forEach((step, i) => {
      const before = step.unchanged ? engine.call({ op: "snapshot" }) : undefined;
      const answer =
        step.request_text !== undefined
          ? JSON.parse(engine.callJson(step.request_text))
          : engine.call(step.request);
      if (!deepEqual(answer, step.expect)) {
        failures.push(
          `step ${i} (${step.name}): expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(answer)}`,
        );
      }
      if (before !== undefined && !deepEqual(before, engine.call({ op: "snapshot" }))) {
        failures.push(`step ${i} (${step.name}): changed the engine`);
      }
    });
  } finally {
    engine.free();
  }
  return { steps: scenario.steps.length, failures };
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
