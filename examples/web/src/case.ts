// One case: who is acting, the transitions that actor may take (with the form of what each
// requires), supervision and opinions, the timeline, linked cases, the outbox, the public view
// with personal data masked, and the workflow graph with the case's state highlighted.

import { CivicflowError } from "civicflow/web";
import type { Actor, CaseView, EventRecord, FieldDef, JsonValue, Level } from "civicflow/web";
import { type Desk, RemoteRefusal } from "./desk.js";
import { h, mount } from "./dom.js";
import { drawGraph } from "./graph.js";
import { CATEGORIES, CHANNELS, LEVELS, REASONS, ROLES, SATISFACTION, when } from "./text.js";

/** Who acts in the case panel; kept across cases. */
export interface Acting {
  role: string;
  unit: string;
}

/** What the panel can ask of the page. */
export interface Page {
  refresh(): void;
  open(caseId: string): void;
  say(text: string, error?: boolean): void;
}

export function actorOf(acting: Acting): Actor {
  return acting.role === "citizen"
    ? { id: "citizen", roles: ["citizen"] }
    : { id: `${acting.role}@${acting.unit}`, roles: [acting.role], unit: acting.unit };
}

/** A sensible actor for the case's state: the handling unit's handler once it is dispatched. */
export function suggestActor(c: CaseView): Acting {
  const unit = c.handling?.unit;
  if (unit !== undefined && ["dispatched", "handling", "awaiting_citizen"].includes(c.state)) {
    return { role: "handler", unit };
  }
  return { role: c.state === "accepted" ? "dispatcher" : "clerk", unit: "town" };
}

export function renderCase(desk: Desk, caseId: string, acting: Acting, page: Page): void {
  const c = desk.engine.getCase(caseId);
  const actor = actorOf(acting);
  const run = (what: string, action: () => unknown) => {
    const done = () => {
      page.say(`${caseId}：${what}`);
      page.refresh();
    };
    const refused = (e: unknown) => {
      if (!(e instanceof CivicflowError || e instanceof RemoteRefusal)) throw e;
      page.say(`${what}未通过：${e.message}（${e.code}）`, true);
      page.refresh();
    };
    try {
      const outcome = action();
      if (outcome instanceof Promise) outcome.then(done, refused);
      else done();
    } catch (e) {
      refused(e);
    }
  };
  mount(
    "case",
    h(
      "div",
      { class: "case", "data-case": caseId },
      h(
        "h2",
        {},
        `${caseId} · ${String(c.fields["summary"] ?? "")}`,
        h("span", { class: `state ${c.state_category ?? ""}`, id: "case-state" }, c.state_title ?? c.state),
      ),
      h(
        "p",
        { class: "meta" },
        `${CHANNELS[c.channel] ?? c.channel} · ${when(c.opened_at)} 收到 · 承办：${desk.unitName(c.handling?.unit)}`,
      ),
      actingForm(desk, acting, page),
      transitions(desk, c, actor, run),
      otherActions(desk, c, actor, acting, run),
      linked(desk, c, page),
      h("h3", {}, "办理记录"),
      timeline(desk, desk.engine.history(caseId).events),
      outbox(desk, caseId, page),
      publicView(desk, caseId),
    ),
  );
  mount(
    "graph-panel",
    h("h3", {}, `流程图：${desk.workflow.title ?? c.workflow}（第 ${c.version} 版），${caseId} 当前所在：${c.state_title ?? c.state}`),
    h("div", { id: "graph", class: "graph", "data-case": caseId }, "绘制中…"),
  );
  drawGraph(desk, c).catch((e: unknown) => page.say(`流程图未能绘制：${String(e)}`, true));
}

function actingForm(desk: Desk, acting: Acting, page: Page): HTMLElement {
  const role = h(
    "select",
    { name: "role", onchange: (e: Event) => ((acting.role = (e.target as HTMLSelectElement).value), page.refresh()) },
    Object.entries(ROLES).map(([id, title]) => h("option", { value: id, selected: id === acting.role }, title)),
  );
  const unit = h(
    "select",
    { name: "unit", onchange: (e: Event) => ((acting.unit = (e.target as HTMLSelectElement).value), page.refresh()) },
    desk.org.units.map((u) => h("option", { value: u.id, selected: u.id === acting.unit }, u.name)),
  );
  return h("p", { class: "acting" }, "当前操作人：", role, acting.role === "citizen" ? null : unit);
}

function transitions(desk: Desk, c: CaseView, actor: Actor, run: (what: string, action: () => unknown) => void): HTMLElement {
  const available = desk.engine.availableTransitions({ case_id: c.id, actor }).transitions;
  const form = h("div", { class: "form" });
  const buttons = available.map((t) => {
    const def = desk.workflow.transitions.find((d) => d.id === t.id);
    const fields = [...new Set([...(t.requires ?? []), ...(def?.set ?? [])])];
    const title = t.title ?? t.id;
    const take = (payload: Record<string, JsonValue>) => run(title, () => desk.apply(c.id, t.id, actor, payload));
    return h(
      "button",
      {
        "data-transition": t.id,
        onclick: () => {
          if (fields.length === 0) take({});
          else form.replaceChildren(payloadForm(desk, title, fields, t.requires ?? [], take));
        },
      },
      title,
    );
  });
  return h(
    "div",
    { class: "transitions" },
    h("h3", {}, "可办理的操作"),
    buttons.length > 0 ? buttons : h("p", { class: "none" }, "当前操作人在此状态下没有可办理的操作。"),
    form,
  );
}

/** The form of a transition's payload: an input per field, typed as the definition says. */
function payloadForm(
  desk: Desk,
  title: string,
  fields: string[],
  required: string[],
  submit: (payload: Record<string, JsonValue>) => void,
): HTMLElement {
  const defs = fields
    .map((id) => desk.workflow.fields?.find((f) => f.id === id))
    .filter((f): f is FieldDef => f !== undefined);
  const inputs = defs.map((f) => h("label", {}, `${f.title ?? f.id}${required.includes(f.id) ? " *" : ""}`, input(desk, f)));
  const form = h(
    "form",
    {
      "data-form": title,
      onsubmit: (e: Event) => {
        e.preventDefault();
        const payload: Record<string, JsonValue> = {};
        for (const f of defs) {
          const el = form.elements.namedItem(f.id);
          const v = value(f, el);
          if (v !== undefined) payload[f.id] = v;
        }
        submit(payload);
      },
    },
    h("h4", {}, title),
    inputs,
    h("button", { type: "submit" }, `提交：${title}`),
  );
  return form;
}

/** An input for a field: units to choose where the handling section says a field holds units,
 * enum values by name where the page has names for them. */
function input(desk: Desk, f: FieldDef): HTMLElement {
  const handling = desk.workflow.handling;
  const units = () => desk.org.units.map((u) => h("option", { value: u.id }, u.name));
  if (f.type === "boolean") return h("input", { type: "checkbox", name: f.id });
  if (f.id === handling?.assist?.units_field) return h("select", { name: f.id, multiple: true, size: 4 }, units());
  if (f.id === handling?.unit_field) return h("select", { name: f.id }, h("option", { value: "" }, "—"), units());
  if (f.type === "enum") {
    const names: Record<string, string> =
      f.id === handling?.callback?.satisfaction_field ? SATISFACTION : f.id === handling?.category_field ? CATEGORIES : {};
    return h("select", { name: f.id }, h("option", { value: "" }, "—"), (f.values ?? []).map((v) => h("option", { value: v }, names[v] ?? v)));
  }
  if (f.type === "list") return h("input", { type: "text", name: f.id, placeholder: "用逗号分隔" });
  if (f.type === "text") return h("textarea", { name: f.id, rows: 2 });
  return h("input", { type: "text", name: f.id });
}

function value(f: FieldDef, el: Element | RadioNodeList | null): JsonValue | undefined {
  if (el instanceof HTMLInputElement && el.type === "checkbox") return el.checked;
  if (el instanceof HTMLSelectElement && el.multiple) return [...el.selectedOptions].map((o) => o.value);
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
    if (el.value === "") return undefined;
    if (f.type === "number") return Number(el.value);
    if (f.type === "list") return el.value.split(/[,，]/).map((v) => v.trim()).filter((v) => v !== "");
    return el.value;
  }
  return undefined;
}

/** Supervision by a higher unit, its answer by the handling unit, opinions of assisting units. */
function otherActions(
  desk: Desk,
  c: CaseView,
  actor: Actor,
  acting: Acting,
  run: (what: string, action: () => unknown) => void,
): HTMLElement | null {
  const h_ = c.handling;
  if (h_ === undefined || c.terminal) return null;
  const out: HTMLElement[] = [];
  // A one-line form: a label, its inputs, a button that runs the command.
  const form = (name: string, label: string, inputs: HTMLElement[], button: string, what: string, command: () => unknown) =>
    h(
      "form",
      { "data-form": name, onsubmit: (e: Event) => (e.preventDefault(), run(what, command)) },
      label,
      inputs,
      h("button", { type: "submit" }, button),
    );
  if (acting.role === "supervisor" && h_.unit !== undefined) {
    const level = h("select", { name: "level" }, Object.entries(LEVELS).map(([id, t]) => h("option", { value: id }, t)));
    const required = h("input", { type: "text", name: "required", value: "请说明办理进展" });
    out.push(
      form("supervise", "督办：", [level, required], "发出督办", "督办", () =>
        desk.supervise(c.id, actor, level.value as Level, required.value),
      ),
    );
  }
  const unanswered = (h_.supervisions ?? []).filter((s) => s.answered_at === undefined);
  if (acting.role === "handler" && acting.unit === h_.unit && unanswered.length > 0) {
    const s = unanswered[0]!;
    const text = h("input", { type: "text", name: "answer", value: "已按要求办理" });
    const label = `答复${LEVELS[s.level] ?? s.level}（${required(desk, s.required, s.automatic === true)}）：`;
    out.push(
      form("answer_supervision", label, [text], "答复", "答复督办", () =>
        desk.answerSupervision(c.id, actor, s.index, text.value),
      ),
    );
  }
  const owed = (h_.assisting ?? []).find((a) => a.unit === acting.unit && a.answered_at === undefined);
  if (acting.role === "handler" && owed !== undefined) {
    const text = h("input", { type: "text", name: "opinion", value: "同意，配合办理" });
    out.push(
      form("submit_opinion", "会办意见：", [text], "提交", "会办意见", () =>
        desk.submitOpinion(c.id, actor, text.value),
      ),
    );
  }
  return out.length > 0 ? h("div", { class: "other" }, out) : null;
}

function linked(desk: Desk, c: CaseView, page: Page): HTMLElement | null {
  const links = [
    ...(c.handling?.primary ? [{ id: c.handling.primary, what: "主件" }] : []),
    ...(c.handling?.linked ?? []).map((l) => ({ id: l.case_id, what: `并案（${CHANNELS[l.channel] ?? l.channel}）` })),
  ];
  if (links.length === 0) return null;
  return h(
    "p",
    { class: "linked" },
    "关联诉求：",
    links.map((l) => h("a", { href: "#", "data-linked": l.id, onclick: (e: Event) => (e.preventDefault(), page.open(l.id)) }, `${l.id} ${l.what}`)),
  );
}

function describe(desk: Desk, e: EventRecord): string {
  const role = ROLES[e.actor.roles?.[0] ?? ""] ?? "";
  const by = e.actor.id === "system" ? "系统" : e.actor.unit ? `${desk.unitName(e.actor.unit)}${role}` : role || e.actor.id;
  switch (e.type) {
    case "opened":
      return `经${CHANNELS[e.channel] ?? e.channel}收到诉求（${by}登记）`;
    case "transitioned":
      return `${desk.transitionTitle(e.transition)}：${desk.stateTitle(e.from)} → ${desk.stateTitle(e.to)}（${by}）${e.route ? ` 派往 ${desk.unitName(e.route.unit)}` : ""}`;
    case "opinion_submitted":
      return `${by}提交会办意见：${e.opinion}`;
    case "supervision_raised": {
      const automatic = e.actor.id === "system";
      return `${desk.unitName(e.unit)}${LEVELS[e.level] ?? e.level}：${required(desk, e.required, automatic)}（${automatic ? "超时自动" : by}，${when(e.due_at)}前答复）`;
    }
    case "supervision_answered":
      return `${by}答复督办：${e.answer}`;
    case "linked":
      return `与 ${e.primary} 为同一诉求，并入主件`;
    case "duplicate_linked":
      return `${e.duplicate}（${CHANNELS[e.channel] ?? e.channel}）并入本件`;
    case "opinion_overdue":
      return `${desk.unitName(e.unit)}会办意见逾期`;
    case "supervision_overdue":
      return `${desk.unitName(e.unit)}督办答复逾期`;
    case "sla_warning":
      return `时限预警：${desk.slaTitle(e.sla)}（期限 ${when(e.due_at)}）`;
    case "sla_breached":
      return `超时：${desk.slaTitle(e.sla)}（期限 ${when(e.due_at)}）`;
    case "sla_extended":
      return `延期：${desk.slaTitle(e.sla)}，${e.reason}`;
  }
}

function timeline(desk: Desk, events: EventRecord[]): HTMLElement {
  return h(
    "ol",
    { class: "timeline" },
    events.map((e) => h("li", { "data-event": e.type, class: e.type }, h("time", {}, when(e.at)), describe(desk, e))),
  );
}

function outbox(desk: Desk, caseId: string, page: Page): HTMLElement {
  if (desk.remote !== undefined) {
    return h("div", { class: "outbox" }, h("h3", {}, "待投递事项"), h("p", { class: "none" }, "由服务器的投递任务送出（civicflow serve）"));
  }
  const effects = desk.pending().filter((e) => e.case_id === caseId);
  const what = (e: (typeof effects)[number]) => {
    const why = REASONS[e.reason] ?? e.reason;
    switch (e.kind) {
      case "notify_citizen":
        return `通过${CHANNELS[e.channel ?? ""] ?? e.channel}告知群众：${why}`;
      case "notify_unit":
        return `通知${desk.unitName(e.unit)}：${why}`;
      case "notify_role":
        return `通知${ROLES[e.role ?? ""] ?? e.role}：${why}`;
      case "publish_reply":
        return "公开答复";
      case "publish":
        return `发布到${CHANNELS[e.channel ?? ""] ?? e.channel}（${e.detail ?? ""}）`;
      case "supervision_notice":
        return `向${desk.unitName(e.unit)}送达${LEVELS[e.level ?? ""] ?? ""}通知`;
      case "flag":
        return `标记：${why}`;
    }
  };
  return h(
    "div",
    { class: "outbox" },
    h("h3", {}, `待投递事项（${effects.length}）`),
    effects.length === 0 ? h("p", { class: "none" }, "无") : h("ul", {}, effects.map((e) => h("li", { "data-effect": e.id }, h("code", {}, e.id), " ", what(e)))),
    h(
      "button",
      { "data-action": "deliver", onclick: () => (page.say(`已投递并确认 ${desk.deliver()} 项`), page.refresh()) },
      "投递全部待办事项",
    ),
  );
}

function publicView(desk: Desk, caseId: string): HTMLElement {
  const v = desk.engine.publicView(caseId);
  const fields = Object.entries(v.fields).map(([id, value]) =>
    h("tr", {}, h("th", {}, desk.workflow.fields?.find((f) => f.id === id)?.title ?? id), h("td", {}, label(desk, id, value))),
  );
  return h(
    "div",
    { class: "public", id: "public-view" },
    h("h3", {}, "公开页面（个人信息已脱敏）"),
    v.accusation ? h("p", { class: "note" }, "检举类诉求：不公开诉求人信息。") : null,
    h("table", {}, fields),
    h("ol", { class: "timeline" }, v.timeline.map((e) => h("li", {}, h("time", {}, when(e.at)), e.title ?? e.state_title ?? e.state))),
  );
}

/** A field value as a reader sees it: categories and places by name. */
function label(desk: Desk, field: string, value: JsonValue): string {
  const handling = desk.workflow.handling;
  if (field === handling?.category_field) return CATEGORIES[String(value)] ?? String(value);
  if (field === handling?.region_field || field === handling?.unit_field) return desk.unitName(String(value));
  return String(value);
}

/** What a supervision asks for; an automatic one names the breached rule and step, `<sla>/<step>`. */
export function required(desk: Desk, text: string, automatic: boolean): string {
  const [sla, step] = text.split("/");
  return automatic && step !== undefined ? `${desk.slaTitle(sla ?? "")}超时` : text;
}
