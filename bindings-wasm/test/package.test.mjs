// The package as a user gets it: `npm pack`, installed from the tarball into fresh ESM and
// CommonJS projects, imported, type-checked with `tsc --strict`, run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pkgDir, projectWithPackage, root, run, wasmDir, write } from "./helpers.js";

const tsc = join(wasmDir, "node_modules", ".bin", "tsc");
const permit = join(root, "tests", "workflows", "permit.json");
// What the README example prints, as its comments say.
const EXPECTED_OUTPUT = "refused: case.role_not_allowed\ndone\nrefused: case.terminal\n";

// The first ```ts block of a Markdown file.
function tsBlock(file) {
  const text = readFileSync(file, "utf8");
  const m = /```ts\n([\s\S]*?)```/.exec(text);
  assert.ok(m, `no ts block in ${file}`);
  return m[1];
}

const script = `
const engine = new Engine();
engine.loadWorkflow(JSON.parse(readFileSync("permit.json", "utf8")));
const actor = { id: "u-1", roles: ["clerk"] };
engine.openCase({ case_id: "c-1", workflow: "permit", channel: "web", fields: { applicant: "张三", kind: "repair" }, actor, at: 1000 });
const moved = engine.apply({ case_id: "c-1", transition: "submit", actor, payload: { amount: 5 }, at: 2000 });
let code = "";
try { engine.getCase("nope"); } catch (e) { code = e instanceof CivicflowError && e instanceof Error ? e.code : "wrong class"; }
console.log(JSON.stringify({ state: moved.case.state, code, version: version() }));
engine.free();
`;

test("ESM: import from the installed tarball", () => {
  const dir = projectWithPackage("module");
  copyFileSync(permit, join(dir, "permit.json"));
  write(dir, "main.js", `import { Engine, CivicflowError, version } from "civicflow";\nimport { readFileSync } from "node:fs";\n${script}`);
  const out = JSON.parse(run("node", ["main.js"], dir));
  assert.deepEqual(out, { state: "review", code: "case.not_found", version: out.version });
  assert.match(out.version, /^\d+\.\d+\.\d+/);
});

test("CommonJS: require from the installed tarball, and ESM and CJS share one module", () => {
  const dir = projectWithPackage("commonjs");
  copyFileSync(permit, join(dir, "permit.json"));
  write(dir, "main.js", `const { Engine, CivicflowError, version } = require("civicflow");\nconst { readFileSync } = require("node:fs");\n${script}`);
  const out = JSON.parse(run("node", ["main.js"], dir));
  assert.equal(out.state, "review");
  assert.equal(out.code, "case.not_found");
  write(dir, "both.mjs", `import { createRequire } from "node:module";\nimport * as esm from "civicflow";\nconst cjs = createRequire(import.meta.url)("civicflow");\nconsole.log(esm.CivicflowError === cjs.CivicflowError && esm.Engine === cjs.Engine);\n`);
  assert.equal(run("node", ["both.mjs"], dir).trim(), "true");
  // The store and the documents, required from CommonJS too.
  write(dir, "store.js", `const { openStore, StoreError } = require("civicflow/store");\nconst { templates } = require("civicflow/templates");\nconst { calendars } = require("civicflow/calendars");\nconsole.log(typeof openStore, typeof StoreError, templates.township.id, calendars["cn-mainland"].id);\n`);
  assert.equal(run("node", ["store.js"], dir).trim(), "function function township cn-mainland");
});

test("the README's TypeScript example passes tsc --strict and runs, as ESM and as CommonJS", () => {
  const example = tsBlock(join(wasmDir, "README.npm.md"));
  assert.equal(tsBlock(join(root, "docs", "javascript.md")), example, "docs/javascript.md and the npm README differ");
  const tsconfig = JSON.stringify({
    compilerOptions: {
      strict: true, module: "node16", moduleResolution: "node16", target: "ES2022",
      lib: ["ES2022", "DOM", "ESNext.Disposable"], types: [], outDir: "out",
    },
    files: ["quickstart.ts"],
  });
  for (const type of ["module", "commonjs"]) {
    const dir = projectWithPackage(type);
    write(dir, "tsconfig.json", tsconfig);
    write(dir, "quickstart.ts", example);
    run(tsc, ["-p", "tsconfig.json"], dir);
    assert.equal(run("node", ["out/quickstart.js"], dir), EXPECTED_OUTPUT, type);
  }
});

test("every TypeScript block of docs/javascript.md passes tsc --strict", () => {
  const blocks = [...readFileSync(join(root, "docs", "javascript.md"), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, "the example and the error class");
  const dir = projectWithPackage("module");
  const names = blocks.map((_, i) => `block${i}.ts`);
  blocks.forEach((b, i) => write(dir, names[i], b.includes("import") ? b : `export {};\n${b}`));
  write(dir, "tsconfig.json", JSON.stringify({
    compilerOptions: {
      strict: true, module: "node16", moduleResolution: "node16", target: "ES2022",
      lib: ["ES2022", "DOM", "ESNext.Disposable"], types: [], noEmit: true,
    },
    files: names,
  }));
  run(tsc, ["-p", "tsconfig.json"], dir);
});

test("no `any` in the public declarations", () => {
  const files = ["index.d.ts", "web.d.ts", "node.d.cts", "lib/engine.d.ts", "lib/engine.d.cts", "lib/types.d.ts", "lib/store.d.ts", "lib/store-db.d.ts", "templates.d.ts", "calendars.d.ts"];
  for (const f of files) {
    const text = readFileSync(join(pkgDir, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    // `any` as a type; `{ any: GuardDef[] }` is a guard key.
    assert.doesNotMatch(text, /\bany\b(?!\s*:)/, f);
  }
  const engine = readFileSync(join(pkgDir, "lib/engine.d.ts"), "utf8");
  assert.doesNotMatch(engine, /useModule|RawEngine|RawModule/, "internal API leaked into the types");
});

test("the package ships what its exports map names, and nothing else", () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const targets = JSON.stringify(pkg.exports).match(/"\.\/[^"]+"/g).map((s) => s.slice(1, -1)).filter((p) => p.includes("."));
  for (const t of targets) {
    if (t === "./web" || t === "./templates" || t === "./calendars" || t === "./store" || t === "./civicflow_bg.wasm" || t === "./package.json") continue;
    assert.doesNotThrow(() => readFileSync(join(pkgDir, t)), t);
  }
  const listing = JSON.parse(run("npm", ["pack", "--dry-run", "--json", pkgDir], root))[0].files.map((f) => f.path).sort();
  // Two builds of one module: the web's for size, Node's for speed.
  assert.deepEqual(listing.filter((p) => p.endsWith(".wasm")), ["wasm/civicflow_wasm_bg.wasm", "wasm/civicflow_wasm_node.wasm"]);
  assert.ok(!listing.some((p) => p.endsWith(".ts") && !p.endsWith(".d.ts") && !p.endsWith(".d.cts")), listing.join(" "));
  assert.deepEqual(readdirSync(join(pkgDir, "wasm")).sort(), ["civicflow_wasm.cjs", "civicflow_wasm.js", "civicflow_wasm_bg.wasm", "civicflow_wasm_node.wasm"]);
  // Node's glue loads the speed build, the web's the size build.
  const nodeGlue = readFileSync(join(pkgDir, "wasm", "civicflow_wasm.cjs"), "utf8");
  assert.match(nodeGlue, /civicflow_wasm_node\.wasm/);
  assert.doesNotMatch(nodeGlue, /civicflow_wasm_bg\.wasm/);
  assert.match(readFileSync(join(pkgDir, "wasm", "civicflow_wasm.js"), "utf8"), /civicflow_wasm_bg\.wasm/);
});
