#!/usr/bin/env bash
# Builds and runs the main demo: a week of 12345 hotline work orders through civicflow.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run -q -p civicflow-examples --bin demo
