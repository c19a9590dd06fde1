#!/usr/bin/env bash
# Runs every test of the project: the core's unit, property, conformance and doc tests, the
# documentation examples, and the demo (which must run to the end).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace
cargo run -q -p civicflow-examples --bin demo >/dev/null
echo "demo: ran to the end"
