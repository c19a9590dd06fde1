#!/usr/bin/env bash
# Builds and runs the demos: a week of 12345 hotline work orders, then a week at a township
# service desk (routing, co-handling, supervision, linked channels, appeals, the outbox).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p civicflow-examples --bin demo
echo
exec cargo run -q -p civicflow-examples --bin township
