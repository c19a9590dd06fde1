#!/usr/bin/env bash
# Builds the npm package `civicflow` into bindings-wasm/pkg/, installing what it needs first:
# the wasm32 target, wasm-bindgen-cli at the exact version in Cargo.lock, and the npm dev tools
# (binaryen's wasm-opt, TypeScript) from package-lock.json. Prints the size of each file a
# browser downloads.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "== tools"
rustup target list --installed | grep -qx wasm32-unknown-unknown ||
  rustup target add wasm32-unknown-unknown
want="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  # Without --locked: with it, one of the CLI's locked dependencies is missing from crates.io.
  cargo install wasm-bindgen-cli --version "$want"
fi
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== wasm"
# Two builds of one source: the browser's module for size (wasm-release, opt-level "z"), and
# Node's for speed (wasm-node, opt-level 2): a server keeps one engine for hours, a page
# downloads its module first. Each glue loads its own module by name.
cargo build -p civicflow-wasm --target wasm32-unknown-unknown --profile wasm-release
cargo build -p civicflow-wasm --target wasm32-unknown-unknown --profile wasm-node
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/civicflow_wasm.wasm"
wasm_node="$target_dir/wasm32-unknown-unknown/wasm-node/civicflow_wasm.wasm"

out="$here/pkg"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
rm -rf "$out"
mkdir -p "$out/wasm" "$out/lib" "$stage/lib"

wasm-bindgen --target nodejs --out-dir "$stage/node" "$wasm_node"
wasm-bindgen --target web --out-dir "$stage/web" "$wasm"
# wasm-opt from npm's binaryen: Debian's older one breaks wasm-bindgen output.
"$here/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers \
  "$stage/web/civicflow_wasm_bg.wasm" -o "$out/wasm/civicflow_wasm_bg.wasm"
"$here/node_modules/.bin/wasm-opt" -O2 --strip-debug --strip-producers \
  "$stage/node/civicflow_wasm_bg.wasm" -o "$out/wasm/civicflow_wasm_node.wasm"
# The raw glue is internal: its own .d.ts is not shipped, so drop the pointer to it.
sed '/@ts-self-types/d; s/civicflow_wasm_bg\.wasm/civicflow_wasm_node.wasm/' "$stage/node/civicflow_wasm.js" \
  >"$out/wasm/civicflow_wasm.cjs"
grep -q civicflow_wasm_node.wasm "$out/wasm/civicflow_wasm.cjs" || {
  echo "the Node glue no longer names civicflow_wasm_bg.wasm: update build.sh" >&2
  exit 1
}
sed '/@ts-self-types/d' "$stage/web/civicflow_wasm.js" >"$out/wasm/civicflow_wasm.js"

echo "== typescript"
# One source, two module formats: tsc emits .js/.d.ts from .ts and .cjs/.d.cts from .cts.
# civicflow/store's migrations: the Rust store's SQL files (store/migrations/), as a module.
node -e '
  const fs = require("fs"), path = require("path");
  const [root, out] = process.argv.slice(1);
  const kinds = {};
  for (const kind of ["sqlite", "postgres"]) {
    const dir = path.join(root, "store", "migrations", kind);
    kinds[kind] = fs.readdirSync(dir).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort()
      .map((f) => [Number(f.slice(0, 4)), fs.readFileSync(path.join(dir, f), "utf8")]);
  }
  fs.writeFileSync(out, "// The store'"'"'s migrations, from store/migrations/ of the repository (build.sh). Do not edit.\n" +
    "/** @internal */\nexport const MIGRATIONS: Record<\"sqlite\" | \"postgres\", Array<[number, string]>> = " +
    JSON.stringify(kinds) + ";\n");
' "$root" "$here/js/.store-migrations.ts"
# The Node entry's types, for the store's import of the error class it throws.
echo 'export { CivicflowError, Engine } from "./lib/engine.js";' >"$stage/node.d.mts"
echo 'export { CivicflowError, Engine } from "./lib/engine.cjs";' >"$stage/node.d.cts"
for f in engine constants store store-db store-sqlite store-postgres; do
  cp "$here/js/$f.ts" "$stage/lib/$f.ts"
  sed -E 's#"\./([a-z-]+)\.js"#"./\1.cjs"#g; s#"\.\./node\.mjs"#"../node.cjs"#' "$here/js/$f.ts" >"$stage/lib/$f.cts"
done
cp "$here/js/.store-migrations.ts" "$stage/lib/store-migrations.ts"
cp "$here/js/.store-migrations.ts" "$stage/lib/store-migrations.cts"
rm "$here/js/.store-migrations.ts"
cp "$here/js/types.d.ts" "$stage/lib/types.d.ts"
cp "$here/js/types.d.ts" "$stage/lib/types.d.cts"
echo '{"type": "module"}' >"$stage/lib/package.json"
cp "$here/js/tsconfig.lib.json" "$stage/lib/tsconfig.json"
"$here/node_modules/.bin/tsc" -p "$stage/lib/tsconfig.json"
cp "$stage/lib/out/"* "$stage/lib/types.d.ts" "$stage/lib/types.d.cts" "$out/lib/"

echo "== raw module types"
# The hand-written RawModule and RawEngine of engine.ts must accept what wasm-bindgen declares
# for the module it generated: a method renamed or retyped in Rust fails here, not at run time.
# (skipLibCheck: the generated .d.ts also declares the data types, which name `JsonValue` from
# the package's own types.d.ts.)
mkdir -p "$stage/check"
cat >"$stage/check/check.ts" <<'TS'
import type { RawModule } from "../lib/engine.cjs";
import * as generated from "../node/civicflow_wasm.js";
export const raw: RawModule = generated;
TS
cat >"$stage/check/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "module": "node16",
    "moduleResolution": "node16",
    "target": "ES2022",
    "lib": ["ES2022", "ESNext.Disposable"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true
  },
  "files": ["check.ts"]
}
JSON
"$here/node_modules/.bin/tsc" -p "$stage/check/tsconfig.json"

echo "== documents"
# civicflow/templates and civicflow/calendars: the repository's templates/, orgs/ and
# calendars/ as typed values.
node "$here/js/documents.mjs" "$root" "$out"

echo "== package"
cp "$here/js/index.js" "$here/js/index.d.ts" "$here/js/web.js" "$here/js/web.d.ts" \
  "$here/js/node.cjs" "$here/js/node.mjs" "$here/js/node.d.cts" "$out/"
cp "$here/README.npm.md" "$out/README.md"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" "$here/js/package.json" >"$out/package.json"

echo "== size"
# What a browser downloads with civicflow/web, and the packed tarball: printed, and written
# into docs/javascript.md between its size markers, so that the docs' figures are this
# build's and never typed by hand.
table="$stage/size.md"
{
  echo "| file | raw bytes | gzipped |"
  echo "|---|---|---|"
  total=0
  total_raw=0
  for f in wasm/civicflow_wasm_bg.wasm wasm/civicflow_wasm.js web.js lib/engine.js; do
    raw="$(wc -c <"$out/$f")"
    gz="$(gzip -9c "$out/$f" | wc -c)"
    total=$((total + gz))
    total_raw=$((total_raw + raw))
    echo "| \`$f\` | $raw | $gz |"
  done
  echo "| **what a browser downloads** | **$total_raw** | **$total** |"
  packed="$(cd "$out" && npm pack --dry-run --json 2>/dev/null | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const [p]=JSON.parse(s);console.log(p.size+" "+p.unpackedSize+" "+p.entryCount)})')"
  read -r size unpacked entries <<<"$packed"
  echo "| npm tarball ($entries files) | $unpacked unpacked | $size packed |"
} >"$table"
cat "$table"
node -e '
  const fs = require("fs");
  const [doc, table] = process.argv.slice(1);
  const text = fs.readFileSync(doc, "utf8");
  const begin = "<!-- size: written by bindings-wasm/build.sh -->\n";
  const end = "<!-- /size -->";
  const i = text.indexOf(begin), j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${doc}: no size markers`);
  fs.writeFileSync(doc, text.slice(0, i + begin.length) + fs.readFileSync(table, "utf8") + text.slice(j));
' "$root/docs/javascript.md" "$table"
