#!/usr/bin/env bash
# The township desk on `civicflow serve`, on its embedded SQLite: builds the server and the
# desk's page, makes the demo's configuration (a token per acting role and unit of the desk,
# effects logged to demo/effects.jsonl), loads the township, publishing and account-health
# workflows, calendar and organisation and imports the seeded week and the accounts' posts
# (examples/web/data/outbound.json), then serves the connected desk on
# http://127.0.0.1:${PORT:-8080}/ until Ctrl-C: cases survive a reload and are shared between
# browsers. Before that, the terminal demos (a week of 12345 work orders and a week at a
# township desk). `--no-serve` stops before serving. The demo's state is in ./demo/ (remove it
# to start over). Installs what the npm package and the page need (bindings-wasm/build.sh,
# npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p civicflow-examples --bin demo
echo
cargo run -q -p civicflow-examples --bin township
echo
cargo build -q -p civicflow-server
bindings-wasm/build.sh >/dev/null
(cd examples/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)

civicflow=target/debug/civicflow
demo=demo
database="sqlite:$demo/civicflow.db"
scripts/desk-server.sh "$demo"
cp "$demo/desk-tokens.json" examples/web/dist/desk-tokens.json
$civicflow check --database "$database"
[ "${1:-}" = "--no-serve" ] && exit 0
echo "青山镇便民服务中心, on civicflow serve (SQLite): http://127.0.0.1:${PORT:-8080}/ (Ctrl-C to stop)"
exec $civicflow serve --database "$database" --config "$demo/civicflow.toml" \
  --desk examples/web/dist --listen "127.0.0.1:${PORT:-8080}"
