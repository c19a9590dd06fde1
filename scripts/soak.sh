#!/usr/bin/env bash
# The full soak: a million random commands over a hundred thousand open cases of the petition
# workflow with its two SLA clocks, timers firing along about 200 simulated days, invariants
# checked every round and the live heap measured; then cases closing and archived, ten thousand
# held, new ones opened in their places (core/tests/soak.rs). The short version runs
# with every `cargo test`. Sizes: CIVICFLOW_SOAK_CASES, CIVICFLOW_SOAK_COMMANDS.
set -euo pipefail
cd "$(dirname "$0")/.."
export CIVICFLOW_SOAK_CASES="${CIVICFLOW_SOAK_CASES:-100000}"
export CIVICFLOW_SOAK_COMMANDS="${CIVICFLOW_SOAK_COMMANDS:-1000000}"
/usr/bin/time -v cargo test --release -p civicflow --test soak -- --nocapture 2>&1 |
  grep -E '^(soak|round|churn|outage|[0-9]+ \||[0-9]+ refused|test result)|Maximum resident|Elapsed'
