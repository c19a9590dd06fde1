#!/usr/bin/env bash
# Runs every test of the project: the core's unit, property, conformance and doc tests (the
# unit tests again under Miri), the C ABI's tests (under valgrind and ASan+UBSan, the threads
# test under TSan, the conformance suite through C, the C and Python examples and the install),
# the npm package's tests (Node and a headless Chromium), a short run of every fuzz target, the
# documentation examples, and the demo.
# Installs what it needs on a fresh Debian machine: Debian packages for the C tests and the
# browser, the nightly toolchain with rust-src and Miri, the wasm32 target, wasm-bindgen-cli
# and npm dev tools (bindings-wasm/build.sh), cargo-fuzz (fuzz/run.sh), one pinned PyPI
# package for the calendar cross-check.
set -euo pipefail
cd "$(dirname "$0")/.."

# C toolchain pieces for bindings-c: valgrind, pkg-config, a C++ compiler for the header check,
# jansson for the C conformance runner and the C example; Chromium for the npm package's and
# the web demo's browser tests, with a CJK font so that their screenshots are legible;
# PostgreSQL for the store's and the server's tests (each test binary starts its own cluster
# from these binaries: initdb in a temporary folder, a Unix socket, stopped at exit) and
# libfaketime for the servers with skewed clocks.
packages=(valgrind pkgconf g++ libjansson-dev chromium fonts-wqy-microhei postgresql faketime)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A nightly toolchain with rust-src: the C library's ThreadSanitizer build rebuilds std with
# instrumentation, and cargo-fuzz needs nightly too (fuzz/run.sh).
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
rustup +nightly component add rust-src >/dev/null

cargo test --workspace

# Durability with faults injected at numbered statements (a test-only feature): every statement
# of the store's command path failing once, in process; the server killed (abort) or failed at
# every statement of a scripted run, on SQLite and on PostgreSQL.
cargo test -p civicflow-store --features fault-injection --test faults
cargo test -p civicflow-server --features fault-injection --test kill

# The core's unit tests under Miri, which catches undefined behaviour in the unsafe code of the
# dependencies the core calls; three long data-driven tests are skipped there.
rustup +nightly component add miri >/dev/null
cargo +nightly miri test -q -p civicflow --lib

make -s -f bindings-c/Makefile test

# The npm package: built (installing wasm-bindgen-cli and the npm dev tools it pins), then its
# Node tests: conformance through call() and the typed methods, the packed tarball in ESM and
# CommonJS projects with tsc --strict, bad input, and headless Chromium on the web build.
bindings-wasm/build.sh
(cd bindings-wasm && node --test test/)

# The township desk in the browser (examples/web), built on the npm package and driven in
# headless Chromium: a case opened and moved, the clock moved until a badge turns red and a
# supervision climbs, the dashboard against the API; screenshots in examples/web/test-results/.
(cd examples/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs && node --test test/)

# The benchmark of bench/ in miniature, so that it cannot rot: every library must run the
# petition path to its end, refuse a wrong role and come back from its persisted form (the
# timings of so small a run mean nothing and are not looked at).
(cd bench && npm ci --no-audit --no-fund --loglevel=error &&
  BENCH_ROUNDS=1 BENCH_CASES=20 BENCH_HEAP_CASES=200 BENCH_HELD=20000 BENCH_STALL_CASES=200 \
    node --expose-gc node.mjs >/dev/null)
echo "bench: the three libraries agree on the workload"
# The Rust benchmarks whose figures docs/performance.md quotes, once each on a few cases (test
# mode), for the same reason: the metrics bench once stopped at the outbox's limit unnoticed.
CIVICFLOW_BENCH_CASES=2000 CIVICFLOW_BENCH_OPEN=2000 cargo test -q -p civicflow --bench metrics --bench petition

# Fuzzing: each cargo-fuzz target on its committed seeds for a short fixed time (fuzz/run.sh
# runs longer ones); a panic, hang or unbounded allocation fails the run.
FUZZ_SECONDS="${FUZZ_SECONDS:-30}" fuzz/run.sh

# The China calendar against an independent dataset (PyPI `chinesecalendar`, pinned).
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore chinesecalendar==1.11.0
python3 tests/calendar/crosscheck.py
# The metrics worked examples recomputed from their CSV by a script that shares no code.
python3 tests/metrics/recompute.py
python3 tests/metrics/recompute_outbound.py
# The README's first command, short of serving the page.
./scripts/demo.sh --no-serve >/dev/null
echo "demo: ran to the end, web demo built"
# The township week: the duplicate's channel gets the primary's reply, and every effect the
# host drained is acknowledged, none left behind.
township=$(cargo run -q -p civicflow-examples --bin township)
grep -q 'T-2#9.1  → web (T-3)' <<<"$township"
grep -q '1 refused with a typed error and no change; 40 effects delivered, 0 pending.' <<<"$township"
echo "township demo: ran to the end, reply on both linked channels, outbox emptied"
