// How long a civicflow host is blocked while it persists an engine of BENCH_STALL_CASES cases
// (10,000 by default; half closed, half stopped mid-path): the whole engine in one
// `snapshot()` call (the first call hashes every event, a second finds the hashes computed),
// against one `history` call per case, the longest of which is what blocks. Prints JSON;
// node.mjs runs it in a process of its own. Figures are reported, never asserted.
import { civicflow as lib } from "./workload/civicflow.mjs";
import { PATH, PERSIST_AFTER } from "./workload/path.mjs";

const N = Number(process.env.BENCH_STALL_CASES ?? 10_000);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

function engine() {
  lib.setup();
  const ids = [];
  for (let i = 0; i < N; i++) {
    const id = lib.create();
    for (const e of PATH.slice(0, i % 2 === 0 ? PATH.length : PERSIST_AFTER)) lib.send(id, e);
    ids.push(id);
  }
  return ids;
}

engine();
let t0 = process.hrtime.bigint();
const first = JSON.stringify(lib.snapshot()).length;
const snapshotFirst = ms(t0);
t0 = process.hrtime.bigint();
lib.snapshot();
const snapshotAgain = ms(t0);

// A fresh engine, so that per-case persistence also hashes every event once.
const ids = engine();
let longest = 0;
t0 = process.hrtime.bigint();
for (const id of ids) {
  const t = process.hrtime.bigint();
  lib.persist(id);
  longest = Math.max(longest, ms(t));
}
console.log(
  JSON.stringify({
    cases: N,
    snapshot_first_ms: snapshotFirst,
    snapshot_again_ms: snapshotAgain,
    snapshot_bytes: first,
    per_case_total_ms: ms(t0),
    per_case_longest_ms: longest,
  }),
);
