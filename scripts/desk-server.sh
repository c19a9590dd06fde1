#!/usr/bin/env bash
# Prepares a folder for the township desk on `civicflow serve` (SQLite): its configuration with
# a token per actor the desk can act as (clerk, dispatcher and supervisor of the town, the
# handler of each unit, the citizen; their tokens in desk-tokens.json, which the page fetches:
# demo only), effects logged to effects.jsonl, and the database with the township, publishing
# and account-health workflows, the calendar and organisation, the seeded week and the
# accounts' posts and releases (examples/web/data/outbound.json). Does nothing to a folder
# already prepared.
# Usage: scripts/desk-server.sh DIR (needs target/debug/civicflow).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/desk-server.sh DIR}
civicflow=target/debug/civicflow
database="sqlite:$dir/civicflow.db"
[ -f "$dir/civicflow.toml" ] && exit 0
mkdir -p "$dir"
cat >"$dir/civicflow.toml.new" <<TOML
# The desk's server. The seeded week carries its own times, hence trust_client_time; a desk in
# service leaves it false so that the database's clock decides.
trust_client_time = true
# The seeded week is dated January 2026: with the archiver on, its closed cases would leave the
# board whenever their notices happened to be delivered before the archiver's round, so the
# board's cases would depend on the order the server's threads ran in. A desk in service keeps
# the default (closed cases archived 7 days after their last change).
archive_after_seconds = 0
[[delivery]]
kind = "log"
path = "$dir/effects.jsonl"
TOML
actors=(clerk@town dispatcher@town supervisor@town citizen)
for unit in $(node -e 'for (const u of require("./orgs/qingshan.json").units) console.log(u.id)'); do
  actors+=("handler@$unit")
done
: >"$dir/tokens.txt"
for actor in "${actors[@]}"; do
  if [ "$actor" = citizen ]; then
    token=$($civicflow token add --config "$dir/civicflow.toml.new" --actor citizen --role citizen)
  else
    token=$($civicflow token add --config "$dir/civicflow.toml.new" --actor "$actor" --role "${actor%@*}" --unit "${actor#*@}")
  fi
  echo "$actor $token" >>"$dir/tokens.txt"
done
node -e 'const fs = require("fs"); const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n");
  fs.writeFileSync(process.argv[2], JSON.stringify(Object.fromEntries(lines.map((l) => l.split(" "))), null, 2));' \
  "$dir/tokens.txt" "$dir/desk-tokens.json"
rm "$dir/tokens.txt"
$civicflow load --database "$database" calendars/cn-mainland.json orgs/qingshan.json templates/township.json \
  templates/publishing.json templates/account-health.json >/dev/null
$civicflow import --database "$database" examples/web/data/week.json >/dev/null
$civicflow import --database "$database" examples/web/data/outbound.json >/dev/null
# Ready only once everything is in: a folder cut short is prepared again from the start.
mv "$dir/civicflow.toml.new" "$dir/civicflow.toml"
