// The case board: a row per case with its channel, unit, state and a countdown badge per SLA
// clock (green, amber once a warning fired, red and negative once breached).

import type { ClockView } from "civicflow/web";
import type { Desk } from "./desk.js";
import { h, mount } from "./dom.js";
import { required } from "./case.js";
import { CHANNELS, LEVELS, span } from "./text.js";

/** One clock of a case of `workflow` as a badge. */
export function badge(desk: Desk, clock: ClockView, workflow = desk.workflow.id): HTMLElement {
  const colour =
    clock.status === "breached"
      ? "red"
      : clock.status === "paused"
        ? "grey"
        : clock.warnings_fired.length > 0
          ? "amber"
          : "green";
  const left =
    clock.status === "breached"
      ? clock.remaining_ms <= -60_000
        ? `超时 −${span(clock.remaining_ms)}`
        : "已超时"
      : clock.status === "paused"
        ? `暂停 剩${span(clock.remaining_ms)}`
        : `剩 ${span(clock.remaining_ms)}`;
  const title = clock.due_local === undefined ? "" : `期限 ${clock.due_local}`;
  return h(
    "span",
    { class: `badge ${colour}`, "data-sla": clock.sla, "data-status": clock.status, title },
    `${desk.slaTitle(clock.sla, workflow)} ${left}`,
  );
}

export function renderBoard(desk: Desk, selected: string | undefined, open: (id: string) => void): void {
  const rows = desk.casesOf(desk.workflow.id).map((id) => {
    const c = desk.engine.getCase(id);
    const supervisions = c.handling?.supervisions ?? [];
    const open_supervisions = supervisions.filter((s) => s.answered_at === undefined);
    const last = open_supervisions.at(-1);
    return h(
      "tr",
      {
        "data-case": id,
        "data-state": c.state,
        "data-supervisions": supervisions.length,
        class: [id === selected ? "selected" : "", c.terminal ? "closed" : ""].join(" "),
        tabindex: 0,
        onclick: () => open(id),
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === "Enter" || (e as KeyboardEvent).key === " ") open(id);
        },
      },
      h("td", { class: "id" }, id),
      h("td", {}, h("span", { class: `channel ${c.channel}` }, CHANNELS[c.channel] ?? c.channel)),
      h("td", { class: "summary" }, String(c.fields["summary"] ?? ""), c.handling?.primary ? h("small", {}, ` → 并入 ${c.handling.primary}`) : null),
      h("td", {}, desk.unitName(c.handling?.unit)),
      h("td", {}, h("span", { class: `state ${c.state_category ?? ""}` }, c.state_title ?? c.state)),
      h("td", { class: "clocks" }, desk.clocks(id).map((k) => badge(desk, k))),
      h(
        "td",
        { class: "supervision" },
        last ? h("span", { class: "flag", title: required(desk, last.required, last.automatic === true) }, `${LEVELS[last.level] ?? last.level}·${desk.unitName(last.unit)}`) : null,
      ),
    );
  });
  mount(
    "board",
    h(
      "table",
      { class: "board" },
      h("thead", {}, h("tr", {}, ["编号", "渠道", "诉求", "承办单位", "状态", "时限", "督办"].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows),
    ),
  );
}
