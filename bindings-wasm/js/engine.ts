// The package's public API over the raw WebAssembly exports. Requests go in as plain objects
// and come back as plain objects; every failure is a thrown `CivicflowError` carrying the
// core's errors. Nothing here decides what the core decides: messages and codes come from it.

import type {
  Acknowledged,
  Actor,
  JsonValue,
  AnswerSupervisionRequest,
  ApplyRequest,
  ArchiveRequest,
  CaseTimers,
  CaseList,
  CaseQuery,
  CaseWrite,
  DueTimer,
  ErrorCode,
  FireDueRequest,
  FollowRequest,
  Plan,
  OptionsAnswer,
  SetOptionsRequest,
  Unloaded,
  AvailableRequest,
  Between,
  CalendarAddRequest,
  CalendarBetweenRequest,
  CalendarDef,
  CalendarLoaded,
  NoticeRead,
  NoticeRequest,
  CaseChange,
  CaseView,
  Deadline,
  Drained,
  DrainRequest,
  DueTimers,
  Drawing,
  LinkRequest,
  Limits,
  LimitsAnswer,
  Metrics,
  MetricsQuery,
  PublicView,
  TableCsv,
  OpinionRequest,
  OrgDef,
  OrgLoaded,
  Route,
  RouteRequest,
  SuperviseRequest,
  ErrorDetail,
  EventRecord,
  Extended,
  ExtendRequest,
  ExportGraphRequest,
  FiredTimers,
  History,
  Loaded,
  OpenCaseRequest,
  PathToClose,
  Replayed,
  EventsAppended,
  Verified,
  Request,
  Restored,
  Results,
  ShortestPathRequest,
  SlaClocks,
  SlaStatusRequest,
  Snapshot,
  Transitions,
  Validation,
  WorkflowDef,
  WorkflowList,
} from "./types.js";
import { HANDLES, REFUSED } from "./constants.js";

/** What each op's `result` holds: generated from the core's op table. */
export type { Results } from "./types.js";

/** The answer of the JSON API to a request: its result, or every error. */
export type Answer<T> = { ok: true; result: T } | { ok: false; errors: ErrorDetail[] };

/** The name of an op of the JSON API. */
export type Op = Request["op"];

/** Every error code the core reports, generated from its registry (docs/errors.md). */
export type { ErrorCode } from "./types.js";

/** An instant: a `Date`, or milliseconds since the Unix epoch (UTC). */
export type Instant = Date | number;

// The fields that hold instants in the JSON API's requests.
type InstantKey = "at" | "now" | "from" | "to" | "opened_from" | "opened_to";

/**
 * A request of the JSON API as the methods take it: each instant a `Date` or milliseconds.
 * (Fields named `from` or `to` that are not numbers, such as a state id, stay as they are.)
 */
export type Timed<T> = {
  [K in keyof T]: K extends InstantKey
    ? T[K] extends number
      ? Instant
      : T[K] extends number | undefined
        ? Instant | undefined
        : T[K]
    : T[K];
};

/**
 * A request whose JSON API field is `now`, as the methods take it: `at`, the one name the
 * methods give the time something happens (docs/javascript.md, "Times").
 */
export type AtNotNow<T extends { now: number }> = Timed<Omit<T, "now">> & { at: Instant };

/** A type with every object and array in it read-only: what `as const` makes of a literal. */
export type Frozen<T> = T extends (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** A workflow definition as `defineWorkflow` takes it: a literal `as const`, or any `WorkflowDef`. */
export type WorkflowLike = WorkflowDef | Frozen<WorkflowDef>;

// The transitions a definition declares, one union member each.
type TransitionOf<W> = W extends { readonly transitions: readonly (infer T)[] } ? T : never;

/** The transition ids of the workflows `W`: a union of literals for definitions known to TypeScript. */
export type TransitionId<W extends WorkflowLike> =
  TransitionOf<W> extends { readonly id: infer I extends string } ? I : never;

/** The workflow ids of `W`. */
export type WorkflowId<W extends WorkflowLike> = W["id"];

// What a transition's payload must hold: its `requires` fields, when the definition is known.
type PayloadOf<T> = T extends { readonly requires: readonly (infer R extends string)[] }
  ? string extends R
    ? { payload?: Record<string, JsonValue> }
    : { payload: { [K in R]: JsonValue } & Record<string, JsonValue> }
  : { payload?: Record<string, JsonValue> };

/**
 * The transition part of an `apply` request on the workflows `W`: for a definition known to
 * TypeScript, one of its transition ids, with a payload holding the fields it requires.
 */
export type TransitionRequest<W extends WorkflowLike> =
  TransitionOf<W> extends infer T
    ? T extends { readonly id: infer I extends string }
      ? { transition: I } & PayloadOf<T>
      : never
    : never;

/**
 * A workflow definition written as a literal (`as const`), kept with its literal types:
 * `new Engine<typeof definition>()` then knows its workflow and transition ids and the fields
 * each transition requires, as XState's `setup({ types })` does. At run time it is the
 * definition itself.
 */
export function defineWorkflow<const W extends WorkflowLike>(definition: W): W {
  return definition;
}

/** What `onChange` listeners receive: a command's op and what it changed. */
export interface Change {
  /** The op that made the change (`apply` for `send`, `open_case` for `open`). */
  op: Op;
  /** Each changed case's events, row, timers and effects, as the answer's `writes`. */
  writes: CaseWrite[];
}

// Milliseconds of an instant argument; a Date that is not a time is refused with its name.
function millis(value: unknown, name: string): unknown {
  if (!(value instanceof Date)) return value;
  const ms = value.getTime();
  if (Number.isNaN(ms)) {
    throw new CivicflowError([
      { code: "request.invalid", message: `\`${name}\` is an Invalid Date`, path: `/${name}` },
    ]);
  }
  return ms;
}

/**
 * @internal A request with its Date instants as milliseconds (an Invalid Date is
 * `request.invalid` at its name) and, for ops whose JSON name is `now`, `at` written as `now`.
 * Anything else is passed on for the core to read (and refuse). The store's methods use it too.
 */
export function timed(body: unknown, atIsNow = false): unknown {
  if (!isRecord(body)) return body;
  let copy: Record<string, unknown> | undefined;
  for (const key of ["at", "now", "from", "to", "opened_from", "opened_to"]) {
    const value = body[key];
    if (value instanceof Date) {
      copy ??= { ...body };
      copy[key] = millis(value, key);
    }
  }
  if (atIsNow && "at" in body) {
    copy ??= { ...body };
    copy.now = copy.at;
    delete copy.at;
  }
  return copy ?? body;
}

// Compile-time check that `Results` names exactly the ops the core's `Request` has.
const resultsCoverEveryOp: [Exclude<Op, keyof Results>, Exclude<keyof Results, Op>] extends [
  never,
  never,
]
  ? true
  : false = true;
void resultsCoverEveryOp;

/**
 * What every method throws when the engine refuses: a real `Error` whose `code`, `message`
 * and `path` are those of the first of the core's `errors`, all of which it carries.
 */
export class CivicflowError extends Error {
  /** The stable machine-readable code of the first error, e.g. `case.role_not_allowed`. */
  readonly code: ErrorCode;
  /** JSON Pointer into the request to where the first error is, when it has a place. */
  readonly path: string | undefined;
  /** Every error the core reported, first one first. */
  readonly errors: ErrorDetail[];

  constructor(errors: ErrorDetail[]) {
    const first: ErrorDetail = errors[0] ?? {
      code: "request.invalid",
      message: "the engine answered without saying why",
    };
    super(first.message);
    this.name = "CivicflowError";
    this.code = first.code;
    this.path = first.path;
    this.errors = errors;
  }
}

/** @internal The raw engine the WebAssembly module exports. */
export interface RawEngine {
  call(request: string): string;
  apply(
    caseId: string,
    transition: string,
    actorId: string,
    roles: string[],
    unit: string | undefined,
    payload: string | undefined,
    at: number,
  ): string;
  send(packed: string, unit: string | undefined, payload: string | undefined, at: number): number;
  registerTransition(id: string): number;
  registerActor(packed: string, unit: string | undefined): number;
  sendBy(caseId: string, transition: number, actor: number, payload: string | undefined, at: number): number;
  open(packed: string, unit: string | undefined, fields: string | undefined, at: number): number;
  stateName(number: number): string | undefined;
  refusal(): string;
  due(now: number, limit: number | undefined): string;
  fireDue(now: number): string;
  maxRequestBytes(): number;
  cloneDefinitions(): RawEngine;
  setMaxRequestBytes(bytes: number): string | undefined;
  refuseSize(length: number): string | undefined;
  free(): void;
}

/** @internal The WebAssembly module, whichever wasm-bindgen target built it. */
export interface RawModule {
  RawEngine: new () => RawEngine;
  refuseUnwritable(reason: string): string;
  refuseFreed(): string;
  version(): string;
  memoryBytes(): number;
}

let loaded: RawModule | undefined;
let notReady: (() => ErrorDetail | undefined) | undefined;

/**
 * @internal Called by each entry point with its module; `check` says why it cannot be used
 * yet (the `web` build before `init()`).
 */
export function useModule(module: RawModule, check?: () => ErrorDetail | undefined): void {
  loaded = module;
  notReady = check;
}

function raw(): RawModule {
  const why = notReady?.();
  if (why !== undefined || loaded === undefined) {
    throw new CivicflowError([
      why ?? { code: "engine.not_initialized", message: "the WebAssembly module is not loaded: `await init()` first" },
    ]);
  }
  return loaded;
}


// What the fast paths read from an actor. `packed` is its id and roles as the lean calls
// take them, each followed by a NUL; undefined when one holds a NUL (the JSON path then
// refuses it with the exact error).
interface ActorParts {
  id: string;
  unit: string | undefined;
  roles: string[];
  // UTF-16 units its strings count toward the request size bound.
  chars: number;
  packed: string | undefined;
}

const NO_ROLES: string[] = Object.freeze([]) as unknown as string[];

// Actors read once: the data properties of a frozen actor with frozen roles cannot change,
// so hot loops that reuse one skip its checks. (A Proxy that freezes its target in the middle
// of being read could still be remembered as first read; the caller owns that object.)
const frozenActors = new WeakMap<object, ActorParts>();

function actorParts(actor: unknown): ActorParts | undefined {
  if (!isPlain(actor)) return undefined;
  const known = frozenActors.get(actor);
  if (known !== undefined) return known;
  if (!onlyKeys(actor, ACTOR_KEYS)) return undefined;
  const { id, unit, roles = NO_ROLES } = actor;
  if (!wellFormed(id) || !(unit === undefined || wellFormed(unit)) || !Array.isArray(roles)) {
    return undefined;
  }
  let chars = id.length + (unit?.length ?? 0);
  let packed = id.includes("\0") ? undefined : id + "\0";
  for (let i = 0; i < roles.length; i++) {
    const role: unknown = roles[i];
    if (!wellFormed(role)) return undefined;
    chars += role.length + 3;
    packed = packed === undefined || role.includes("\0") ? undefined : packed + role + "\0";
  }
  const parts = { id, unit, roles: roles as string[], chars, packed };
  if (Object.isFrozen(actor) && Object.isFrozen(roles) && plainData(actor) && plainData(roles)) {
    frozenActors.set(actor, parts);
  }
  return parts;
}

// No getters: every property is a value.
function plainData(value: object): boolean {
  return Object.values(Object.getOwnPropertyDescriptors(value)).every((d) => "value" in d);
}

function answer<T>(text: string): T {
  const parsed = JSON.parse(text) as Answer<T>;
  if (parsed.ok) {
    return parsed.result;
  }
  throw new CivicflowError(parsed.errors);
}

const APPLY_KEYS = new Set(["case_id", "transition", "actor", "payload", "at"]);
const ACTOR_KEYS = new Set(["id", "roles", "unit"]);

function onlyKeys(value: object, allowed: Set<string>): boolean {
  // Own enumerable string keys only, as JSON.stringify sees them.
  const names = Object.getOwnPropertyNames(value);
  return (
    names.length === Object.keys(value).length &&
    Object.getOwnPropertySymbols(value).length === 0 &&
    names.every((k) => allowed.has(k))
  );
}

// Node and browsers have it; the package's types lib (ES2022) does not declare it.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };

// Bytes of the UTF-8 encoding, as the core counts a request (only for one over the limit):
// encoded in JavaScript memory, which is freed, not in the module's, which never shrinks.
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

// The core's refusal of a request JavaScript could not write as JSON.
function unwritable(e: unknown): string {
  return raw().refuseUnwritable(e instanceof Error ? e.message : String(e));
}

// Bytes of JSON keys and punctuation the fast paths allow for beyond their strings: below
// this much limit, the core's JSON path counts the request exactly.
const FAST_PATH_HEADROOM = 256;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// A literal-style object: what JSON.stringify and the fast paths read the same way.
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function wellFormed(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const s = value as string & { isWellFormed?: () => boolean };
  return s.isWellFormed === undefined ? !/[\uD800-\uDFFF]/.test(s) : s.isWellFormed();
}

/**
 * A civicflow engine: workflows, calendars and cases, all in this WebAssembly instance.
 * Free it with `free()` or a `using` declaration when done; every method of a freed engine
 * throws a `CivicflowError` with code `engine.freed`.
 */
export class Engine<W extends WorkflowLike = WorkflowDef> {
  #raw: RawEngine | undefined;
  #maxRequestBytes: number;
  // The state ids `send` has answered, by the raw engine's number for each.
  #names: string[] = [];
  // Transition ids and frozen actors that `send` has used successfully, by the number the
  // raw engine registered each under: afterwards only the case id is copied per call. At
  // most HANDLES of each, so that a stream of new ones cannot grow memory without bound.
  #transitions = new Map<string, number>();
  #actors = new WeakMap<object, number>();
  #actorCount = 0;

  // `onChange` listeners, in the order they were added.
  #listeners: Array<(change: Change) => void> = [];

  // The raw engine the next `new Engine()` takes instead of a fresh one: `cloneDefinitions`.
  static #adopting: RawEngine | undefined;

  constructor() {
    this.#raw = Engine.#adopting ?? new (raw().RawEngine)();
    Engine.#adopting = undefined;
    this.#maxRequestBytes = this.#raw.maxRequestBytes();
  }

  /**
   * A new engine with this one's workflows, calendars, organisation and limits and none of its
   * cases: cheap, as the definitions are shared, not copied. A host may start one per request
   * and load into it only the cases the request needs (docs/persistence.md).
   */
  cloneDefinitions(): Engine<W> {
    Engine.#adopting = this.#engine().cloneDefinitions();
    return new Engine<W>();
  }

  /** Releases the engine's memory. Idempotent. */
  free(): void {
    const engine = this.#raw;
    this.#raw = undefined;
    engine?.free();
  }

  /** Same as `free()`, for `using engine = new Engine()`. */
  [Symbol.dispose](): void {
    this.free();
  }

  /** Whether `free()` was called. */
  get freed(): boolean {
    return this.#raw === undefined;
  }

  #engine(): RawEngine {
    if (this.#raw === undefined) {
      return answer(raw().refuseFreed());
    }
    return this.#raw;
  }

  // The generic path: the request as JSON text, read and checked by the core. A huge string
  // is refused before it is copied into WebAssembly memory, which never shrinks. JS string
  // length never exceeds the UTF-8 length, so a string longer than the limit is over it.
  #send(engine: RawEngine, request: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(request);
    } catch (e) {
      return unwritable(e);
    }
    return this.#sendText(engine, text ?? "null");
  }

  #sendText(engine: RawEngine, text: string): string {
    if (text.length > this.#maxRequestBytes) {
      return engine.refuseSize(utf8Length(text)) ?? engine.call(text);
    }
    return engine.call(text);
  }

  #op<K extends Op>(op: K, body: unknown): Results[K] {
    const engine = this.#engine();
    let request: unknown;
    try {
      request = isRecord(body) ? { ...body, op } : body;
    } catch (e) {
      return answer(unwritable(e));
    }
    return this.#changed(op, answer<Results[K]>(this.#send(engine, request)));
  }

  /**
   * Calls `listener` after every command that changes cases, with its write set (the
   * answer's `writes`), before the method returns: the hook a store or a live view hangs on.
   * The lean `send` and `open` take the full path while a listener is set. A listener that
   * throws does not undo the change: the other listeners still run, then the first error is
   * thrown. Returns the function that removes the listener.
   */
  onChange(listener: (change: Change) => void): () => void {
    this.#engine();
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  // Tells the listeners of a successful answer that changed cases; passes the result on.
  #changed<T>(op: string, result: T): T {
    const listeners = this.#listeners;
    if (listeners.length === 0 || !isRecord(result)) return result;
    const writes = result.writes;
    if (!Array.isArray(writes) || writes.length === 0) return result;
    const change: Change = { op: op as Op, writes: writes as CaseWrite[] };
    let failure: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
    return result;
  }

  /**
   * Any request of the JSON API, answered as the core answers it: `{ ok: true, result }` or
   * `{ ok: false, errors }`. Throws only for a freed engine.
   */
  call<R extends Request>(request: R): Answer<Results[R["op"]]> {
    const engine = this.#engine();
    const reply = JSON.parse(this.#send(engine, request)) as Answer<Results[R["op"]]>;
    if (reply.ok) this.#changed(request.op, reply.result);
    return reply;
  }

  /**
   * The JSON API as text: a request as JSON text in, the answer as JSON text out, for hosts
   * that already hold requests as text. Throws only for a freed engine.
   */
  callJson(request: string): string {
    const engine = this.#engine();
    if (typeof request !== "string") {
      return raw().refuseUnwritable(`callJson takes a string, found ${typeof request}`);
    }
    const text = this.#sendText(engine, request);
    if (this.#listeners.length > 0) {
      const reply = JSON.parse(text) as Answer<unknown>;
      // A request the core answered with ok is an object with an op.
      if (reply.ok) this.#changed((JSON.parse(request) as { op: string }).op, reply.result);
    }
    return text;
  }

  /** The request size limit, in bytes of UTF-8 JSON (default 16 MiB). */
  get maxRequestBytes(): number {
    return this.#maxRequestBytes;
  }

  /** Sets the request size limit: a whole number of bytes from 1 to 4,294,967,295. */
  set maxRequestBytes(bytes: number) {
    const engine = this.#engine();
    const refused = engine.setMaxRequestBytes(typeof bytes === "number" ? bytes : Number.NaN);
    if (refused !== undefined) {
      answer(refused);
    }
    this.#maxRequestBytes = engine.maxRequestBytes();
  }

  /** Validates and loads a workflow definition. */
  loadWorkflow(definition: WorkflowLike): Loaded {
    return this.#op("load_workflow", { definition });
  }

  /** Checks a definition without loading it; a definition with errors is a result. */
  validateWorkflow(definition: WorkflowLike): Validation {
    return this.#op("validate_workflow", { definition });
  }

  /** Every loaded workflow version. */
  listWorkflows(): WorkflowList {
    return this.#op("list_workflows", {});
  }

  /** Opens a case. */
  openCase(request: Timed<OpenCaseRequest> & { workflow: WorkflowId<W> }): CaseChange {
    return this.#op("open_case", timed(request));
  }

  /**
   * The cases matching every filter given (workflow, state, state category, category,
   * handling unit, channel, closed or open, overdue at `at`, opened between `opened_from`
   * and `opened_to`), newest first, `limit` at a time (default 100): pass the answer's
   * `next` as `after` for the next page.
   */
  listCases(query: Timed<CaseQuery> = {}): CaseList {
    return this.#op("list_cases", timed(query));
  }

  /** The earliest pending timer of any case held, or `undefined`: what a timer loop awaits. */
  nextDue(): DueTimer | undefined {
    return this.#op("next_due", {}).timer;
  }

  /**
   * Applies a transition. Well-typed requests take a direct path into the engine, without a
   * JSON round trip of the request; anything else is read, and refused, by the core.
   */
  apply(request: Timed<Omit<ApplyRequest, "transition" | "payload">> & TransitionRequest<W>): CaseChange {
    const engine = this.#engine();
    const plain = timed(request);
    const fast = this.#fastApply(plain);
    if (fast !== undefined) {
      const { caseId, transition, actor, payload, at } = fast;
      const change = answer<CaseChange>(
        engine.apply(caseId, transition, actor.id, actor.roles, actor.unit, payload, at),
      );
      return this.#changed("apply", change);
    }
    return this.#op("apply", plain);
  }

  // The arguments of the direct `apply`, or undefined when the request must go through the
  // JSON path: anything but plain objects of exactly the right types, strings that are not
  // well-formed UTF-16, or a request that could be near the size limit (the core then counts
  // its bytes exactly).
  #fastApply(request: unknown) {
    if (!isPlain(request) || !onlyKeys(request, APPLY_KEYS)) return undefined;
    const { case_id: caseId, transition, actor, payload, at } = request;
    return this.#fastParts(caseId, transition, actor, payload, at);
  }

  // `extra`: one more string the request carries (the channel of `open`), checked and counted
  // like the others.
  #fastParts(caseId: unknown, transition: unknown, actor: unknown, payload: unknown, at: unknown, extra = "") {
    const a = actorParts(actor);
    if (
      a === undefined ||
      !wellFormed(caseId) ||
      !wellFormed(transition) ||
      !wellFormed(extra) ||
      !Number.isSafeInteger(at) ||
      !(payload === undefined || isPlain(payload))
    ) {
      return undefined;
    }
    const chars = caseId.length + transition.length + extra.length + a.chars;
    let payloadText: string | undefined;
    if (payload !== undefined) {
      try {
        payloadText = JSON.stringify(payload);
      } catch {
        return undefined;
      }
      // JSON.stringify escapes lone surrogates, which the core refuses: let it say so.
      if (/\\u[dD][89a-fA-F]/.test(payloadText)) return undefined;
    }
    // At most 6 bytes of JSON per character (an escape), plus the keys and punctuation.
    const bound = 6 * chars + 3 * (payloadText?.length ?? 0) + FAST_PATH_HEADROOM;
    if (bound > this.#maxRequestBytes) return undefined;
    return { caseId, transition, actor: a, payload: payloadText, at: at as number };
  }

  // The strings of a lean call in one, each followed by a NUL (one copy into WebAssembly
  // memory instead of one per string); undefined when one holds a NUL itself.
  static #pack(actor: ActorParts, first: string, second: string, third?: string): string | undefined {
    if (actor.packed === undefined || first.includes("\0") || second.includes("\0")) return undefined;
    if (third === undefined) return first + "\0" + second + "\0" + actor.packed;
    if (third.includes("\0")) return undefined;
    return first + "\0" + second + "\0" + third + "\0" + actor.packed;
  }

  /**
   * The lean `apply`: the same command and the same checks, answered only by the case's new
   * state id instead of the whole change (the events and effects stay readable with
   * `history` and `drainOutbox`). For hot loops; throws `CivicflowError` as `apply` does.
   */
  send(caseId: string, transition: TransitionId<W>, actor: Actor, at: Instant, payload?: Record<string, JsonValue>): string {
    const engine = this.#engine();
    at = millis(at, "at") as number;
    const fast = this.#listeners.length > 0 ? undefined : this.#fastParts(caseId, transition, actor, payload, at);
    if (fast !== undefined) {
      const t = this.#transitions.get(fast.transition);
      const a = this.#actors.get(actor as object);
      if (t !== undefined && a !== undefined) {
        return this.#stateName(engine, engine.sendBy(fast.caseId, t, a, fast.payload, fast.at));
      }
    }
    const packed = fast && Engine.#pack(fast.actor, fast.caseId, fast.transition);
    if (fast === undefined || packed === undefined) {
      const request: ApplyRequest = { case_id: caseId, transition, actor, at };
      if (payload !== undefined) request.payload = payload;
      // The typed transition ids narrow what callers write, not what the engine takes.
      return (this as Engine).apply(request).case.state;
    }
    const state = this.#stateName(engine, engine.send(packed, fast.actor.unit, fast.payload, fast.at));
    this.#register(engine, fast.transition, actor as object, fast.actor);
    return state;
  }

  /**
   * The lean `openCase`: opens a case on the highest loaded version of `workflow`, answered
   * only by its first state id. Matter keys and appeals take `openCase`.
   */
  open(
    caseId: string,
    workflow: WorkflowId<W>,
    channel: string,
    actor: Actor,
    at: Instant,
    fields?: Record<string, JsonValue>,
  ): string {
    const engine = this.#engine();
    at = millis(at, "at") as number;
    const fast = this.#listeners.length > 0 ? undefined : this.#fastParts(caseId, workflow, actor, fields, at, channel);
    const packed = fast && Engine.#pack(fast.actor, fast.caseId, fast.transition, channel);
    if (fast === undefined || packed === undefined) {
      const request: OpenCaseRequest = { case_id: caseId, workflow, channel, actor, at };
      if (fields !== undefined) request.fields = fields;
      return (this as Engine).openCase(request).case.state;
    }
    const n = engine.open(packed, fast.actor.unit, fast.payload, fast.at);
    return this.#stateName(engine, n);
  }

  // After a successful `send`: only ids that worked, and only actors that cannot change.
  #register(engine: RawEngine, transition: string, actor: object, parts: ActorParts): void {
    if (!this.#transitions.has(transition) && this.#transitions.size < HANDLES) {
      const n = engine.registerTransition(transition);
      if (n !== REFUSED) this.#transitions.set(transition, n);
    }
    const packed = parts.packed;
    if (
      packed !== undefined &&
      frozenActors.get(actor) === parts &&
      !this.#actors.has(actor) &&
      this.#actorCount < HANDLES
    ) {
      const n = engine.registerActor(packed, parts.unit);
      if (n !== REFUSED) this.#actors.set(actor, n);
      this.#actorCount++;
    }
  }

  #stateName(engine: RawEngine, n: number): string {
    if (n === REFUSED) return answer(engine.refusal());
    const names = this.#names;
    return names[n] ?? (names[n] = engine.stateName(n) as string);
  }

  /** A case's current view. */
  getCase(caseId: string): CaseView {
    return this.#op("get_case", { case_id: caseId });
  }

  /** The transitions an actor can take on a case now. */
  availableTransitions(request: AvailableRequest): Transitions {
    return this.#op("available_transitions", request);
  }

  /** A case's history, oldest event first. */
  history(caseId: string): History {
    return this.#op("history", { case_id: caseId });
  }

  /**
   * Rebuilds a case from the history a host stored (as `history` gave it, hashes checked)
   * and adds it to the engine as a live case; its effects are queued again.
   */
  restoreCase(history: EventRecord[]): Replayed {
    return this.#op("replay", { history, store: true });
  }

  /** Rebuilds a case from a history, without storing it. */
  replay(history: EventRecord[]): Replayed {
    return this.#op("replay", { history });
  }

  /**
   * Checks a history's hash chain (each event's `hash`) and, when given, that it ends at the
   * `head` kept from `history`. Throws `history.hash_mismatch` naming the first bad event.
   */
  verifyHistory(history: EventRecord[], head?: string): Verified {
    return this.#op("verify_history", head === undefined ? { history } : { history, head });
  }

  /**
   * Adds stored events to the case they belong to, as answers gave them (`events`,
   * `linked_events`, `fired`): the way a host rebuilds its engine from the last snapshot plus
   * the events it stored since (docs/persistence.md). Events the engine already holds are
   * skipped when they are the same; throws `history.diverged` when they are not.
   */
  appendEvents(caseId: string, events: EventRecord[]): EventsAppended {
    return this.#op("append_events", { case_id: caseId, events });
  }

  /**
   * Takes a closed case out of the engine and returns its history, for the host to keep;
   * `restoreCase` brings it back. Throws `case.not_closed` for a case not in a terminal state
   * and `case.effects_pending` while its effects await acknowledgement (docs/persistence.md);
   * with `expectedSeq`, `case.seq_mismatch` when the case has moved on from that version.
   */
  archiveCase(caseId: string, expectedSeq?: number): History {
    const request: ArchiveRequest = { case_id: caseId };
    if (expectedSeq !== undefined) request.expected_seq = expectedSeq;
    return this.#op("archive_case", request);
  }

  /** The fewest transitions from a state to a terminal state. */
  shortestPath(request: ShortestPathRequest): PathToClose {
    return this.#op("shortest_path", request);
  }

  /** A workflow drawn as DOT or Mermaid, optionally with a case's state highlighted. */
  exportGraph(request: ExportGraphRequest): Drawing {
    return this.#op("export_graph", request);
  }

  /** The whole engine as data, for storage. */
  snapshot(options: { definitionsOnly?: boolean } = {}): Snapshot {
    return this.#op("snapshot", options.definitionsOnly ? { definitions_only: true } : {});
  }

  /** Replaces the engine's contents with a snapshot; on error nothing changes. */
  restore(snapshot: Snapshot): Restored {
    return this.#op("restore", { snapshot });
  }

  /** Loads or replaces a business calendar. */
  loadCalendar(calendar: CalendarDef): CalendarLoaded {
    return this.#op("load_calendar", { calendar });
  }

  /** A deadline on a calendar: an instant plus a duration. */
  calendarAdd(request: Timed<CalendarAddRequest>): Deadline {
    return this.#op("calendar_add", timed(request));
  }

  /**
   * The year a State Council holiday notice sets, read from its text (`notice`); with
   * `calendar`, that loaded calendar's document with the year in it, for `loadCalendar`.
   * Changes nothing. A text with any line it cannot read throws, naming every such line.
   */
  calendarFromNotice(request: NoticeRequest): NoticeRead {
    return this.#op("calendar_from_notice", request);
  }

  /** Working and elapsed time between two instants on a calendar. */
  calendarBetween(request: Timed<CalendarBetweenRequest>): Between {
    return this.#op("calendar_between", timed(request));
  }

  /** Every SLA clock of a case at `at` (the JSON API's `now`). */
  slaStatus(request: AtNotNow<SlaStatusRequest>): SlaClocks {
    return this.#op("sla_status", timed(request, true));
  }

  /** Warnings and breach steps due at `at`, earliest first, at most `limit`. */
  due(at: Instant, limit?: number): DueTimers {
    const engine = this.#engine();
    const now = millis(at, "at") as number;
    if (
      Number.isSafeInteger(now) &&
      this.#maxRequestBytes >= FAST_PATH_HEADROOM &&
      (limit === undefined || (Number.isInteger(limit) && limit >= 0 && limit <= 0xffffffff))
    ) {
      return answer(engine.due(now, limit));
    }
    return this.#op("due", { now, limit });
  }

  /**
   * Records everything due at `at` as events on the cases; with `caseId`, only that case's
   * timers; with `limit`, at most that many, earliest first (`more` says whether others are
   * due).
   */
  fireDue(at: Instant, scope: { caseId?: string; limit?: number } = {}): FiredTimers {
    const engine = this.#engine();
    const now = millis(at, "at") as number;
    const { caseId, limit } = scope;
    if (caseId === undefined && limit === undefined) {
      if (Number.isSafeInteger(now) && this.#maxRequestBytes >= FAST_PATH_HEADROOM) {
        return this.#changed("fire_due", answer<FiredTimers>(engine.fireDue(now)));
      }
      return this.#op("fire_due", { now });
    }
    const request: FireDueRequest = { now };
    if (caseId !== undefined) request.case_id = caseId;
    if (limit !== undefined) request.limit = limit;
    return this.#op("fire_due", request);
  }

  /**
   * A linked duplicate follows its closed primary: for the duplicates a closing primary left
   * in `follow_ups` (more than `max_inline_follow_ups`, or not loaded).
   */
  followPrimary(request: Timed<FollowRequest>): CaseChange {
    return this.#op("follow_primary", timed(request));
  }

  /**
   * Which cases and matter keys a request needs in the engine before it runs: a host with a
   * store locks and loads them first (docs/persistence.md). The request is read, not run.
   */
  plan(request: Request): Plan {
    return this.#op("plan", { request });
  }

  /** Every pending timer of a case, due or not, earliest first. */
  caseTimers(caseId: string): CaseTimers {
    return this.#op("case_timers", { case_id: caseId });
  }

  /**
   * Takes any case out of the engine, open or closed, with its timers, index entries and
   * pending effects: for a host whose store is the record (docs/persistence.md). Answers the
   * case's number of events and the head of its hash chain.
   */
  unloadCase(caseId: string): Unloaded {
    return this.#op("unload_case", { case_id: caseId });
  }

  /** Extends a running SLA clock. */
  extend(request: Timed<ExtendRequest>): Extended {
    return this.#op("extend", timed(request));
  }

  /** Loads or replaces the organisation tree and its dispatch catalogue. */
  loadOrg(org: OrgDef): OrgLoaded {
    return this.#op("load_org", { org });
  }

  /** Where the dispatch catalogue sends a matter, passing over an accused unit. */
  route(request: RouteRequest): Route {
    return this.#op("route", request);
  }

  /** Links a case to a primary as a duplicate. */
  linkCases(request: Timed<LinkRequest>): CaseChange {
    return this.#op("link_cases", timed(request));
  }

  /** An assisting unit gives its opinion. */
  submitOpinion(request: Timed<OpinionRequest>): CaseChange {
    return this.#op("submit_opinion", timed(request));
  }

  /** A unit above the handling unit supervises a case. */
  supervise(request: Timed<SuperviseRequest>): CaseChange {
    return this.#op("supervise", timed(request));
  }

  /** The handling unit answers a supervision. */
  answerSupervision(request: Timed<AnswerSupervisionRequest>): CaseChange {
    return this.#op("answer_supervision", timed(request));
  }

  /** Effects to deliver at `at`, each leased for `lease_ms` (default 60 s). */
  drainOutbox(request: AtNotNow<DrainRequest>): Drained {
    return this.#op("drain_outbox", timed(request, true));
  }

  /** Acknowledges delivered effects by id; all or nothing. */
  ackEffects(ids: string[]): Acknowledged {
    return this.#op("ack_effects", { ids });
  }

  /**
   * Performance measures of the cases opened in a period (绩效考评): counts, both on-time
   * rates per SLA rule, working-time median and p90, 响应率, 解决率, 满意率, the score and a
   * ranking, grouped by unit (rolled up on request), channel, category or workflow.
   */
  metrics(query: AtNotNow<Omit<MetricsQuery, "format">>): Metrics {
    return this.#op("metrics", { ...(timed(query, true) as object), format: "json" }) as Metrics;
  }

  /** The same measures as CSV tables with stable columns, for a download or a spreadsheet. */
  metricsCsv(query: AtNotNow<Omit<MetricsQuery, "format">>): TableCsv {
    return this.#op("metrics", { ...(timed(query, true) as object), format: "csv" }) as TableCsv;
  }

  /** What may be published about a case: public fields, personal data masked, no actors. */
  publicView(caseId: string): PublicView {
    return this.#op("public_view", { case_id: caseId });
  }

  /**
   * Changes some of the engine's limits (the rest stay): each a whole number from 1 to its
   * ceiling (`docs/hardening.md`). Returns every limit now in force.
   */
  setLimits(limits: Partial<Limits>): LimitsAnswer {
    const result = this.#op("set_limits", { limits });
    this.#maxRequestBytes = this.#engine().maxRequestBytes();
    return result;
  }

  /** The limits in force. */
  getLimits(): LimitsAnswer {
    return this.#op("get_limits", {});
  }

  /**
   * Changes some of the engine's options: `outbox: "host"` makes the host hold the effects
   * (listed in the answers' `writes`, never queued or refused by the engine); on an empty
   * outbox only (`outbox.not_empty`).
   */
  setOptions(options: SetOptionsRequest): OptionsAnswer {
    return this.#op("set_options", options);
  }

  /** The options in force. */
  getOptions(): OptionsAnswer {
    return this.#op("get_options", {});
  }

}

/** The package version (the Rust crate's). */
export function version(): string {
  return raw().version();
}

/** Bytes of WebAssembly memory the module holds; it grows with use and never shrinks. */
export function memoryBytes(): number {
  return raw().memoryBytes();
}
