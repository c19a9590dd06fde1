#!/usr/bin/env bash
# Instructions per case of the petition path (core/examples/petition_path.rs: open a case, then
# 12 transitions), with and without its two SLA clocks, counted by callgrind: the same figure on
# a loaded machine as on an idle one. A run with no case (loading the calendar and workflow) is
# subtracted. Then what persisting a case (its history as JSON text) and restoring it cost, by
# difference between the example's modes. Needs valgrind.
# Usage: scripts/count-instructions.sh [cases, 2000 by default]
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-2000}"
cargo build -q --release -p civicflow --example petition_path
bin="${CARGO_TARGET_DIR:-target}/release/examples/petition_path"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for mode in sla nosla; do
  base="$(count "$mode" 0)"
  total="$(count "$mode" "$cases")"
  echo "$mode: $(((total - base) / cases)) instructions per case ($cases cases)"
done
# The Rust side of the npm bench's persist and restore, natively, by difference with the path
# alone (no SLA): `total` is the no-SLA run's, the last of the loop.
persist="$(count persist "$cases")"
restore="$(count restore "$cases")"
echo "persist: $(((persist - total) / cases)) instructions per case (history as JSON text)"
echo "restore: $(((restore - persist) / cases)) instructions per case (parse it, restore_case, drop)"
