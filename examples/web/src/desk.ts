// The host: what a township desk's web front end does with the engine. It loads the
// definitions (the requests' workflow, and the accounts' publishing and account-health), plays
// the seeded week and the accounts' posts, keeps the clock, and is the only code that calls
// civicflow.
// Connected to `civicflow serve` (the page served with `--desk`), the server keeps the cases:
// commands go to `POST /v1`, and the page's engine holds copies of the cases, brought up to date
// from the server (`GET /v1/cases`, `history`) so that the page renders from them at once.

import init, { Engine } from "civicflow/web";
import type {
  Actor,
  CalendarDef,
  CaseChange,
  ClockView,
  Effect,
  Level,
  FiredTimers,
  MetricsQuery,
  Tier,
  AtNotNow,
  OrgDef,
  Request,
  WorkflowDef,
} from "civicflow/web";
import calendar from "../../../calendars/cn-mainland.json";
import qingshan from "../../../orgs/qingshan.json";
import accountHealth from "../../../templates/account-health.json";
import publishing from "../../../templates/publishing.json";
import township from "../../../templates/township.json";
import outbound from "../data/outbound.json";
import week from "../data/week.json";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Tiers of the score shown beside the ranking (分档评价): the grades of a published local
 * rule (蚌埠市市长热线电话工作考核办法, 蚌政办〔2011〕118号: 优秀 ≥ 90, 良好 80–89, 合格 60–79,
 * 不合格 below); a local choice, not a national one. */
const TIERS: Tier[] = [
  { name: "优秀", min: 90 },
  { name: "良好", min: 80 },
  { name: "合格", min: 60 },
  { name: "不合格", min: 0 },
];

/** A refusal of the server, as the page shows it. */
export class RemoteRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server the page came from, when it is `civicflow serve`. */
export class Remote {
  private constructor(private readonly tokens: Record<string, string>) {}

  /** The server, when the page is served by `civicflow serve --desk` with the desk's tokens. */
  static async connect(): Promise<Remote | undefined> {
    try {
      const ready = await fetch("ready");
      if (!ready.ok || typeof (await ready.json()).definitions !== "string") return undefined;
      const tokens = await fetch("desk-tokens.json");
      return tokens.ok ? new Remote(await tokens.json()) : undefined;
    } catch {
      return undefined;
    }
  }

  /** `POST /v1` as `actor` (each acting role and unit of the desk has its token). A command
   * carries an `Idempotency-Key`, and is sent once more with it when the network failed. */
  async call(actor: Actor, request: Record<string, unknown>, command = false): Promise<{ ok: boolean; result?: any; errors?: { code: string; message: string }[] }> {
    const token = this.tokens[actor.id] ?? this.tokens["clerk@town"];
    const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${token}` };
    if (command) headers["idempotency-key"] = crypto.randomUUID();
    const send = () => fetch("v1", { method: "POST", headers, body: JSON.stringify(request) });
    const response = await send().catch(send);
    return response.json();
  }

  /** The cases changed after `since`, with the server's clock. */
  async changed(since: number): Promise<{ now: number; cases: { case_id: string; version: number; updated_at: number }[] }> {
    const token = this.tokens["clerk@town"];
    const response = await fetch(`v1/cases?since=${since}`, { headers: { authorization: `Bearer ${token}` } });
    return (await response.json()).result;
  }
}

const CLERK: Actor = { id: "clerk@town", roles: ["clerk"], unit: "town" };

export class Desk {
  readonly engine: Engine;
  /** The citizens' requests: the case board, the case panel and the dashboard. */
  readonly workflow: WorkflowDef = township as unknown as WorkflowDef;
  /** Every workflow loaded, by id: the requests', and the accounts' posts and health. */
  readonly workflows: Record<string, WorkflowDef> = Object.fromEntries(
    [township, publishing, accountHealth].map((w) => [w.id, w as unknown as WorkflowDef]),
  );
  readonly org: OrgDef = qingshan as unknown as OrgDef;
  /** The start of the seeded week; the dashboard measures from it. */
  readonly start: number = week.start;
  /** The desk's clock (UTC ms): the engine reads none of its own. */
  now: number = week.now;
  /** Every case id, in the order the cases were opened. */
  readonly cases: string[] = [];

  /** The last change the copies hold (connected mode). */
  private since = Number.MIN_SAFE_INTEGER;

  private constructor(readonly remote?: Remote) {
    this.engine = new Engine();
    this.engine.loadCalendar(calendar as unknown as CalendarDef);
    this.engine.loadOrg(this.org);
    for (const workflow of Object.values(this.workflows)) this.engine.loadWorkflow(workflow);
    if (remote !== undefined) {
      // The server delivers the effects: the page's copies hold none.
      this.engine.setOptions({ outbox: "host" });
      return;
    }
    // The seeded week, then the accounts' posts and releases up to the same `now`.
    for (const request of [...week.steps, ...outbound.steps] as unknown as Request[]) {
      const answer = this.engine.call(request);
      if (!answer.ok) throw new Error(`the seeded week: ${JSON.stringify(answer.errors)}`);
      if (request.op === "open_case") this.cases.push(request.case_id);
    }
  }

  /** Loads the WebAssembly next to the page, then the cases: from the server the page came
   * from when it is `civicflow serve`, else the seeded week, in the page. */
  static async open(): Promise<Desk> {
    await init({ module_or_path: new URL("civicflow_wasm_bg.wasm", document.baseURI) });
    const remote = await Remote.connect();
    const desk = new Desk(remote);
    if (remote !== undefined) await desk.sync();
    return desk;
  }

  /** Brings the copies up to the server's cases; whether anything changed. */
  async sync(): Promise<boolean> {
    if (this.remote === undefined) return false;
    const { now, cases } = await this.remote.changed(this.since);
    this.now = now;
    let changed = false;
    for (const c of cases) {
      const held = this.cases.includes(c.case_id) ? this.engine.getCase(c.case_id).events : 0;
      if (held < c.version) {
        const history = await this.remote.call(CLERK, { op: "history", case_id: c.case_id });
        // Not brought up to date: `since` stays before it, so the next poll asks again.
        if (!history.ok) break;
        this.engine.appendEvents(c.case_id, history.result.events);
        if (!this.cases.includes(c.case_id)) this.cases.push(c.case_id);
        changed = true;
      }
      this.since = Math.max(this.since, c.updated_at - 1);
    }
    this.cases.sort((a, b) => this.engine.getCase(a).opened_at - this.engine.getCase(b).opened_at);
    return changed;
  }

  /** A command: to the server when connected (then the copies are brought up to date), else
   * to the page's engine through `local`, which throws `CivicflowError` on a refusal. */
  private command<T>(actor: Actor, request: Record<string, unknown>, local: () => T): T | Promise<void> {
    if (this.remote === undefined) return local();
    return this.remote.call(actor, request, true).then(async (answer) => {
      if (!answer.ok) {
        const error = answer.errors?.[0];
        throw new RemoteRefusal(error?.code ?? "refused", error?.message ?? "refused");
      }
      await this.sync();
    });
  }

  supervise(caseId: string, actor: Actor, level: Level, required: string): unknown {
    const request = { op: "supervise", case_id: caseId, actor, level, required };
    return this.command(actor, request, () => this.engine.supervise({ ...request, at: this.now }));
  }

  answerSupervision(caseId: string, actor: Actor, supervision: number, answer: string): unknown {
    const request = { op: "answer_supervision", case_id: caseId, actor, supervision, answer };
    return this.command(actor, request, () => this.engine.answerSupervision({ ...request, at: this.now }));
  }

  submitOpinion(caseId: string, actor: Actor, opinion: string): unknown {
    const request = { op: "submit_opinion", case_id: caseId, actor, opinion };
    return this.command(actor, request, () => this.engine.submitOpinion({ ...request, at: this.now }));
  }

  unitName(id: string | undefined): string {
    return this.org.units.find((u) => u.id === id)?.name ?? id ?? "—";
  }

  stateTitle(id: string): string {
    return this.workflow.states.find((s) => s.id === id)?.title ?? id;
  }

  transitionTitle(id: string): string {
    return this.workflow.transitions.find((t) => t.id === id)?.title ?? id;
  }

  slaTitle(id: string, workflow = this.workflow.id): string {
    return this.workflows[workflow]?.slas?.find((s) => s.id === id)?.title ?? id;
  }

  /** The cases of one workflow, in the order they were opened. */
  casesOf(workflow: string): string[] {
    return this.cases.filter((id) => this.engine.getCase(id).workflow === workflow);
  }

  /** The clocks worth a badge: running, paused, or breached. */
  clocks(caseId: string): ClockView[] {
    return this.engine
      .slaStatus({ case_id: caseId, at: this.now })
      .clocks.filter((c) => c.status === "running" || c.status === "paused" || c.status === "breached");
  }

  /** Moves the clock on and runs the timer job, as a host's scheduler does. */
  advance(ms: number): FiredTimers {
    this.now += ms;
    return this.engine.fireDue(this.now);
  }

  /** A transition by `actor` now; throws `CivicflowError` (in the page) or rejects with
   * `RemoteRefusal` (connected) when it is refused. */
  apply(caseId: string, transition: string, actor: Actor, payload: Record<string, unknown>): CaseChange | Promise<void> {
    const request = { op: "apply", case_id: caseId, transition, actor, payload };
    return this.command(actor, request, () =>
      this.engine.apply({ ...request, payload: payload as CaseChange["case"]["fields"], at: this.now }),
    );
  }

  /** Effects not yet delivered. This desk never leases (it delivers all at once), so a drain
   * with a lease of 0 hands everything out again at once: a read. */
  pending(): Effect[] {
    return this.engine.drainOutbox({ at: this.now, limit: 10_000, lease_ms: 0 }).effects;
  }

  /** Delivers everything pending (here: marks it done) and acknowledges it. */
  deliver(): number {
    const ids = this.pending().map((e) => e.id);
    if (ids.length > 0) this.engine.ackEffects(ids);
    return ids.length;
  }

  /** The dashboard's query: the week's cases by unit, at the desk's clock. */
  metricsQuery(): AtNotNow<Omit<MetricsQuery, "format">> {
    return { at: this.now, from: this.start, workflow: this.workflow.id, group_by: "unit", scoring: { tiers: TIERS } };
  }

  /** The account board's query: posts per account of the account-health cases opened in
   * [from, to), split by kind and by originality (政务指数 and 原创率 are their shares). */
  accountsQuery(from: number, to: number): AtNotNow<Omit<MetricsQuery, "format">> {
    return {
      at: this.now,
      from,
      to,
      workflow: "account-health",
      group_by: "field",
      field: "account",
      counts: [
        { transition: "post", by: "kind" },
        { transition: "post", by: "original" },
      ],
    };
  }
}
