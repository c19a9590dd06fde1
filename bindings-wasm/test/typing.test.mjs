// The package's types under `tsc --strict`, in a project with the packed tarball installed:
// test/types/good.ts compiles with no error and runs; test/types/bad.ts fails with exactly the
// errors its `// error TSnnnn` comments name, line by line (a wrong transition id, a missing
// required payload field, an unknown error code, a string for an instant, ...).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { here, projectWithPackage, run, wasmDir, write } from "./helpers.js";

const tsc = join(wasmDir, "node_modules", ".bin", "tsc");
const options = {
  strict: true, module: "node16", moduleResolution: "node16", target: "ES2022",
  lib: ["ES2022", "DOM", "ESNext.Disposable"], types: [], outDir: "out",
};

let project;
function typed() {
  if (project === undefined) {
    project = projectWithPackage("module");
    cpSync(join(here, "types"), project, { recursive: true });
  }
  return project;
}

// tsc's errors as `file:line TSnnnn`, and the whole output for the message of a failure.
function check(file) {
  const dir = typed();
  write(dir, `tsconfig.${file}.json`, JSON.stringify({ compilerOptions: options, files: [`${file}.ts`] }));
  try {
    execFileSync(tsc, ["-p", `tsconfig.${file}.json`], { cwd: dir, encoding: "utf8" });
    return { errors: [], output: "" };
  } catch (e) {
    const output = String(e.stdout);
    const errors = [...output.matchAll(/^([\w.]+)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    return { errors, output };
  }
}

test("what must compile does, with no cast, and runs", () => {
  const { errors, output } = check("good");
  assert.deepEqual(errors, [], output);
  assert.equal(run("node", ["out/good.js"], typed()).trim(), "done case.not_found accepted");
});

test("what must not compile fails with exactly the expected errors", () => {
  const expected = readFileSync(join(here, "types", "bad.ts"), "utf8")
    .split("\n")
    .flatMap((line, i) => [...line.matchAll(/\/\/ error (TS\d+)/g)].map((m) => `bad.ts:${i + 1} ${m[1]}`));
  assert.ok(expected.length >= 10, expected.join("\n"));
  const { errors, output } = check("bad");
  assert.deepEqual(errors, expected, output);
});
