// webpack 5 through its Node API, configured with an entry and an output only: the `.wasm`
// (a `new URL(..., import.meta.url)` asset) and the top-level await need nothing more.
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import webpack from "webpack";

const dist = resolve("dist");
const config = { mode: "production", entry: "./main.js", output: { path: dist, filename: "main.js" } };
webpack(config, (err, stats) => {
  if (err || stats.hasErrors()) {
    console.error(err ?? stats.toString("errors-only"));
    process.exit(1);
  }
  mkdirSync(dist, { recursive: true });
  copyFileSync("index.html", join(dist, "index.html"));
});
