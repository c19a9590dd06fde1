// The host: what a township desk's web front end does with the engine. It loads the
// definitions, plays the seeded week, keeps the clock, and is the only code that calls civicflow.

import init, { Engine } from "civicflow/web";
import type {
  Actor,
  CalendarDef,
  CaseChange,
  ClockView,
  Effect,
  FiredTimers,
  MetricsQuery,
  OrgDef,
  Request,
  WorkflowDef,
} from "civicflow/web";
import calendar from "../../../calendars/cn-mainland.json";
import qingshan from "../../../orgs/qingshan.json";
import township from "../../../templates/township.json";
import week from "../data/week.json";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export class Desk {
  readonly engine: Engine;
  readonly workflow: WorkflowDef = township as unknown as WorkflowDef;
  readonly org: OrgDef = qingshan as unknown as OrgDef;
  /** The start of the seeded week; the dashboard measures from it. */
  readonly start: number = week.start;
  /** The desk's clock (UTC ms): the engine reads none of its own. */
  now: number = week.now;
  /** Every case id, in the order the cases were opened. */
  readonly cases: string[] = [];

  private constructor() {
    this.engine = new Engine();
    this.engine.loadCalendar(calendar as unknown as CalendarDef);
    this.engine.loadOrg(this.org);
    this.engine.loadWorkflow(this.workflow);
    for (const request of week.steps as unknown as Request[]) {
      const answer = this.engine.call(request);
      if (!answer.ok) throw new Error(`the seeded week: ${JSON.stringify(answer.errors)}`);
      if (request.op === "open_case") this.cases.push(request.case_id);
    }
  }

  /** Loads the WebAssembly next to the page, then the week. */
  static async open(): Promise<Desk> {
    await init({ module_or_path: new URL("civicflow_wasm_bg.wasm", document.baseURI) });
    return new Desk();
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

  slaTitle(id: string): string {
    return this.workflow.slas?.find((s) => s.id === id)?.title ?? id;
  }

  /** The clocks worth a badge: running, paused, or breached. */
  clocks(caseId: string): ClockView[] {
    return this.engine
      .slaStatus({ case_id: caseId, now: this.now })
      .clocks.filter((c) => c.status === "running" || c.status === "paused" || c.status === "breached");
  }

  /** Moves the clock on and runs the timer job, as a host's scheduler does. */
  advance(ms: number): FiredTimers {
    this.now += ms;
    return this.engine.fireDue(this.now);
  }

  /** A transition by `actor` now; throws `CivicflowError` when the engine refuses it. */
  apply(caseId: string, transition: string, actor: Actor, payload: Record<string, unknown>): CaseChange {
    return this.engine.apply({
      case_id: caseId,
      transition,
      actor,
      payload: payload as CaseChange["case"]["fields"],
      at: this.now,
    });
  }

  /** Effects not yet delivered. This desk never leases (it delivers all at once), so a drain
   * with a lease of 0 hands everything out again at once: a read. */
  pending(): Effect[] {
    return this.engine.drainOutbox({ now: this.now, limit: 10_000, lease_ms: 0 }).effects;
  }

  /** Delivers everything pending (here: marks it done) and acknowledges it. */
  deliver(): number {
    const ids = this.pending().map((e) => e.id);
    if (ids.length > 0) this.engine.ackEffects(ids);
    return ids.length;
  }

  /** The dashboard's query: the week's cases by unit, at the desk's clock. */
  metricsQuery(): Omit<MetricsQuery, "format"> {
    return { now: this.now, from: this.start, group_by: "unit" };
  }
}
