// `civicflow/store`: an engine's cases kept in SQLite or PostgreSQL, the host protocol of the
// Rust crate civicflow-store (docs/hosting.md) for JavaScript, on the same tables and the same
// migration files, so that a database written by one is read by the other.
//
// One transaction per request: lock what the request's plan names, load those cases from the
// database into a copy of the definitions, run the request, write its write set, commit,
// answer. A failed commit leaves nothing: the copy is dropped with the cases it held.

// The classes of the Node entry, the ones `import { CivicflowError } from "civicflow"` gives
// (build.sh writes "../node.cjs" here in the CommonJS build).
import { CivicflowError, Engine } from "../node.mjs";
import { timed, type Answer, type Op, type Results } from "./engine.js";
import { MIGRATIONS } from "./store-migrations.js";
import type { CaseWrite, JsonValue, Plan, Request } from "./types.js";
import { byCodePoint, StoreError, type Db, type OutboxRow } from "./store-db.js";
import { openSqlite } from "./store-sqlite.js";
import { openPostgres } from "./store-postgres.js";

export { StoreError } from "./store-db.js";
export type { OutboxRow } from "./store-db.js";

/** How long a sweeper's claim keeps other workers off a case's due timers. */
export const CLAIM_LEASE_MS = 30_000;
// Timers fired per `fire_due` of one case before the next; the answer says if more are due.
const FIRE_LIMIT = 100;

/** Delivers one effect; a throw (or rejection) is a failed attempt, retried with backoff. */
export type Deliver = (effect: OutboxRow) => void | Promise<void>;

/** Options of `openStore`. */
export interface StoreOptions {
  /** The time commands, sweeps and leases go by (default: the database's clock). */
  clock?: () => number;
  /** Called before each statement with its number: for tests that fail or kill the store there. */
  onStatement?: (n: number) => void;
}

/** The jobs `start` runs, and how often. */
export interface Jobs {
  /** Delivers each effect (the outbox dispatcher); without it, effects wait in the outbox. */
  deliver?: Deliver;
  /** Pause between rounds, in ms (default 1000): timers fire at most this late. */
  everyMs?: number;
  /** Closed cases whose effects are delivered move to the archive after this many ms. */
  archiveAfterMs?: number;
}

/** The delay before the next attempt at an effect: 1 s, doubling, at most an hour. */
export function backoffMs(attempts: number): number {
  const doublings = Math.min(Math.max(attempts, 1), 13) - 1;
  return Math.min(1000 * 2 ** doublings, 3_600_000);
}

// The ops that change cases (run in a write transaction), read one case, or are answered by
// the definitions alone; the others are the store's own business.
type Route = "define" | "command" | "read" | "due" | "template" | "not_served";

function route(op: string, request: Record<string, unknown>): Route {
  const hasCase = request.case_id !== undefined && request.case_id !== null;
  switch (op) {
    case "load_workflow": case "load_calendar": case "load_org":
      return "define";
    case "open_case": case "apply": case "link_cases": case "follow_primary": case "submit_opinion":
    case "supervise": case "answer_supervision": case "extend":
      return "command";
    case "fire_due":
      return hasCase ? "command" : "not_served";
    case "get_case": case "available_transitions": case "history": case "sla_status": case "case_timers":
    case "public_view":
      return "read";
    case "export_graph":
      return hasCase ? "read" : "template";
    case "due": case "next_due":
      return "due";
    case "replay":
      return request.store === true ? "not_served" : "template";
    case "append_events": case "unload_case": case "archive_case": case "snapshot": case "restore":
    case "drain_outbox": case "ack_effects": case "set_limits": case "set_options": case "get_options":
    case "metrics": case "list_cases":
      return "not_served";
    default:
      return "template";
  }
}

// Node and browsers have them; the package's types lib (ES2022) does not declare them.
declare function setTimeout(f: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;

const isOk = (answer: unknown): boolean => (answer as { ok?: unknown } | null)?.ok === true;

/**
 * Opens a store: `sqlite:path/to/file.db` (better-sqlite3) or `postgres://...` (pg). Runs the
 * migrations not run yet, sets `engine` to keep effects in the host's outbox, and loads the
 * stored definitions into it. `engine` must hold no cases: the store's cases are in the
 * database, and each request runs on a copy of `engine`'s definitions.
 */
export async function openStore(url: string, engine: Engine, options: StoreOptions = {}): Promise<Store> {
  let db: Db;
  let kind: "sqlite" | "postgres";
  if (url.startsWith("sqlite:")) {
    kind = "sqlite";
    db = await openSqlite(url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, ""));
  } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    kind = "postgres";
    db = await openPostgres(url);
  } else {
    throw new StoreError("store.url", `a store URL starts with sqlite: or postgres://, not ${JSON.stringify(url.slice(0, 40))}`);
  }
  try {
    const done = await db.migrations();
    for (const [number, script] of MIGRATIONS[kind]) {
      if (!done.includes(number)) await db.migrate(number, script);
    }
    // Definitions of its own would reach no other worker, and cases opened on them would not
    // load anywhere else: they go through the store (loadWorkflow, ...), which keeps them.
    const empty = new Engine();
    const bare = empty.listWorkflows().digest;
    empty.free();
    if (engine.listCases({ limit: 1 }).total > 0 || engine.listWorkflows().digest !== bare) {
      throw new StoreError(
        "store.engine_not_empty",
        "openStore takes an engine without cases or definitions: the cases are in the database, and definitions are loaded through the store (store.loadWorkflow, loadCalendar, loadOrg) so that every worker has them",
      );
    }
    engine.setOptions({ outbox: "host" });
    const store = new Store(db, engine, options);
    await store.serial(() => store.refresh());
    return store;
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** A store: an engine's cases in a database, one transaction per request. */
export class Store {
  #db: Db;
  #template: Engine;
  #options: StoreOptions;
  #definitionsSeq = 0;
  #statements = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** @internal Use `openStore`. */
  constructor(db: Db, engine: Engine, options: StoreOptions) {
    this.#db = db;
    this.#template = engine;
    this.#options = options;
  }

  // The database, one statement counted.
  #s(): Db {
    this.#statements++;
    this.#options.onStatement?.(this.#statements);
    return this.#db;
  }

  /** @internal Runs `body` after everything queued before it: one connection, one transaction at a time. */
  serial<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new StoreError("store.database", "the store is closed");
      return body();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // Commits when `body` answers [value, true]; rolls back otherwise and on any error.
  async #transaction<T>(body: () => Promise<[T, boolean]>): Promise<T> {
    await this.#s().begin();
    try {
      const [value, write] = await body();
      if (write) {
        await this.#s().commit();
        this.#options.onStatement?.(++this.#statements); // killed here: committed, never answered
      } else {
        await this.#db.rollback();
      }
      return value;
    } catch (e) {
      await this.#db.rollback();
      throw e;
    }
  }

  // A read-only transaction on one snapshot.
  async #read<T>(body: () => Promise<T>): Promise<T> {
    await this.#s().beginRead();
    try {
      return await body();
    } finally {
      await this.#db.rollback();
    }
  }

  // Conflicts (a busy SQLite file included) retried with a growing pause, about 10 s in all;
  // anything else reaches the caller.
  async #retrying<T>(body: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await body();
      } catch (e) {
        if (!(e instanceof StoreError && e.transient) || attempt >= 16) throw e;
        await new Promise<void>((resolve) => setTimeout(() => resolve(), Math.min(4 << attempt, 1000)));
      }
    }
  }

  async #clock(): Promise<number> {
    const fixed = this.#options.clock;
    return fixed === undefined ? this.#s().nowMs() : fixed();
  }

  /** @internal Brings the definitions up to the stored ones. */
  async refresh(): Promise<void> {
    for (const [seq, request] of await this.#s().definitionsAfter(this.#definitionsSeq)) {
      const answer = this.#template.call(request as unknown as Request);
      if (!answer.ok) throw new StoreError("store.corrupt", `definition ${seq} does not load: ${JSON.stringify(answer)}`);
      this.#definitionsSeq = seq;
    }
  }

  /**
   * Answers a request of the JSON API once what it changed is committed: the engine's answer,
   * refusals included. A retried `request_id` gets the stored answer, marked `duplicate`.
   * Throws a `StoreError` for the store's own failures (nothing of the request is kept).
   */
  call<R extends Request>(request: R): Promise<Answer<Results[R["op"]]>> {
    return this.serial(() => this.#call(request as unknown as Record<string, unknown>)) as Promise<Answer<Results[R["op"]]>>;
  }

  async #call(request: Record<string, unknown>): Promise<Answer<unknown>> {
    const op = typeof request?.op === "string" ? request.op : "";
    switch (route(op, request ?? {})) {
      case "define":
        return this.#retrying(() => this.#define(op, request));
      case "command": {
        const answer = await this.#retrying(() => this.#command(request, true));
        await this.#followUp(answer);
        return answer;
      }
      case "read":
        return this.#retrying(() => this.#command(request, false));
      case "due":
        return this.#due(request);
      case "template":
        return this.#read(async () => {
          await this.refresh();
          return this.#template.call(request as unknown as Request);
        });
      case "not_served":
        throw new StoreError(
          "store.op_not_served",
          op === "list_cases"
            ? "`list_cases` scans an engine's cases; a store lists its cases from its tables"
            : `\`${op}\` is the store's own business: it keeps the outbox, snapshots, limits and timers itself`,
        );
    }
  }

  // Ops of the methods below: the answer's result, or a CivicflowError.
  async #result<K extends Op>(op: K, body: object): Promise<Results[K]> {
    const answer = await this.call({ ...body, op } as unknown as Request);
    if (answer.ok) return answer.result as Results[K];
    throw new CivicflowError(answer.errors);
  }

  /** Opens a case (`open_case`), committed before it answers. */
  async openCase(request: Parameters<Engine["openCase"]>[0]): Promise<Results["open_case"]> {
    return this.#result("open_case", dated(request));
  }

  /** Applies a transition (`apply`), committed before it answers. */
  async apply(request: Parameters<Engine["apply"]>[0]): Promise<Results["apply"]> {
    return this.#result("apply", dated(request));
  }

  /** A stored case's view, hot or archived. */
  getCase(caseId: string): Promise<Results["get_case"]> {
    return this.#result("get_case", { case_id: caseId });
  }

  /** A stored case's history. */
  history(caseId: string): Promise<Results["history"]> {
    return this.#result("history", { case_id: caseId });
  }

  /** Loads a workflow for every worker of this database; the same definitions again change nothing. */
  loadWorkflow(definition: Parameters<Engine["loadWorkflow"]>[0]): Promise<Results["load_workflow"]> {
    return this.#result("load_workflow", { definition });
  }

  /** Loads a business calendar for every worker; the same calendar again changes nothing. */
  loadCalendar(calendar: Parameters<Engine["loadCalendar"]>[0]): Promise<Results["load_calendar"]> {
    return this.#result("load_calendar", { calendar });
  }

  /** Loads the organisation for every worker; the same organisation again changes nothing. */
  loadOrg(org: Parameters<Engine["loadOrg"]>[0]): Promise<Results["load_org"]> {
    return this.#result("load_org", { org });
  }

  async #command(request: Record<string, unknown>, write: boolean): Promise<Answer<unknown>> {
    const body = async (): Promise<[Answer<unknown>, boolean]> => {
      if (write) await this.#s().lockDefinitions(false);
      await this.refresh();
      const req: Record<string, unknown> = { ...request };
      const requestId = typeof req.request_id === "string" ? req.request_id : undefined;
      if (write && requestId !== undefined) {
        const stored = await this.#s().storedAnswer(requestId);
        if (stored !== undefined) return [markDuplicate(stored), false];
      }
      const now = await this.#clock();
      if (write) {
        const field = req.op === "fire_due" ? "now" : "at";
        if (req[field] === undefined) req[field] = now;
      }
      const plan = this.#template.call({ op: "plan", request: req as unknown as Request });
      // Not a valid request: the engine's own refusal, with its pointer.
      if (!plan.ok) return [this.#template.call(req as unknown as Request), false];
      const engine = this.#template.cloneDefinitions();
      try {
        const revived = await this.#lockAndLoad(engine, req, plan.result, write);
        // Again under the locks: the same request, retried on another worker at the same
        // time, may have committed while this one waited.
        if (write && requestId !== undefined) {
          const stored = await this.#s().storedAnswer(requestId);
          if (stored !== undefined) return [markDuplicate(stored), false];
        }
        const answer = engine.call(req as unknown as Request) as Answer<{ writes?: CaseWrite[] }>;
        const writes = answer.ok ? answer.result.writes ?? [] : [];
        if (!write || !answer.ok || writes.length === 0) return [answer, false];
        for (const entry of writes) await this.#s().writeCase(entry, revived.get(entry.case_id), now);
        const first = writes[0]?.case_id;
        if (requestId !== undefined && first !== undefined) {
          await this.#s().storeAnswer(requestId, first, answer as unknown as JsonValue, now);
        }
        return [answer, true];
      } finally {
        engine.free();
      }
    };
    return write ? this.#transaction(body) : this.#read(async () => (await body())[0]);
  }

  // Locks (for a command) and loads every case the plan names, with the open cases of its
  // matter keys, until the plan of the engine holding them names nothing new. Answers the
  // cases that came back from the archive, with their histories.
  async #lockAndLoad(engine: Engine, request: Record<string, unknown>, first: Plan, write: boolean) {
    const locked = new Set<string>();
    const revived = new Map<string, JsonValue[]>();
    let plan: Plan = first;
    for (;;) {
      const wanted = [
        ...plan.cases.map((c) => `c:${c}`),
        ...(plan.matters ?? []).map((m) => `m:${m.citizen}\u001f${m.matter}`),
      ];
      const keys = [...new Set(wanted)].filter((k) => !locked.has(k)).sort(byCodePoint);
      if (keys.length === 0) return revived;
      if (write) await this.#s().lockKeys(keys);
      const found: string[] = [];
      for (const key of keys) {
        if (key.startsWith("m:")) {
          const pair = key.slice(2);
          const cut = pair.indexOf("\u001f");
          const [citizen, matter] = cut < 0 ? [pair, ""] : [pair.slice(0, cut), pair.slice(cut + 1)];
          found.push(...(await this.#s().openCasesWith(citizen, matter)));
        } else {
          const loaded = await this.#loadInto(engine, key.slice(2));
          if (loaded?.archived) revived.set(key.slice(2), loaded.history);
        }
        locked.add(key);
      }
      plan = engine.plan(request as unknown as Request);
      plan.cases.push(...found);
    }
  }

  // Loads a stored case into `engine`; undefined when the database has no such case.
  async #loadInto(engine: Engine, caseId: string) {
    const stored = await this.#s().loadCase(caseId);
    if (stored === undefined) return undefined;
    const answer = engine.call({ op: "append_events", case_id: caseId, events: stored.history as never });
    if (!answer.ok) throw new StoreError("store.corrupt", `stored history of ${caseId} does not replay: ${JSON.stringify(answer)}`);
    return stored;
  }

  // Duplicates a closing primary left to their own commands, each in its own transaction; one
  // that fails here is the sweeper's.
  async #followUp(answer: Answer<unknown>) {
    const ids = answer.ok ? ((answer.result as { follow_ups?: string[] }).follow_ups ?? []) : [];
    for (const id of ids) {
      try {
        await this.#retrying(() => this.#command({ op: "follow_primary", case_id: id }, true));
      } catch {
        // Left to the sweeper, which finds every open duplicate of a closed primary.
      }
    }
  }

  // Loads a definition for every worker: checked on a copy of the definitions, stored unless
  // it changes nothing, and the timer rows of open cases recomputed after a calendar or
  // organisation change. A request id is kept as the Rust store keeps it (`op:id`).
  async #define(op: string, request: Record<string, unknown>): Promise<Answer<unknown>> {
    const { request_id: requestId, ...body } = request;
    let answered: Answer<unknown>;
    try {
      answered = await this.#transaction(async () => {
        await this.#s().lockDefinitions(true);
        if (typeof requestId === "string") {
          const stored = await this.#s().storedAnswer(requestId);
          if (stored !== undefined) return [markDuplicate(stored), false];
        }
        await this.refresh();
        const before = this.#template.listWorkflows().digest;
        const next = this.#template.cloneDefinitions();
        try {
          const answer = next.call(body as unknown as Request) as Answer<{ id?: string; version?: number }>;
          const digest = next.listWorkflows().digest;
          if (!answer.ok || digest === before) return [answer, false];
          const id = answer.result.id ?? String((body as { id?: unknown }).id ?? op);
          const at = await this.#clock();
          const row = { kind: op, id, version: answer.result.version ?? 0, body: body as JsonValue, digest, at };
          await this.#s().insertDefinition(row);
          if (typeof requestId === "string") {
            await this.#s().storeAnswer(requestId, `${op}:${id}`, answer as unknown as JsonValue, at);
          }
          if (op !== "load_workflow") await this.#recomputeTimers(next);
          return [answer, true];
        } finally {
          next.free();
        }
      });
    } catch (e) {
      await this.#read(() => this.refresh()).catch(() => undefined);
      throw e;
    }
    // The new definition becomes this worker's once committed: read back like any other.
    await this.#read(() => this.refresh());
    return answered;
  }

  // Every open case's timer rows, as the new definitions compute them.
  async #recomputeTimers(definitions: Engine) {
    for (let after = ""; ;) {
      const ids = await this.#s().openCasesAfter(after, 500);
      const last = ids[ids.length - 1];
      if (last === undefined) return;
      after = last;
      for (const id of ids) {
        const engine = definitions.cloneDefinitions();
        try {
          await this.#loadInto(engine, id);
          await this.#s().replaceTimers(id, engine.caseTimers(id).timers as unknown as JsonValue[]);
        } finally {
          engine.free();
        }
      }
    }
  }

  async #due(request: Record<string, unknown>): Promise<Answer<unknown>> {
    const checked = this.#template.call(request as unknown as Request);
    if (!checked.ok) return checked;
    if (request.op === "next_due") {
      const [timer] = await this.#s().dueTimers(Number.MAX_SAFE_INTEGER, 1);
      return { ok: true, result: timer === undefined ? {} : { timer } };
    }
    const now = typeof request.now === "number" ? request.now : await this.#clock();
    const limit = Math.min(Math.max(typeof request.limit === "number" ? request.limit : 1000, 1), 10_000);
    return { ok: true, result: { now, timers: await this.#s().dueTimers(now, limit) } };
  }

  /** The earliest pending timer of any stored case, or undefined. */
  async nextDue(): Promise<Results["next_due"]["timer"]> {
    return (await this.#result("next_due", {})).timer;
  }

  /**
   * Fires the due timers of at most `limit` cases, each case in its own transaction, claimed
   * for `CLAIM_LEASE_MS` so that other workers pass it by; then moves on duplicates stranded
   * by a closed primary. Answers how many cases, timers and duplicates.
   */
  sweep(limit = 100): Promise<{ cases: number; fired: number; followed: number }> {
    return this.serial(async () => {
      const claimed = await this.#retrying(() =>
        this.#transaction(async () => [await this.#s().claimDue(await this.#clock(), limit, CLAIM_LEASE_MS), true]),
      );
      let fired = 0;
      for (const caseId of claimed) {
        for (;;) {
          const answer = (await this.#call({ op: "fire_due", case_id: caseId, limit: FIRE_LIMIT })) as Answer<{ fired: unknown[]; more?: boolean }>;
          if (!answer.ok) break;
          fired += answer.result.fired.length;
          if (answer.result.more !== true) break;
        }
      }
      let followed = 0;
      for (const caseId of await this.#retrying(() => this.#s().strandedDuplicates(limit))) {
        followed += isOk(await this.#call({ op: "follow_primary", case_id: caseId })) ? 1 : 0;
      }
      return { cases: claimed.length, fired, followed };
    });
  }

  /**
   * Hands the outbox's effects to `deliver`, the oldest undelivered effect of each case only
   * (a case's effects arrive in order), each leased for `leaseMs`; a failure is retried after
   * `backoffMs(attempts)`. At least once: `deliver` may see an effect again after a crash, and
   * keys on its `effect_id`.
   */
  async dispatch(deliver: Deliver, limit = 100, leaseMs = 60_000): Promise<{ leased: number; delivered: number; failed: number }> {
    const leased = await this.serial(() =>
      this.#retrying(() =>
        this.#transaction(async () => [await this.#s().leaseEffects(await this.#clock(), limit, leaseMs), true]),
      ),
    );
    let delivered = 0;
    for (const effect of leased) {
      // Outside the queue: a slow channel holds up no request, and `deliver` may call the store.
      let error: string | undefined;
      try {
        await deliver(effect);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      await this.serial(() =>
        this.#retrying(() =>
          this.#transaction(async () => {
            const now = await this.#clock();
            if (error === undefined) await this.#s().markDelivered(effect.effect_id, now);
            else await this.#s().markFailed(effect.effect_id, now + backoffMs(effect.attempts), error);
            return [undefined, true];
          }),
        ),
      );
      if (error === undefined) delivered++;
    }
    return { leased: leased.length, delivered, failed: leased.length - delivered };
  }

  /** Moves closed cases whose effects are all delivered, closed longer than `ageMs` ago, to the archive. */
  archive(ageMs: number, limit = 100): Promise<number> {
    return this.serial(async () => {
      const ids = await this.#retrying(async () => this.#s().archivable((await this.#clock()) - ageMs, limit));
      let archived = 0;
      for (const id of ids) archived += (await this.#retrying(() => this.#archiveOne(id))) ? 1 : 0;
      return archived;
    });
  }

  #archiveOne(caseId: string): Promise<boolean> {
    return this.#transaction(async () => {
      await this.#s().lockKeys([`c:${caseId}`]);
      const engine = this.#template.cloneDefinitions();
      try {
        const loaded = await this.#loadInto(engine, caseId);
        if (loaded === undefined || loaded.archived) return [false, false]; // gone, or archived meanwhile
        const view = engine.getCase(caseId);
        if (!view.terminal) return [false, false]; // reopened meanwhile
        const { events, head } = engine.history(caseId);
        const at = await this.#clock();
        const row = { case_id: caseId, workflow: view.workflow, version: events.length, head, history: events as unknown as JsonValue[], at };
        await this.#s().archiveCase(row);
        return [true, true];
      } finally {
        engine.free();
      }
    });
  }

  /**
   * Runs the jobs until the returned function is called: every `everyMs`, the due timers
   * fire, the outbox is delivered through `deliver`, and old closed cases are archived. A
   * round that fails is tried again at the next; `onError` hears of it. The loop ends when the
   * store is closed.
   */
  start(jobs: Jobs = {}, onError: (e: unknown) => void = () => {}): () => Promise<void> {
    const every = jobs.everyMs ?? 1000;
    let stopped = false;
    let timer: unknown;
    let round: Promise<void> = Promise.resolve();
    const tick = () => {
      round = (async () => {
        try {
          await this.sweep();
          if (jobs.deliver !== undefined) await this.dispatch(jobs.deliver);
          if (jobs.archiveAfterMs !== undefined) await this.archive(jobs.archiveAfterMs);
        } catch (e) {
          onError(e);
        }
        if (!stopped && !this.#closed) timer = setTimeout(tick, every);
      })();
    };
    tick();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await round;
    };
  }

  /** Effects not delivered yet. */
  undelivered(): Promise<number> {
    return this.serial(() => this.#s().countUndelivered());
  }

  /** Closes the connection once the requests before it are answered. */
  async close(): Promise<void> {
    await this.serial(async () => {
      this.#closed = true;
      await this.#db.close();
    }).catch(() => undefined);
  }
}

// The engine's own reading of Dates. It throws the ESM build's CivicflowError, and the Node
// entry's class (the CommonJS build's, which callers import) is thrown in its place.
function dated(request: object): object {
  try {
    return timed(request) as object;
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors;
    throw Array.isArray(errors) ? new CivicflowError(errors) : e;
  }
}

function markDuplicate(answer: JsonValue): Answer<unknown> {
  const a = answer as { ok?: boolean; result?: Record<string, JsonValue> };
  if (a.result !== undefined) a.result.duplicate = true;
  return a as unknown as Answer<unknown>;
}

