// Builds the demo into dist/: the TypeScript type-checked (tsc --strict), bundled by esbuild
// with the templates, organisation, calendar, seeded week and the accounts' posts as JSON, next
// to the page, its style sheet and civicflow's WebAssembly. No server logic: dist/ is static
// files.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
execFileSync(join(here, "node_modules", ".bin", "tsc"), ["-p", join(here, "tsconfig.json")], { stdio: "inherit" });
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  // Graphviz (@viz-js/viz, 1.2 MB) goes to its own chunk, fetched when a graph is first drawn.
  splitting: true,
  target: "es2022",
  minify: true,
  sourcemap: true,
  outdir: dist,
  entryNames: "app",
  logLevel: "warning",
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, f), join(dist, f));
copyFileSync(
  join(here, "node_modules", "civicflow", "wasm", "civicflow_wasm_bg.wasm"),
  join(dist, "civicflow_wasm_bg.wasm"),
);
console.log(`web demo built in ${dist}`);
