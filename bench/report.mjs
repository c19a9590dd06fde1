// Writes the benchmark tables into docs/performance.md between `<!-- bench:begin -->` and
// `<!-- bench:end -->`: `node report.mjs results.json target/criterion docs/performance.md`.
import fs from "node:fs";
import os from "node:os";

const [resultsFile, criterionDir, docFile] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
const t = r.timing;
const cf = t.civicflow;
const xs = t["XState 5.33"];
const rb = t["robot3 1.4"];

const ms = (x) => (x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US")) + " ms";
const us = (ns) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 1) + " µs";
const int = (x) => Math.round(x).toLocaleString("en-US");
const ratio = (a, b) => (b / a).toFixed(2) + "×";

function criterion(name) {
  // Criterion keeps each benchmark's estimates under its group and a sanitised name.
  const dir = `${criterionDir}/petition`;
  if (!fs.existsSync(dir)) return undefined;
  const want = name.replace(/[^A-Za-z0-9]+/g, "_");
  const hit = fs.readdirSync(dir).find((d) => d.replace(/[^A-Za-z0-9]+/g, "_") === want);
  if (hit === undefined) return undefined;
  const est = JSON.parse(fs.readFileSync(`${dir}/${hit}/new/estimates.json`, "utf8"));
  return est.median.point_estimate;
}

const open = process.env.CIVICFLOW_BENCH_OPEN ?? "1000000";
const rows = [
  ["per case: open + 12 transitions, no SLA", "one case, open and its 12 transitions, no SLA"],
  [`per transition among ${open} open cases, no SLA`, `a transition among ${int(Number(open))} open cases, no SLA`],
  ["per case: open + 12 transitions, two SLA clocks", "one case with its two SLA clocks kept and indexed"],
  [`per transition among ${open} open cases, two SLA clocks`, `a transition with SLA upkeep among ${int(Number(open))} open cases`],
];

// The long-lived mode: one engine per library, cases accumulating (longlived.mjs).
const ll = r.long_lived;
const lc = ll.civicflow;
const lx = ll.xstate;
const lr = ll.robot3;
const marks = Object.keys(lc.at).map(Number);
const llRow = (label, f, compare = true) =>
  `| ${label} | ${us(f(lc))} | ${us(f(lx))} | ${us(f(lr))} | ${compare ? ratio(f(lc), f(lx)) : ""} | ${compare ? ratio(f(lc), f(lr)) : ""} |`;
const longLived = [
  `**Long-lived engine** (one engine per library for the whole run, in a process of its own; cases added ${int(lc.window)} at a time and held, to ${int(lc.held)}. Rows marked ≥ 100,000 are means over every window from 100,000 held on, the windows where a map doubles included; rows "at N held" are the one window that starts there):`,
  "",
  "| what | civicflow | XState 5.33 | robot3 1.4 | civicflow vs XState | civicflow vs robot3 |",
  "|---|---|---|---|---|---|",
  // Runs with BENCH_HELD under 100,000 have no such windows.
  ...(lc.from_100k === null
    ? []
    : [
        llRow("per transition, open included, ≥ 100,000 held", (x) => x.from_100k.transition_ns),
        llRow("send only, ≥ 100,000 held", (x) => x.from_100k.send_ns),
        llRow("open a case, ≥ 100,000 held", (x) => x.from_100k.open_ns),
      ]),
  ...marks.map((m) => llRow(`open a case at ${int(m)} held`, (x) => x.at[m].open_ns)),
  `| heap per held case (closed, history kept) | ${int(lc.heap_per_case)} B | ${int(lx.heap_per_case)} B | ${int(lr.heap_per_case)} B | | |`,
  `| whole run | ${lc.seconds} s | ${lx.seconds} s | ${lr.seconds} s | | |`,
  "",
  `**Persisting a whole engine** (civicflow, ${int(r.stall.cases)} cases, half closed and half mid-path, \`bench/stall.mjs\`): one \`snapshot()\` call blocks ${ms(r.stall.snapshot_first_ms)} the first time (every event hashed) and ${ms(r.stall.snapshot_again_ms)} the next (${int(r.stall.snapshot_bytes)} characters of JSON); one \`history\` call per case takes ${ms(r.stall.per_case_total_ms)} in all, the longest call ${ms(r.stall.per_case_longest_ms)}.`,
  "",
];

const lines = [
  "<!-- bench:begin (written by bench/run.sh; do not edit by hand) -->",
  "",
  ...longLived,
  `**Batch mode** (fresh engines of ${int(r.cases_per_round)} cases, the three libraries in one process, interleaved):`,
  "",
  `Run of ${new Date().toISOString().slice(0, 10)}: Node ${r.node}, ${r.cpus} cores (${os.cpus()[0]?.model ?? "cpu"}); ${r.rounds} interleaved rounds of ${int(r.cases_per_round)} cases per library, medians.`,
  "",
  "| what | civicflow | XState 5.33 | robot3 1.4 | civicflow vs XState | civicflow vs robot3 |",
  "|---|---|---|---|---|---|",
  `| per transition (12-event path, create included) | ${us(cf.transition_ns)} | ${us(xs.transition_ns)} | ${us(rb.transition_ns)} | ${ratio(cf.transition_ns, xs.transition_ns)} | ${ratio(cf.transition_ns, rb.transition_ns)} |`,
  `| cases per second (create + 12 events) | ${int(cf.cases_per_s)} | ${int(xs.cases_per_s)} | ${int(rb.cases_per_s)} | | |`,
  `| heap per case after the path (JS heap + external) | ${int(r.heap.civicflow.total_bytes)} B | ${int(r.heap.xstate.total_bytes)} B | ${int(r.heap.robot3.total_bytes)} B | | |`,
  `| persist one case to JSON text | ${us(cf.persist_ns)} (${int(cf.persisted_bytes)} B) | ${us(xs.persist_ns)} (${int(xs.persisted_bytes)} B) | ${us(rb.persist_ns)} (${int(rb.persisted_bytes)} B) | ${ratio(cf.persist_ns, xs.persist_ns)} | ${ratio(cf.persist_ns, rb.persist_ns)} |`,
  `| restore one case, live | ${us(cf.restore_ns)} | ${us(xs.restore_ns)} | ${us(rb.restore_ns)} | ${ratio(cf.restore_ns, xs.restore_ns)} | ${ratio(cf.restore_ns, rb.restore_ns)} |`,
  `| browser download, gzipped | ${int(r.bundle.civicflow.total_gzip)} B (WebAssembly ${int(r.bundle.civicflow.wasm_gzip)} + JS ${int(r.bundle.civicflow.js_gzip)}) | ${int(r.bundle.xstate.js_gzip)} B | ${int(r.bundle.robot3.js_gzip)} B | | |`,
  "",
  "Ratios are the other library's time over civicflow's: above 1× civicflow is faster, below 1× slower. The same workload in Rust (`cargo bench -p civicflow --bench petition`, criterion medians):",
  "",
  "| what | time |",
  "|---|---|",
  ...rows.map(([bench, label]) => {
    const ns = criterion(bench);
    return `| ${label} | ${ns === undefined ? "not run" : us(ns)} |`;
  }),
  "",
  "<!-- bench:end -->",
];

const doc = fs.readFileSync(docFile, "utf8");
const begin = doc.indexOf("<!-- bench:begin");
const end = doc.indexOf("<!-- bench:end -->");
if (begin < 0 || end < 0) throw new Error(`${docFile} has no bench markers`);
fs.writeFileSync(docFile, doc.slice(0, begin) + lines.join("\n") + doc.slice(end + "<!-- bench:end -->".length));
