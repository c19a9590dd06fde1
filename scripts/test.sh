#!/usr/bin/env bash
# Runs every test of the project: the core's unit, property, conformance and doc tests, the
# documentation examples, and the demo (which must run to the end).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace

# The China calendar against an independent dataset (PyPI `chinesecalendar`, pinned).
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore chinesecalendar==1.11.0
python3 tests/calendar/crosscheck.py
cargo run -q -p civicflow-examples --bin demo >/dev/null
echo "demo: ran to the end"
