// Shared by the Node tests: paths, the scenarios, and a package installed from its tarball.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { scenarioFiles } from "./conformance.js";

export const here = dirname(fileURLToPath(import.meta.url));
export const wasmDir = resolve(here, "..");
export const root = resolve(wasmDir, "..");
export const pkgDir = join(wasmDir, "pkg");

export function scenarios() {
  const dir = join(root, "tests", "scenarios");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const scenario = JSON.parse(readFileSync(file, "utf8"));
      const files = {};
      for (const p of scenarioFiles(scenario)) {
        files[p] = JSON.parse(readFileSync(resolve(dir, p), "utf8"));
      }
      return { name: f, scenario, files };
    });
}

let tarball;
/** `npm pack` of pkg/, once per process. */
export function packedTarball() {
  if (tarball === undefined) {
    const out = mkdtempSync(join(tmpdir(), "civicflow-pack-"));
    const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out, pkgDir], {
      encoding: "utf8",
    }).trim();
    tarball = join(out, name.split("\n").pop());
  }
  return tarball;
}

/** A fresh project with the packed package installed, as a user gets it. */
export function projectWithPackage(type) {
  const dir = mkdtempSync(join(tmpdir(), `civicflow-${type}-`));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `try-civicflow-${type}`, private: true, type }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", packedTarball()], {
    cwd: dir,
  });
  return dir;
}

export function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: "utf8" });
}

export function write(dir, file, text) {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}
