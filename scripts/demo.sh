#!/usr/bin/env bash
# Builds and runs the demos: a week of 12345 hotline work orders and a week at a township
# service desk in the terminal (routing, co-handling, supervision, linked channels, appeals,
# the outbox), then the township desk in the browser (examples/web), served on
# http://127.0.0.1:${PORT:-8080}/ until Ctrl-C. `--no-serve` builds it and stops there.
# Installs what the npm package and the page need (bindings-wasm/build.sh, npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p civicflow-examples --bin demo
echo
cargo run -q -p civicflow-examples --bin township
echo
bindings-wasm/build.sh >/dev/null
(cd examples/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
[ "${1:-}" = "--no-serve" ] && exit 0
exec node examples/web/serve.mjs
