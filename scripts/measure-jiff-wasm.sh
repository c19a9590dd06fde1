#!/usr/bin/env bash
# Measures what jiff adds to a wasm32 module, as docs/performance.md quotes it: three tiny
# cdylibs built in a temporary folder with the release profile. `base` does arithmetic only;
# `jiff-tzdb` calls the jiff functions civicflow uses (time zone by name or fixed offset, local
# offsets, ambiguous local times, civil dates and day counts, local date and time fields; not
# jiff's parsers or strftime, which civicflow no longer uses) with the bundled time zone
# database, as civicflow enables it; `jiff-fixed` does the same with fixed offsets only.
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
    use jiff::{civil::Date, tz::{Offset, TimeZone}, Timestamp, Unit};
    let Ok(offset) = Offset::from_seconds(days * 60) else { return -1 };
    let tz = if days > 0 { zone() } else { Some(TimeZone::fixed(offset)) };
    let Some(tz) = tz else { return -1 };
    let Ok(ts) = Timestamp::from_millisecond(ms) else { return -2 };
    let off = i64::from(tz.to_offset(ts).seconds());
    let local = ts.to_zoned_datetime(TimeZone::UTC).datetime();
    let back = tz.to_ambiguous_timestamp(local).compatible().map(|t| t.as_millisecond()).unwrap_or(0);
    let Ok(date) = Date::new(2026, (days % 12 + 1) as i8, 1) else { return -3 };
    let n = date.since((Unit::Day, Date::constant(1970, 1, 1))).map_or(0, |s| i64::from(s.get_days()));
    let later = date.checked_add(jiff::Span::new().days(days)).map_or(0, |d| i64::from(d.day()));
    let t = ts.to_zoned_datetime(tz).datetime();
    off + back + n + later + i64::from(date.days_in_month()) + i64::from(t.year()) + i64::from(t.second())
}'
printf 'fn zone() -> Option<jiff::tz::TimeZone> { jiff::tz::TimeZone::get("Asia/Shanghai").ok() }\n%s\n' "$jiff_body" > "$tmp/jiff-tzdb/src/lib.rs"
printf 'fn zone() -> Option<jiff::tz::TimeZone> { None }\n%s\n' "$jiff_body" > "$tmp/jiff-fixed/src/lib.rs"
(cd "$tmp" && cargo build -q --release --target wasm32-unknown-unknown)
echo "jiff $jiff_version, wasm32-unknown-unknown, opt-level s, lto, panic=abort (no wasm-opt)"
for c in base jiff-fixed jiff-tzdb; do
  f="$tmp/target/wasm32-unknown-unknown/release/${c//-/_}.wasm"
  printf '%-11s %8d bytes raw %8d bytes gzip -9\n' "$c" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
