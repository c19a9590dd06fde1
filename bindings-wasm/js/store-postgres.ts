// `civicflow/store` on PostgreSQL, through pg (an optional peer dependency): the statements of
// the Rust store's store/src/db/postgres.rs, with the same advisory locks, so that Rust and
// Node workers can share one database.

import type { CaseWrite, JsonValue } from "./types.js";
import { canonical, effectKey, StoreError, type ArchiveRow, type Db, type DefinitionRow, type OutboxRow, type StoredCase } from "./store-db.js";

// The part of pg's API the store uses.
interface Client {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: "error", listener: (e: Error) => void): void;
}
interface Pg {
  Client: new (config: { connectionString: string; types?: unknown }) => Client;
  types: { getTypeParser(oid: number, format?: string): (text: string) => unknown };
}

// The Rust store's: one lock for the definitions, shared by commands, exclusive to change them.
const DEFINITIONS_LOCK = 0x6366;
// PostgreSQL's BIGINT, which pg reads as a string by default: every one here is a time, a
// version or a count, within 2^53.
const INT8 = 20;

/** @internal Connects to `url` (postgres://...). */
export async function openPostgres(url: string): Promise<Db> {
  const name = "pg";
  let pg: Pg;
  try {
    const module = (await import(name)) as { default?: Pg } & Pg;
    pg = module.default ?? module;
  } catch (e) {
    throw new StoreError("store.database", "PostgreSQL needs the package pg (npm install pg)", { cause: e });
  }
  const types = {
    getTypeParser: (oid: number, format?: string) => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format)),
  };
  const client = new pg.Client({ connectionString: url, types });
  // A connection lost between statements: the next statement fails with it.
  client.on("error", () => {});
  await guard(() => client.connect());
  return new Postgres(client);
}

// Deadlocks, serialization failures and two workers inserting the same row are conflicts,
// retried (as the Rust store does); the rest is the database's.
async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    const code = (e as { code?: unknown }).code;
    const conflict = code === "40001" || code === "40P01" || code === "23505";
    throw new StoreError(conflict ? "store.conflict" : "store.database", `postgres: ${(e as Error).message}`, { cause: e });
  }
}

class Postgres implements Db {
  #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  #query(sql: string, ...values: unknown[]) {
    return guard(() => this.#client.query(sql, values));
  }

  async #strings(sql: string, ...values: unknown[]): Promise<string[]> {
    return (await this.#query(sql, ...values)).rows.map((r) => Object.values(r)[0] as string);
  }

  async #bodies(sql: string, ...values: unknown[]): Promise<JsonValue[]> {
    return (await this.#query(sql, ...values)).rows.map((r) => Object.values(r)[0] as JsonValue);
  }

  async migrations(): Promise<number[]> {
    await this.#query("SELECT pg_advisory_lock(26214, 2)");
    try {
      await this.#query("CREATE TABLE IF NOT EXISTS schema_migrations (number BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL)");
    } finally {
      await this.#query("SELECT pg_advisory_unlock(26214, 2)");
    }
    return (await this.#query("SELECT number FROM schema_migrations ORDER BY number")).rows.map((r) => Number(r.number));
  }

  async migrate(number: number, script: string): Promise<void> {
    await this.#query("BEGIN");
    try {
      // One migrator at a time, however many workers start together.
      await this.#query("SELECT pg_advisory_xact_lock($1, 1)", DEFINITIONS_LOCK);
      const done = await this.#query("SELECT 1 FROM schema_migrations WHERE number = $1", number);
      if (done.rows.length === 0) {
        await guard(() => this.#client.query(script));
        await this.#query("INSERT INTO schema_migrations (number, at) VALUES ($1, now())", number);
      }
      await this.#query("COMMIT");
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  async begin() {
    await this.#query("BEGIN");
  }
  async beginRead() {
    await this.#query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  }
  async commit() {
    await this.#query("COMMIT");
  }
  async rollback() {
    try {
      await this.#client.query("ROLLBACK");
    } catch {
      // A broken connection rolls back by itself.
    }
  }
  async nowMs() {
    const r = await this.#query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now");
    return Number(r.rows[0]?.now);
  }

  async lockKeys(keys: string[]) {
    if (keys.length === 0) return;
    // In the array's order: the caller sorts, so that two commands never wait in a cycle.
    await this.#query(
      "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, i) ORDER BY i",
      keys,
    );
  }

  async lockDefinitions(exclusive: boolean) {
    await this.#query(exclusive ? "SELECT pg_advisory_xact_lock($1)" : "SELECT pg_advisory_xact_lock_shared($1)", DEFINITIONS_LOCK);
  }

  async definitionsAfter(seq: number): Promise<Array<[number, JsonValue]>> {
    const r = await this.#query("SELECT seq, body FROM definitions WHERE seq > $1 ORDER BY seq", seq);
    return r.rows.map((row) => [Number(row.seq), row.body as JsonValue]);
  }

  async insertDefinition(d: DefinitionRow): Promise<number> {
    const r = await this.#query(
      "INSERT INTO definitions (kind, id, version, body, digest, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
      d.kind, d.id, d.version, canonical(d.body), d.digest, d.at,
    );
    return Number(r.rows[0]?.seq);
  }

  async storedAnswer(requestId: string) {
    return (await this.#bodies("SELECT answer FROM requests WHERE request_id = $1", requestId))[0];
  }

  async storeAnswer(requestId: string, caseId: string, answer: JsonValue, at: number) {
    await this.#query(
      "INSERT INTO requests (request_id, case_id, answer, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      requestId, caseId, canonical(answer), at,
    );
  }

  async loadCase(caseId: string): Promise<StoredCase | undefined> {
    const history = await this.#bodies("SELECT body FROM events WHERE case_id = $1 ORDER BY seq", caseId);
    if (history.length > 0) return { history, archived: false };
    const archived = (await this.#bodies("SELECT history FROM archive WHERE case_id = $1", caseId))[0];
    if (archived === undefined) return undefined;
    if (!Array.isArray(archived)) throw new StoreError("store.corrupt", `archived history of ${caseId}`);
    return { history: archived, archived: true };
  }

  async openCasesWith(citizen: string, matter: string) {
    return this.#strings(
      "SELECT case_id FROM cases WHERE citizen_key = $1 AND matter_key = $2 AND NOT terminal ORDER BY case_id",
      citizen, matter,
    );
  }

  async writeCase(w: CaseWrite, revived: JsonValue[] | undefined, now: number) {
    const row = w.row;
    const old = row.version - w.events.length;
    if (revived !== undefined) {
      await this.#query("DELETE FROM archive WHERE case_id = $1", w.case_id);
      await this.#insertEvents(w.case_id, revived, now);
    }
    await this.#insertEvents(w.case_id, w.events as unknown as JsonValue[], now);
    const changed = await this.#query(
      `INSERT INTO cases (case_id, workflow, wf_version, state, terminal, version, head, citizen_key, matter_key, primary_id, appeal_of, opened_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, wf_version = excluded.wf_version,
         state = excluded.state, terminal = excluded.terminal, version = excluded.version, head = excluded.head,
         citizen_key = excluded.citizen_key, matter_key = excluded.matter_key, primary_id = excluded.primary_id,
         appeal_of = excluded.appeal_of, updated_at = excluded.updated_at
       WHERE cases.version = $14`,
      w.case_id, row.workflow, row.workflow_version, row.state, row.terminal, row.version, row.head,
      row.keys?.citizen ?? null, row.keys?.matter ?? null, row.primary ?? null, row.appeal_of ?? null,
      row.opened_at, row.updated_at, old,
    );
    if (changed.rowCount !== 1) throw new StoreError("store.conflict", `case ${w.case_id} moved past version ${old}`);
    await this.replaceTimers(w.case_id, w.timers as unknown as JsonValue[]);
    const effects = (w.effects ?? []) as unknown as JsonValue[];
    if (effects.length > 0) {
      await this.#query(
        `INSERT INTO outbox (effect_id, case_id, seq, body)
         SELECT id, $2, seq, body FROM unnest($1::text[], $3::bigint[]) WITH ORDINALITY AS t(id, seq, i)
         JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS b(body, j) ON i = j ORDER BY i`,
        effects.map((e) => effectKey(e)[0]), w.case_id, effects.map((e) => effectKey(e)[1]), canonical(effects),
      );
    }
  }

  async #insertEvents(caseId: string, events: JsonValue[], now: number) {
    if (events.length === 0) return;
    await this.#query(
      `INSERT INTO events (case_id, seq, body, committed_at)
       SELECT $1, (e->>'seq')::bigint, e, $3 FROM jsonb_array_elements($2::jsonb) AS t(e)`,
      caseId, canonical(events), now,
    );
  }

  async claimDue(now: number, limit: number, leaseMs: number) {
    const claimed = await this.#strings(
      `UPDATE timers t SET leased_until = $2 FROM (
         SELECT case_id, slot FROM timers WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
         ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) d
       WHERE t.case_id = d.case_id AND t.slot = d.slot RETURNING t.case_id`,
      now, now + leaseMs, limit,
    );
    return [...new Set(claimed)];
  }

  async dueTimers(now: number, limit: number) {
    return this.#bodies("SELECT body FROM timers WHERE due_at <= $1 ORDER BY due_at, case_id, slot LIMIT $2", now, limit);
  }

  async strandedDuplicates(limit: number) {
    return this.#strings(
      `SELECT d.case_id FROM cases d JOIN cases p ON p.case_id = d.primary_id
       WHERE NOT d.terminal AND p.terminal ORDER BY d.case_id LIMIT $1`,
      limit,
    );
  }

  async leaseEffects(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const r = await this.#query(
      `UPDATE outbox o SET leased_until = $2, attempts = o.attempts + 1 FROM (
         SELECT x.ord FROM outbox x
         WHERE x.delivered_at IS NULL AND (x.leased_until IS NULL OR x.leased_until < $1)
           AND NOT EXISTS (SELECT 1 FROM outbox y
             WHERE y.case_id = x.case_id AND y.delivered_at IS NULL AND y.ord < x.ord)
         ORDER BY x.ord LIMIT $3 FOR UPDATE SKIP LOCKED) c
       WHERE o.ord = c.ord RETURNING o.effect_id, o.case_id, o.body, o.attempts, o.ord`,
      now, now + leaseMs, limit,
    );
    const rows = r.rows as unknown as Array<OutboxRow & { ord: number }>;
    rows.sort((a, b) => a.ord - b.ord);
    return rows.map((x) => ({ effect_id: x.effect_id, case_id: x.case_id, body: x.body, attempts: x.attempts }));
  }

  async markDelivered(effectId: string, now: number) {
    await this.#query("UPDATE outbox SET delivered_at = $2, leased_until = NULL WHERE effect_id = $1", effectId, now);
  }

  async markFailed(effectId: string, retryAt: number, error: string) {
    await this.#query("UPDATE outbox SET leased_until = $2, last_error = $3 WHERE effect_id = $1", effectId, retryAt, error);
  }

  async countUndelivered() {
    const r = await this.#query("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL");
    return Number(r.rows[0]?.n);
  }

  async archivable(before: number, limit: number) {
    return this.#strings(
      `SELECT c.case_id FROM cases c WHERE c.terminal AND c.updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.case_id AND o.delivered_at IS NULL)
       ORDER BY c.updated_at LIMIT $2`,
      before, limit,
    );
  }

  async archiveCase(a: ArchiveRow) {
    await this.#query(
      "INSERT INTO archive (case_id, workflow, version, head, history, archived_at) VALUES ($1, $2, $3, $4, $5, $6)",
      a.case_id, a.workflow, a.version, a.head, canonical(a.history), a.at,
    );
    for (const table of ["events", "timers", "cases"]) await this.#query(`DELETE FROM ${table} WHERE case_id = $1`, a.case_id);
  }

  async openCasesAfter(after: string, limit: number) {
    return this.#strings("SELECT case_id FROM cases WHERE NOT terminal AND case_id > $1 ORDER BY case_id LIMIT $2", after, limit);
  }

  async replaceTimers(caseId: string, timers: JsonValue[]) {
    await this.#query("DELETE FROM timers WHERE case_id = $1", caseId);
    if (timers.length === 0) return;
    await this.#query(
      `INSERT INTO timers (case_id, slot, due_at, body)
       SELECT $1, i - 1, (b->>'due_at')::bigint, b FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(b, i)`,
      caseId, canonical(timers),
    );
  }

  async close() {
    await this.#client.end();
  }
}
