// civicflow/store on a SQLite file and on a real PostgreSQL (started by test/pg.js, as the Rust
// store's tests start theirs): the service killed before each statement of a run and run
// again loses, doubles and corrupts nothing; the Rust store and the Node store, sent the same
// week of requests, hold byte-identical histories, and each reads what the other wrote; bad
// input is refused and changes nothing; the jobs fire timers, deliver effects in order and
// archive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { Engine, CivicflowError } from "../pkg/node.mjs";
import { openStore, StoreError } from "../pkg/lib/store.js";
import { canonical } from "../pkg/lib/store-db.js";
import { calendars } from "../pkg/calendars.js";
import { orgs, templates } from "../pkg/templates.js";
import { here, root } from "./helpers.js";
import { drop, fresh } from "./pg.js";

const week = JSON.parse(readFileSync(join(root, "examples/web/data/week.json"), "utf8"));
const worker = join(here, "store", "worker.mjs");
const dir = mkdtempSync(join(tmpdir(), "civicflow-store-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

// Frees what a database of a test holds once it is checked: 300 of them make a run.
async function discard(url) {
  if (url.startsWith("sqlite:")) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(url.slice("sqlite:".length) + suffix, { force: true });
  } else {
    await drop(url);
  }
}
let files = 0;
const sqliteUrl = () => `sqlite:${join(dir, `db-${files++}.db`)}`;

// The `civicflow` binary of the server crate (built once).
let binary;
function civicflow(...args) {
  if (binary === undefined) {
    execFileSync("cargo", ["build", "-q", "-p", "civicflow-server"], { cwd: root, stdio: "inherit" });
    binary = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "civicflow");
  }
  return execFileSync(binary, args, { cwd: dir, encoding: "utf8" });
}

function runWorker(url, killAt = 0, steps = 12) {
  const r = spawnSync(process.execPath, [worker], {
    env: { ...process.env, CF_STORE_URL: url, CF_KILL_AT: String(killAt), CF_STEPS: String(steps) },
    encoding: "utf8",
  });
  return { signal: r.signal, status: r.status, out: r.stdout, err: r.stderr };
}

// What a store holds, as text, leaving out when it was written (the wall clock).
const TABLES = {
  events: "SELECT case_id, seq, body FROM events ORDER BY case_id, seq",
  cases: "SELECT case_id, workflow, wf_version, state, terminal, version, head, citizen_key, matter_key, primary_id, appeal_of, opened_at, updated_at FROM cases ORDER BY case_id",
  timers: "SELECT case_id, slot, due_at, body, leased_until FROM timers ORDER BY case_id, slot",
  outbox: "SELECT effect_id, case_id, seq, body, attempts, delivered_at FROM outbox ORDER BY effect_id",
  requests: "SELECT request_id, case_id, answer FROM requests ORDER BY request_id",
  archive: "SELECT case_id, workflow, version, head, history FROM archive ORDER BY case_id",
};

async function dump(url) {
  const out = {};
  if (url.startsWith("sqlite:")) {
    const db = new Database(url.slice("sqlite:".length), { readonly: true });
    for (const [t, sql] of Object.entries(TABLES)) out[t] = db.prepare(sql).raw(true).all();
    db.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const [t, sql] of Object.entries(TABLES)) {
      // jsonb as its text: what is stored, not a re-parse.
      const text = sql.replace(/\bbody\b/g, "body::text").replace(/\banswer\b/g, "answer::text").replace(/\bhistory\b/g, "history::text");
      out[t] = (await client.query({ text, rowMode: "array" })).rows.map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
    }
    await client.end();
  }
  return out;
}

// Every statement of a run, killed before it, then the whole run again: each time the same
// database as a run never killed, and `civicflow check` (the Rust store) finds it sound.
async function killedAtEveryStatement(t, newUrl) {
  const reference = await newUrl();
  const clean = runWorker(reference);
  assert.equal(clean.status, 0, clean.err);
  const statements = Number(/(\d+) statements/.exec(clean.out)[1]);
  assert.ok(statements > 50, clean.out);
  const expected = await dump(reference);
  assert.ok(expected.events.length > 12 && expected.outbox.length > 0, "the run stores events and effects");
  for (let k = 1; k <= statements; k++) {
    const url = await newUrl();
    const killed = runWorker(url, k);
    assert.equal(killed.signal, "SIGKILL", `statement ${k}: ${killed.out} ${killed.err}`);
    const again = runWorker(url);
    assert.equal(again.status, 0, `after a kill at statement ${k}: ${again.err}`);
    assert.deepEqual(await dump(url), expected, `after a kill at statement ${k}`);
    if (k % 10 === 0 || k === statements) assert.match(civicflow("check", "--database", url), / 0 problems/);
    await discard(url);
  }
  t.diagnostic(`${statements} statements, each killed once`);
}

test("SQLite: a service killed before any statement loses, doubles and corrupts nothing", async (t) => {
  await killedAtEveryStatement(t, async () => sqliteUrl());
});

test("PostgreSQL: a service killed before any statement loses, doubles and corrupts nothing", async (t) => {
  await killedAtEveryStatement(t, () => fresh("killed"));
});

// The week through the Node store in this process, as `civicflow import` sends it: a
// `fire_due` without a case fires what was due at its `now`.
async function importWeek(url, time = { now: week.start }) {
  const store = await openStore(url, new Engine(), { clock: () => time.now });
  await store.loadCalendar(calendars["cn-mainland"]);
  await store.loadOrg(orgs.qingshan);
  await store.loadWorkflow(templates.township);
  for (const step of week.steps) {
    if (step.op === "fire_due" && step.case_id === undefined) {
      time.now = step.now;
      for (;;) {
        const swept = await store.sweep(1000);
        if (swept.cases === 0 && swept.fired === 0 && swept.followed === 0) break;
      }
      time.now = week.start;
      continue;
    }
    const answer = await store.call(step);
    assert.ok(answer.ok, JSON.stringify(answer));
  }
  return store;
}

for (const [name, newUrl] of [["SQLite", async () => sqliteUrl()], ["PostgreSQL", () => fresh("parity")]]) {
  test(`${name}: the Rust store and the Node store hold the same bytes, and read each other's`, async () => {
    const byRust = await newUrl();
    civicflow("load", "--database", byRust, join(root, "calendars/cn-mainland.json"), join(root, "orgs/qingshan.json"), join(root, "templates/township.json"));
    civicflow("import", "--database", byRust, join(root, "examples/web/data/week.json"));
    const byNode = await newUrl();
    await (await importWeek(byNode)).close();
    const [rust, node] = [await dump(byRust), await dump(byNode)];
    assert.ok(rust.events.length > 70 && rust.timers.length > 0 && rust.outbox.length > 0, `${rust.events.length} events`);
    for (const table of Object.keys(TABLES)) assert.deepEqual(node[table], rust[table], table);
    // Each reads and extends what the other wrote.
    assert.match(civicflow("check", "--database", byNode), / 0 problems/);
    const store = await openStore(byRust, new Engine());
    const open = rust.cases.find((c) => c[1] === "township" && !c[4]);
    const view = await store.getCase(open[0]);
    assert.equal(view.state, open[3]);
    const supervisor = { id: "supervisor@town", roles: ["supervisor"], unit: "town" };
    const supervised = await store.call({ op: "supervise", case_id: open[0], level: "reminder", required: "请说明办理进展", actor: supervisor, at: week.now });
    assert.ok(supervised.ok, JSON.stringify(supervised));
    await store.close();
    assert.match(civicflow("check", "--database", byRust), / 0 problems/);
  });
}

test("bad input: a clear error, and the database unchanged", async () => {
  await assert.rejects(openStore("mysql://x", new Engine()), (e) => e instanceof StoreError && e.code === "store.url");
  const withCase = new Engine();
  withCase.loadWorkflow(JSON.parse(readFileSync(join(root, "tests/workflows/permit.json"), "utf8")));
  withCase.openCase({ case_id: "c-1", workflow: "permit", channel: "web", fields: { applicant: "张三", kind: "repair" }, actor: { id: "u", roles: ["clerk"] }, at: 1 });
  await assert.rejects(openStore(sqliteUrl(), withCase), (e) => e instanceof StoreError && e.code === "store.engine_not_empty");
  const withDefinitions = new Engine();
  withDefinitions.loadCalendar(calendars["cn-mainland"]);
  await assert.rejects(openStore(sqliteUrl(), withDefinitions), (e) => e.code === "store.engine_not_empty");
  const url = sqliteUrl();
  const store = await importWeek(url);
  const before = await dump(url);
  const clerk = { id: "clerk@town", roles: ["clerk"], unit: "town" };
  // A refused command, an unknown case, a request the engine cannot read, an op the store keeps.
  const open = before.cases.find((c) => !c[4])[0];
  const refused = await store.call({ op: "apply", case_id: open, transition: "no_such", actor: clerk, at: week.now });
  assert.equal(refused.ok, false);
  assert.equal(refused.errors[0].code, "case.unknown_transition");
  await assert.rejects(store.apply({ case_id: "W-404", transition: "accept", actor: clerk, at: week.now }), (e) => e instanceof CivicflowError && e.code === "case.not_found");
  // An Invalid Date is refused at its name, as the engine's own methods refuse it.
  const invalidDate = (e) => e instanceof CivicflowError && e.code === "request.invalid" && e.errors[0].path === "/at";
  await assert.rejects(store.apply({ case_id: open, transition: "accept", actor: clerk, at: new Date("x") }), invalidDate);
  await assert.rejects(store.openCase({ workflow: "township", case_id: "W-new", channel: "web", actor: clerk, fields: {}, at: new Date("x") }), invalidDate);
  const unreadable = await store.call({ op: "apply", case_id: 7 });
  assert.equal(unreadable.errors[0].code, "request.invalid");
  await assert.rejects(store.call({ op: "snapshot" }), (e) => e instanceof StoreError && e.code === "store.op_not_served");
  await assert.rejects(store.call({ op: "list_cases" }), (e) => e.code === "store.op_not_served");
  assert.deepEqual(await dump(url), before);
  await store.close();
  await assert.rejects(store.getCase("W-01"), (e) => e instanceof StoreError && /closed/.test(e.message));
});

test("JSON is written in the Rust store's bytes: keys in code point order, numbers as serde_json writes them", () => {
  assert.equal(canonical({ b: 1, a: [true, null, "x"], "é": {}, "\u{1F600}": 0, "\uFFFF": 0 }), '{"a":[true,null,"x"],"b":1,"é":{},"\uFFFF":0,"\u{1F600}":0}');
  const numbers = [0, -3, 2 ** 53 - 1, 2 ** 53 + 2, 1e15 + 0.5, 1e16, 1.2345e20, 1e21, 0.1, 123.456, 1e-5, 1e-6, 1.5e-7, -2.5e-8];
  assert.deepEqual(numbers.map(canonical), [
    "0", "-3", "9007199254740991", "9007199254740994.0", "1000000000000000.5", "1e16", "1.2345e20", "1e21",
    "0.1", "123.456", "0.00001", "1e-6", "1.5e-7", "-2.5e-8",
  ]);
});

test("deliver may call the store, and a slow one holds up no request", async () => {
  const url = sqliteUrl();
  const time = { now: week.start };
  const store = await importWeek(url, time);
  let calls = 0;
  const done = store.dispatch(async (effect) => {
    calls++;
    const view = await store.getCase(effect.case_id); // through the store, while it delivers
    assert.equal(view.id, effect.case_id);
  }, 5);
  const meanwhile = await store.getCase("W-01");
  assert.equal(meanwhile.id, "W-01");
  const result = await done;
  assert.equal(result.delivered, calls);
  assert.ok(calls > 0);
  await store.close();
});

test("the jobs fire timers, deliver each case's effects in order, and archive", async () => {
  const url = sqliteUrl();
  const time = { now: week.start };
  const store = await importWeek(url, time);
  const delivered = [];
  let failOnce = true;
  const deliver = (effect) => {
    if (failOnce) {
      failOnce = false;
      throw new Error("the channel is down");
    }
    delivered.push(effect);
  };
  // Everything the week queued, then a failed attempt retried after its backoff.
  for (let i = 0; i < 100 && (await store.undelivered()) > 0; i++) {
    await store.dispatch(deliver, 1000, 0);
    time.now += 1000; // past the failed attempt's backoff, in time
  }
  assert.equal(await store.undelivered(), 0);
  const stored = (await dump(url)).outbox;
  assert.equal(delivered.length, stored.length);
  const order = new Map();
  for (const e of delivered) {
    const seqs = order.get(e.case_id) ?? [];
    seqs.push(e.body.seq);
    order.set(e.case_id, seqs);
  }
  for (const [caseId, seqs] of order) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), caseId);
  // Closed cases with nothing left to deliver go to the archive; a command brings one back.
  time.now = week.now + 1;
  const archived = await store.archive(0);
  assert.ok(archived > 0);
  const { archive } = await dump(url);
  assert.equal(archive.length, archived);
  const view = await store.getCase(archive[0][0]);
  assert.equal(view.terminal, true);
  assert.match(civicflow("check", "--database", url), / 0 problems/);
  // start(): the loop fires what is due by the store's clock.
  const next = await store.nextDue();
  assert.ok(next !== undefined);
  await store.close();
  const later = await openStore(url, new Engine(), { clock: () => next.due_at });
  const stop = later.start({ deliver: () => {}, everyMs: 10 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await stop();
  const after = await later.nextDue();
  assert.ok(after === undefined || after.due_at > next.due_at, JSON.stringify(after));
  await later.close();
});
