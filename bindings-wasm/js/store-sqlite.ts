// `civicflow/store` on SQLite, through better-sqlite3 (an optional peer dependency): the
// statements of the Rust store's store/src/db/sqlite.rs, with the same pragmas (WAL,
// synchronous=FULL) and bodies written as the same JSON text.

import type { CaseWrite, JsonValue } from "./types.js";
import { canonical, effectKey, StoreError, type ArchiveRow, type Db, type DefinitionRow, type OutboxRow, type StoredCase } from "./store-db.js";

// The part of better-sqlite3's API the store uses.
interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  pluck(on?: boolean): Statement;
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(text: string): unknown;
  close(): void;
}
type Open = new (path: string, options?: { timeout?: number }) => Database;

/** @internal Opens `path` (a file, created if missing). */
export async function openSqlite(path: string): Promise<Db> {
  const name = "better-sqlite3";
  let open: Open;
  try {
    open = ((await import(name)) as { default: Open }).default;
  } catch (e) {
    throw new StoreError("store.database", "SQLite needs the package better-sqlite3 (npm install better-sqlite3@12)", { cause: e });
  }
  // better-sqlite3 waits for a busy file synchronously, stopping the event loop: a short wait
  // here, and the store's retries (which yield) for longer ones.
  return new Sqlite(wrap(() => new open(path, { timeout: 100 })));
}

// better-sqlite3 throws SqliteError: a busy or locked file is a conflict, retried.
function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    const code = (e as { code?: unknown }).code;
    const busy = typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
    throw new StoreError(busy ? "store.conflict" : "store.database", `sqlite: ${(e as Error).message}`, { cause: e });
  }
}

const parse = (text: unknown) => JSON.parse(String(text)) as JsonValue;

class Sqlite implements Db {
  #db: Database;
  #statements = new Map<string, Statement>();

  constructor(db: Database) {
    this.#db = db;
    wrap(() => {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
    });
  }

  #s(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = wrap(() => this.#db.prepare(sql));
      this.#statements.set(sql, s);
    }
    return s;
  }

  #run(sql: string, ...params: unknown[]) {
    return wrap(() => this.#s(sql).run(...params));
  }

  #strings(sql: string, ...params: unknown[]): string[] {
    return wrap(() => this.#s(sql).pluck(true).all(...params) as string[]);
  }

  #bodies(sql: string, ...params: unknown[]): JsonValue[] {
    return this.#strings(sql, ...params).map(parse);
  }

  async migrations(): Promise<number[]> {
    wrap(() => this.#db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, at INTEGER NOT NULL)"));
    return wrap(() => this.#db.prepare("SELECT number FROM schema_migrations ORDER BY number").pluck(true).all() as number[]);
  }

  async migrate(number: number, script: string): Promise<void> {
    wrap(() => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        this.#db.exec(script);
        this.#db.prepare("INSERT INTO schema_migrations (number, at) VALUES (?, ?)").run(number, Date.now());
        this.#db.exec("COMMIT");
      } catch (e) {
        this.#db.exec("ROLLBACK");
        throw e;
      }
    });
  }

  async begin() {
    wrap(() => this.#db.exec("BEGIN IMMEDIATE"));
  }
  async beginRead() {
    wrap(() => this.#db.exec("BEGIN DEFERRED"));
  }
  async commit() {
    wrap(() => this.#db.exec("COMMIT"));
  }
  async rollback() {
    try {
      this.#db.exec("ROLLBACK");
    } catch {
      // No transaction open: nothing to undo.
    }
  }
  async nowMs() {
    return Date.now();
  }
  // One writer at a time holds the whole file: nothing finer to lock.
  async lockKeys() {}
  async lockDefinitions() {}

  async definitionsAfter(seq: number): Promise<Array<[number, JsonValue]>> {
    const rows = wrap(() => this.#s("SELECT seq, body FROM definitions WHERE seq > ? ORDER BY seq").pluck(false).all(seq)) as Array<{ seq: number; body: string }>;
    return rows.map((r) => [r.seq, parse(r.body)]);
  }

  async insertDefinition(d: DefinitionRow): Promise<number> {
    const sql = "INSERT INTO definitions (kind, id, version, body, digest, at) VALUES (?, ?, ?, ?, ?, ?)";
    return Number(this.#run(sql, d.kind, d.id, d.version, canonical(d.body), d.digest, d.at).lastInsertRowid);
  }

  async storedAnswer(requestId: string) {
    return this.#bodies("SELECT answer FROM requests WHERE request_id = ?", requestId)[0];
  }

  async storeAnswer(requestId: string, caseId: string, answer: JsonValue, at: number) {
    const sql = "INSERT INTO requests (request_id, case_id, answer, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
    this.#run(sql, requestId, caseId, canonical(answer), at);
  }

  async loadCase(caseId: string): Promise<StoredCase | undefined> {
    const history = this.#bodies("SELECT body FROM events WHERE case_id = ? ORDER BY seq", caseId);
    if (history.length > 0) return { history, archived: false };
    const archived = this.#bodies("SELECT history FROM archive WHERE case_id = ?", caseId)[0];
    if (archived === undefined) return undefined;
    if (!Array.isArray(archived)) throw new StoreError("store.corrupt", `archived history of ${caseId}`);
    return { history: archived, archived: true };
  }

  async openCasesWith(citizen: string, matter: string) {
    const sql = "SELECT case_id FROM cases WHERE citizen_key = ? AND matter_key = ? AND terminal = 0 ORDER BY case_id";
    return this.#strings(sql, citizen, matter);
  }

  async writeCase(w: CaseWrite, revived: JsonValue[] | undefined, now: number) {
    const row = w.row;
    const old = row.version - w.events.length;
    if (revived !== undefined) {
      this.#run("DELETE FROM archive WHERE case_id = ?", w.case_id);
      this.#insertEvents(w.case_id, revived, now);
    }
    this.#insertEvents(w.case_id, w.events as unknown as JsonValue[], now);
    const changed = this.#run(
      `INSERT INTO cases (case_id, workflow, wf_version, state, terminal, version, head, citizen_key, matter_key, primary_id, appeal_of, opened_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, wf_version = excluded.wf_version,
         state = excluded.state, terminal = excluded.terminal, version = excluded.version, head = excluded.head,
         citizen_key = excluded.citizen_key, matter_key = excluded.matter_key, primary_id = excluded.primary_id,
         appeal_of = excluded.appeal_of, updated_at = excluded.updated_at
       WHERE cases.version = ?`,
      w.case_id, row.workflow, row.workflow_version, row.state, row.terminal ? 1 : 0, row.version, row.head,
      row.keys?.citizen ?? null, row.keys?.matter ?? null, row.primary ?? null, row.appeal_of ?? null,
      row.opened_at, row.updated_at, old,
    ).changes;
    if (changed !== 1) throw new StoreError("store.conflict", `case ${w.case_id} moved past version ${old}`);
    await this.replaceTimers(w.case_id, w.timers as unknown as JsonValue[]);
    for (const effect of (w.effects ?? []) as unknown as JsonValue[]) {
      const [id, seq] = effectKey(effect);
      this.#run("INSERT INTO outbox (effect_id, case_id, seq, body) VALUES (?, ?, ?, ?)", id, w.case_id, seq, canonical(effect));
    }
  }

  #insertEvents(caseId: string, events: JsonValue[], now: number) {
    for (const event of events) {
      const seq = (event as { seq?: number }).seq ?? -1;
      this.#run("INSERT INTO events (case_id, seq, body, committed_at) VALUES (?, ?, ?, ?)", caseId, seq, canonical(event), now);
    }
  }

  async claimDue(now: number, limit: number, leaseMs: number) {
    const cases = this.#strings(
      `SELECT case_id FROM timers WHERE due_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
       GROUP BY case_id ORDER BY MIN(due_at), case_id LIMIT ?`,
      now, now, limit,
    );
    for (const c of cases) this.#run("UPDATE timers SET leased_until = ? WHERE case_id = ?", now + leaseMs, c);
    return cases;
  }

  async dueTimers(now: number, limit: number) {
    return this.#bodies("SELECT body FROM timers WHERE due_at <= ? ORDER BY due_at, case_id, slot LIMIT ?", now, limit);
  }

  async strandedDuplicates(limit: number) {
    return this.#strings(
      `SELECT d.case_id FROM cases d JOIN cases p ON p.case_id = d.primary_id
       WHERE d.terminal = 0 AND p.terminal = 1 ORDER BY d.case_id LIMIT ?`,
      limit,
    );
  }

  async leaseEffects(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const rows = wrap(() =>
      this.#s(
        `UPDATE outbox SET leased_until = ?, attempts = attempts + 1
         WHERE ord IN (SELECT x.ord FROM outbox x
           WHERE x.delivered_at IS NULL AND (x.leased_until IS NULL OR x.leased_until < ?)
             AND NOT EXISTS (SELECT 1 FROM outbox y
               WHERE y.case_id = x.case_id AND y.delivered_at IS NULL AND y.ord < x.ord)
           ORDER BY x.ord LIMIT ?)
         RETURNING effect_id, case_id, body, attempts, ord`,
      ).pluck(false).all(now + leaseMs, now, limit),
    ) as Array<OutboxRow & { body: string; ord: number }>;
    rows.sort((a, b) => a.ord - b.ord);
    return rows.map((r) => ({ effect_id: r.effect_id, case_id: r.case_id, body: parse(r.body), attempts: r.attempts }));
  }

  async markDelivered(effectId: string, now: number) {
    this.#run("UPDATE outbox SET delivered_at = ?, leased_until = NULL WHERE effect_id = ?", now, effectId);
  }

  async markFailed(effectId: string, retryAt: number, error: string) {
    this.#run("UPDATE outbox SET leased_until = ?, last_error = ? WHERE effect_id = ?", retryAt, error, effectId);
  }

  async countUndelivered() {
    return Number(wrap(() => this.#s("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").pluck(true).get()));
  }

  async archivable(before: number, limit: number) {
    return this.#strings(
      `SELECT c.case_id FROM cases c WHERE c.terminal = 1 AND c.updated_at < ?
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.case_id AND o.delivered_at IS NULL)
       ORDER BY c.updated_at LIMIT ?`,
      before, limit,
    );
  }

  async archiveCase(a: ArchiveRow) {
    this.#run(
      "INSERT INTO archive (case_id, workflow, version, head, history, archived_at) VALUES (?, ?, ?, ?, ?, ?)",
      a.case_id, a.workflow, a.version, a.head, canonical(a.history), a.at,
    );
    for (const table of ["events", "timers", "cases"]) this.#run(`DELETE FROM ${table} WHERE case_id = ?`, a.case_id);
  }

  async openCasesAfter(after: string, limit: number) {
    return this.#strings("SELECT case_id FROM cases WHERE terminal = 0 AND case_id > ? ORDER BY case_id LIMIT ?", after, limit);
  }

  async replaceTimers(caseId: string, timers: JsonValue[]) {
    this.#run("DELETE FROM timers WHERE case_id = ?", caseId);
    timers.forEach((timer, slot) => {
      const due = (timer as { due_at?: number }).due_at ?? 0;
      this.#run("INSERT INTO timers (case_id, slot, due_at, body) VALUES (?, ?, ?, ?)", caseId, slot, due, canonical(timer));
    });
  }

  async close() {
    this.#db.close();
  }
}
