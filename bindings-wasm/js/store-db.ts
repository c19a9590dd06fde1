// The statements `civicflow/store` runs, as one interface with a backend per database
// (store-sqlite.ts, store-postgres.ts): the same statements as the Rust store's
// (store/src/db/), on the same tables, created by the same migration files.

import type { CaseWrite, JsonValue } from "./types.js";

/** A stored case: its history, and whether it came from the archive. */
export interface StoredCase {
  history: JsonValue[];
  archived: boolean;
}

/** An effect leased for delivery. */
export interface OutboxRow {
  effect_id: string;
  case_id: string;
  body: JsonValue;
  attempts: number;
}

/** A definition as stored for every worker. */
export interface DefinitionRow {
  kind: string;
  id: string;
  version: number;
  body: JsonValue;
  digest: string;
  at: number;
}

/** A closed case moved to the archive. */
export interface ArchiveRow {
  case_id: string;
  workflow: string;
  version: number;
  head: string;
  history: JsonValue[];
  at: number;
}

/** @internal One connection to the database. Each method is one statement or a short group. */
export interface Db {
  migrations(): Promise<number[]>;
  migrate(number: number, script: string): Promise<void>;
  begin(): Promise<void>;
  beginRead(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  nowMs(): Promise<number>;
  lockKeys(keys: string[]): Promise<void>;
  lockDefinitions(exclusive: boolean): Promise<void>;
  definitionsAfter(seq: number): Promise<Array<[number, JsonValue]>>;
  insertDefinition(row: DefinitionRow): Promise<number>;
  storedAnswer(requestId: string): Promise<JsonValue | undefined>;
  storeAnswer(requestId: string, caseId: string, answer: JsonValue, at: number): Promise<void>;
  loadCase(caseId: string): Promise<StoredCase | undefined>;
  openCasesWith(citizen: string, matter: string): Promise<string[]>;
  writeCase(write: CaseWrite, revived: JsonValue[] | undefined, now: number): Promise<void>;
  claimDue(now: number, limit: number, leaseMs: number): Promise<string[]>;
  dueTimers(now: number, limit: number): Promise<JsonValue[]>;
  strandedDuplicates(limit: number): Promise<string[]>;
  leaseEffects(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markDelivered(effectId: string, now: number): Promise<void>;
  markFailed(effectId: string, retryAt: number, error: string): Promise<void>;
  countUndelivered(): Promise<number>;
  archivable(before: number, limit: number): Promise<string[]>;
  archiveCase(row: ArchiveRow): Promise<void>;
  openCasesAfter(after: string, limit: number): Promise<string[]>;
  replaceTimers(caseId: string, timers: JsonValue[]): Promise<void>;
  close(): Promise<void>;
}

/** What the store throws for its own failures (the engine's refusals are answers). */
export class StoreError extends Error {
  /**
   * `store.database`, `store.conflict` (retried by the store first), `store.corrupt`,
   * `store.url`, `store.op_not_served` or `store.engine_not_empty`.
   */
  readonly code:
    | "store.database"
    | "store.conflict"
    | "store.corrupt"
    | "store.url"
    | "store.op_not_served"
    | "store.engine_not_empty";

  constructor(code: StoreError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }

  /** Conflicts (a busy SQLite file, a PostgreSQL deadlock or serialization failure) are retried. */
  get transient(): boolean {
    return this.code === "store.conflict";
  }
}

// Strings in Unicode code point order, which is UTF-8 byte order: the order the Rust store
// sorts lock keys in (so that a Rust and a Node worker never wait for each other in a cycle)
// and writes JSON object keys in.
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * JSON text with every object's keys in code point order and no spaces: what the Rust store
 * writes (serde_json's map is ordered), so that both store the same bytes.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    keys.sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  if (typeof value === "number") return number(value);
  return JSON.stringify(value) ?? "null";
}

// A number as serde_json writes it (ryu): integers as integers; other numbers in decimal for
// exponents -5 to 15, with `.0` when integral (an integral float past 2^53), and else as
// `1.5e16` or `1e-7`. JavaScript writes some of these without a point or an exponent, which
// would read back as an integer.
function number(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return String(x);
  const [mantissa, exponent] = x.toExponential().split("e") as [string, string];
  const e = Number(exponent);
  if (e >= -5 && e <= 15) {
    const decimal = String(x);
    return decimal.includes(".") ? decimal : `${decimal}.0`;
  }
  return `${mantissa}e${e}`;
}

/** The number of an effect's event and its id, as the outbox keys it. */
export function effectKey(effect: JsonValue): [string, number] {
  const e = effect as { id?: unknown; seq?: unknown };
  return [typeof e.id === "string" ? e.id : "", typeof e.seq === "number" ? e.seq : 0];
}
