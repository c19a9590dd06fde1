// Shared by the Node tests: paths, the scenarios, a package installed from its tarball, and a
// static server and Chromium for the browser tests.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
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

const contentTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

/**
 * Serves the files of `dir` on 127.0.0.1 (a free port), only those under one of `allowed`
 * (paths relative to `dir`); `/` is `index.html`. Answers the listening server.
 */
export function serveStatic(dir, allowed = [""]) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "") || "index.html";
    const file = join(dir, path);
    const servable = !path.startsWith("..") && allowed.some((p) => path.startsWith(p));
    if (!servable || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": contentTypes[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

/** Debian's Chromium (or `$CHROMIUM`), headless and quiet, driven by playwright-core. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
