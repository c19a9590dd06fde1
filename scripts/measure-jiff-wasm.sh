#!/usr/bin/env bash
# Measures what jiff adds to a wasm32 module, as docs/performance.md quotes it: three tiny
# cdylibs built in a temporary folder with the release profile. `base` does arithmetic only;
# `jiff-tzdb` calls the jiff functions civicflow uses (time zone by name or offset, local
# offsets, ambiguous local times, date parsing, formatting) with the bundled time zone database,
# as civicflow enables it; `jiff-fixed` does the same with fixed offsets only and no database.
set -euo pipefail
jiff_version=$(grep -A1 'name = "jiff"' "$(dirname "$0")/../Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')
rustup target add wasm32-unknown-unknown >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{base,jiff-tzdb,jiff-fixed}/src
cat > "$tmp/Cargo.toml" <<TOML
[workspace]
resolver = "2"
members = ["base", "jiff-tzdb", "jiff-fixed"]
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
panic = "abort"
TOML
for c in base jiff-tzdb jiff-fixed; do
  deps=""
  case $c in
    jiff-tzdb) deps="jiff = { version = \"=$jiff_version\", default-features = false, features = [\"std\", \"tzdb-bundle-always\"] }" ;;
    jiff-fixed) deps="jiff = { version = \"=$jiff_version\", default-features = false, features = [\"std\"] }" ;;
  esac
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n[dependencies]\n%s\n' "$c" "$deps" > "$tmp/$c/Cargo.toml"
done
cat > "$tmp/base/src/lib.rs" <<'RS'
#[no_mangle]
pub extern "C" fn f(ms: i64, days: i32) -> i64 { ms / 86_400_000 * i64::from(days) + ms % 7 }
RS
jiff_body='
#[no_mangle]
pub extern "C" fn f(ms: i64, days: i32) -> i64 {
    use jiff::{civil::Date, fmt::temporal::DateTimeParser, tz::TimeZone, Timestamp};
    let name = if days > 0 { ZONE } else { "+08:00" };
    let Ok(tz) = DateTimeParser::new().parse_time_zone(name) else { return -1 };
    let Ok(ts) = Timestamp::from_millisecond(ms) else { return -2 };
    let off = i64::from(tz.to_offset(ts).seconds());
    let local = ts.to_zoned_datetime(TimeZone::UTC).datetime();
    let back = tz.to_ambiguous_timestamp(local).compatible().map(|t| t.as_millisecond()).unwrap_or(0);
    let date: Date = "2026-02-15".parse().unwrap_or(Date::constant(2026, 2, 15));
    let text = ts.to_zoned_datetime(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    off + back + i64::from(date.day()) + text.len() as i64
}'
printf 'const ZONE: &str = "Asia/Shanghai";\n%s\n' "$jiff_body" > "$tmp/jiff-tzdb/src/lib.rs"
printf 'const ZONE: &str = "+08:00";\n%s\n' "$jiff_body" > "$tmp/jiff-fixed/src/lib.rs"
(cd "$tmp" && cargo build -q --release --target wasm32-unknown-unknown)
echo "jiff $jiff_version, wasm32-unknown-unknown, opt-level s, lto, panic=abort (no wasm-opt)"
for c in base jiff-fixed jiff-tzdb; do
  f="$tmp/target/wasm32-unknown-unknown/release/${c//-/_}.wasm"
  printf '%-11s %8d bytes raw %8d bytes gzip -9\n' "$c" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
