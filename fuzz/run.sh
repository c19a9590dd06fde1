#!/usr/bin/env bash
# Runs every fuzz target on its committed seeds (fuzz/seeds/<target>, written by seed.py) for
# FUZZ_SECONDS each (default 60), and prints the executions each ran. A finding stops the run
# with libFuzzer's report and the input under fuzz/artifacts/<target>/; save it under
# fuzz/regressions/<target>/ (tests/seeds.rs replays it), then fix it. Installs the nightly
# toolchain and cargo-fuzz when missing. New inputs go to fuzz/corpus/ (not committed).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2
# Every seed and saved regression input through the same checks, on stable (tests/seeds.rs).
cargo test --release --quiet
cargo +nightly fuzz build -O
for target in definition calendar org history requests c_abi; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  # Bounded: no input may take 10 s, a single allocation 512 MB or the process 2 GB.
  if ! cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=512 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz: $target found a problem (input in fuzz/artifacts/$target/)"
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: //p' "$log")"
  echo "fuzz: $target ran $runs inputs in ${seconds} s, no finding"
  rm -f "$log"
done
