#!/usr/bin/env bash
# Runs the benchmarks of issues 8 and 29 and writes their tables into docs/performance.md
# (between the `bench:begin` and `bench:end` markers): the Node comparison of civicflow's npm
# package with XState and robot3 in its two modes, long-lived (longlived.mjs: one engine,
# cases accumulating to BENCH_HELD) and batch (node.mjs, heap.mjs: fresh engines of
# BENCH_CASES), and the same workload in Rust (criterion, core/benches/petition.rs). Installs
# what it needs first. About 15 minutes on 2 cores. BENCH_ROUNDS, BENCH_CASES, BENCH_HELD and
# CIVICFLOW_BENCH_OPEN change the sizes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash "$root/bindings-wasm/build.sh" >/dev/null
echo "== node: civicflow, XState, robot3 (batch, interleaved; then long-lived, one process each)"
node --expose-gc node.mjs --json results.json >/dev/null
echo "== rust: criterion"
(cd "$root" && cargo bench -p civicflow --bench petition 2>&1 | grep -E '^petition|time:|open cases' || true)
node report.mjs results.json "$root/target/criterion" "$root/docs/performance.md"
echo "docs/performance.md updated"
