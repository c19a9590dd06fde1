// A real PostgreSQL for the store's tests, as the Rust store's tests start one
// (store/tests/common/pg.rs): Debian's newest `postgresql` binaries, `initdb` in a temporary
// folder (as the `postgres` user when run as root), a Unix socket only, stopped by a watchdog
// when the test process ends. Every test gets a database of its own.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const root = process.getuid?.() === 0;
let cluster;

function pgbin() {
  const majors = readdirSync("/usr/lib/postgresql").map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  if (majors.length === 0) throw new Error("no /usr/lib/postgresql/<major>: install Debian's postgresql");
  return `/usr/lib/postgresql/${majors[majors.length - 1]}/bin`;
}

function asPostgres(program, args) {
  const [cmd, all] = root ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
  execFileSync(cmd, all, { cwd: "/", stdio: ["ignore", "ignore", "inherit"] });
}

/** The cluster's socket folder, started on first use. */
export function socket() {
  if (cluster !== undefined) return cluster;
  const dir = join(tmpdir(), `civicflow-node-pg-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  if (root) execFileSync("chown", ["postgres:", dir]);
  const data = join(dir, "data");
  const bin = pgbin();
  asPostgres(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-k ${dir} -c listen_addresses='' -c max_connections=200 -c fsync=off -c synchronous_commit=on`;
  asPostgres(`${bin}/pg_ctl`, ["-D", data, "-l", join(dir, "log"), "-w", "-o", options, "start"]);
  // Stops the cluster when this process ends, however it ends.
  const runas = root ? "runuser -u postgres --" : "";
  const watchdog = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; ${runas} ${bin}/pg_ctl -D ${data} -m immediate stop >/dev/null 2>&1; rm -rf ${dir}`;
  spawn("sh", ["-c", watchdog], { detached: true, stdio: "ignore" }).unref();
  cluster = dir;
  return dir;
}

/** Drops a database `fresh` made, once its test is done with it. */
export async function drop(databaseUrl) {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: url("postgres") });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}

/** The URL of database `name` on the cluster. */
export function url(name) {
  return `postgresql://postgres@localhost/${name}?host=${socket()}`;
}

let n = 0;
/** A new empty database, named after the test. */
export async function fresh(prefix) {
  const name = `${prefix}_${process.pid}_${n++}`;
  const client = new pg.Client({ connectionString: url("postgres") });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return url(name);
}
