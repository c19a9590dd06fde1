// The Node benchmark of issues 8 and 29: civicflow (npm package), XState 5 and robot3 on the
// same petition workload, in two modes. The batch mode runs fresh engines of BENCH_CASES cases,
// all three libraries in one process, interleaved round by round. The long-lived mode
// (longlived.mjs) keeps one engine per library, in a process of its own, while cases accumulate
// to BENCH_HELD. Run with `node --expose-gc node.mjs [--json out.json]`; `run.sh` runs it and
// writes the tables of docs/performance.md. Figures are reported, never asserted.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { civicflow } from "./workload/civicflow.mjs";
import { FINAL, PATH, PERSIST_AFTER } from "./workload/path.mjs";
import { robot3 } from "./workload/robot3.mjs";
import { xstate } from "./workload/xstate.mjs";

const LIBS = [civicflow, xstate, robot3];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CASES = Number(process.env.BENCH_CASES ?? 5000);
const here = new URL(".", import.meta.url).pathname;
let sink = 0;

function same(a, b) {
  return a.state === b.state && a.count === b.count && a.actor === b.actor;
}

// Every library must end the path where the workload says, refuse a wrong role, and come
// back from its persisted form able to take the next event.
function check(lib) {
  lib.setup();
  const c = lib.create();
  for (const e of PATH) lib.send(c, e);
  const end = lib.result(c);
  if (!same(end, FINAL)) throw new Error(`${lib.name} ended in ${JSON.stringify(end)}`);
  const w = lib.create();
  try {
    lib.send(w, { type: "ACCEPT", role: "officer", actor: "x" });
  } catch {
    // civicflow throws its refusal; the others ignore the event.
  }
  if (lib.result(w).state !== "received") throw new Error(`${lib.name} let an officer accept`);
  const m = lib.create();
  for (const e of PATH.slice(0, PERSIST_AFTER)) lib.send(m, e);
  const back = lib.restore(lib.persist(m));
  for (const e of PATH.slice(PERSIST_AFTER)) lib.sendRestored(back, e);
  const again = lib.resultRestored(back);
  if (!same(again, FINAL)) throw new Error(`${lib.name} restored to ${JSON.stringify(again)}`);
}

function paths(lib, n) {
  lib.setup();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const c = lib.create();
    for (let k = 0; k < PATH.length; k++) lib.send(c, PATH[k]);
    sink += typeof c === "string" ? c.length : 1;
  }
  return Number(process.hrtime.bigint() - t0);
}

function persistRestore(lib, n) {
  lib.setup();
  const cases = [];
  for (let i = 0; i < n; i++) {
    const c = lib.create();
    for (const e of PATH.slice(0, PERSIST_AFTER)) lib.send(c, e);
    cases.push(c);
  }
  const texts = new Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) texts[i] = lib.persist(cases[i]);
  const t1 = process.hrtime.bigint();
  let last;
  for (let i = 0; i < n; i++) last = lib.restore(texts[i]);
  const t2 = process.hrtime.bigint();
  sink += texts[n - 1].length;
  lib.sendRestored(last, PATH[PERSIST_AFTER]);
  return { persist: Number(t1 - t0), restore: Number(t2 - t1), bytes: texts[n - 1].length };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function timing() {
  for (const lib of LIBS) check(lib);
  for (const lib of LIBS) {
    paths(lib, 2000);
    persistRestore(lib, 1000);
  }
  const per = new Map(LIBS.map((l) => [l.name, { transition: [], persist: [], restore: [], bytes: 0 }]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order each round, so no library always runs first or last.
    const order = LIBS.map((_, i) => LIBS[(i + r) % LIBS.length]);
    for (const lib of order) {
      const m = per.get(lib.name);
      m.transition.push(paths(lib, CASES) / (CASES * PATH.length));
      const p = persistRestore(lib, CASES);
      m.persist.push(p.persist / CASES);
      m.restore.push(p.restore / CASES);
      m.bytes = p.bytes;
    }
  }
  return Object.fromEntries(
    [...per].map(([name, m]) => [
      name,
      {
        transition_ns: median(m.transition),
        transition_min_ns: Math.min(...m.transition),
        cases_per_s: 1e9 / (median(m.transition) * PATH.length),
        persist_ns: median(m.persist),
        restore_ns: median(m.restore),
        persisted_bytes: m.bytes,
      },
    ]),
  );
}

// Heap per case: a fresh process per library, cases run to `closed` and held.
function heap() {
  const out = {};
  for (const lib of ["civicflow", "xstate", "robot3"]) {
    const text = execFileSync(process.execPath, ["--expose-gc", `${here}heap.mjs`, lib], { encoding: "utf8" });
    out[lib] = JSON.parse(text);
  }
  return out;
}

// The long-lived mode: a process per library, one after the other (never side by side: two
// cores). XState holds a few GB at 1,000,000 cases, hence the larger heap limit.
function longLived() {
  const out = {};
  for (const lib of ["civicflow", "xstate", "robot3"]) {
    const args = ["--expose-gc", "--max-old-space-size=16384", `${here}longlived.mjs`, lib];
    out[lib] = JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 }));
  }
  return out;
}

// How long persisting a 10,000-case engine blocks: civicflow only (stall.mjs).
function stall() {
  return JSON.parse(execFileSync(process.execPath, [`${here}stall.mjs`], { encoding: "utf8" }));
}

function gzipBytes(file) {
  return Number(execFileSync("sh", ["-c", `gzip -9c '${file}' | wc -c`], { encoding: "utf8" }).trim());
}

// What a browser downloads: each library bundled and minified with esbuild from the entry
// points the workload uses; civicflow's WebAssembly and glue as `civicflow/web` loads them.
function bundles() {
  // Inside bench/, so that esbuild finds node_modules.
  const dir = fs.mkdtempSync(`${here}.bundle-`);
  const esbuild = `${here}node_modules/.bin/esbuild`;
  const entries = {
    xstate: "export { setup, assign, createActor } from 'xstate';",
    robot3: "export { createMachine, state, transition, guard, reduce, interpret } from 'robot3';",
    civicflow: "export { default, Engine } from './pkg/web.js';",
  };
  fs.symlinkSync(`${here}../bindings-wasm/pkg`, `${dir}/pkg`);
  const out = {};
  for (const [name, code] of Object.entries(entries)) {
    fs.writeFileSync(`${dir}/${name}.js`, code);
    execFileSync(esbuild, [
      "--loader:.wasm=empty",
      `${dir}/${name}.js`, "--bundle", "--minify", "--format=esm", "--platform=browser",
      "--define:process.env.NODE_ENV=\"production\"", `--outfile=${dir}/out/${name}.min.js`,
      "--log-level=error", `--resolve-extensions=.js,.mjs`,
    ], { cwd: here });
    out[name] = { js_gzip: gzipBytes(`${dir}/out/${name}.min.js`) };
  }
  out.civicflow.wasm_gzip = gzipBytes(`${here}../bindings-wasm/pkg/wasm/civicflow_wasm_bg.wasm`);
  out.civicflow.total_gzip = out.civicflow.js_gzip + out.civicflow.wasm_gzip;
  fs.rmSync(dir, { recursive: true });
  return out;
}

const result = {
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
  rounds: ROUNDS,
  cases_per_round: CASES,
  timing: timing(),
  heap: heap(),
  long_lived: longLived(),
  stall: stall(),
  bundle: bundles(),
};
if (sink === 0) console.error("unreachable: keeps the work observable");
const at = process.argv.indexOf("--json");
if (at > 0) fs.writeFileSync(process.argv[at + 1], JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
