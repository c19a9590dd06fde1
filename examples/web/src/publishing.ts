// The 发布 board: the accounts' posts under 先审后发. Posts not yet released, with their stage
// and its review clock (amber once the reminder fired, red once late) and why a draft came back
// (退改); posts released, with the channels the release reached: the channels of its `release`
// event, one publish effect each (in the page, each marked delivered or waiting in the outbox).

import type { CaseView, Effect, EventRecord } from "civicflow/web";
import { badge } from "./board.js";
import type { Desk } from "./desk.js";
import { h, mount } from "./dom.js";
import { CHANNELS, POST_KINDS, when } from "./text.js";

const WORKFLOW = "publishing";
/** The states of a post that went out. */
const RELEASED = ["published", "withdrawn"];

type Transitioned = Extract<EventRecord, { type: "transitioned" }>;

function transitioned(desk: Desk, id: string): Transitioned[] {
  return desk.engine.history(id).events.filter((e): e is Transitioned => e.type === "transitioned");
}

/** The last time `transition` was taken. */
function last(events: Transitioned[], transition: string): Transitioned | undefined {
  return events.filter((e) => e.transition === transition).at(-1);
}

function transitionTitle(desk: Desk, id: string): string {
  return desk.workflows[WORKFLOW]?.transitions.find((t) => t.id === id)?.title ?? id;
}

/** The title with its kind, and originality or source. */
function title(c: CaseView): HTMLElement {
  const kind = String(c.fields["kind"] ?? "");
  const source = c.fields["source"];
  return h(
    "td",
    { class: "summary" },
    h("span", { class: `kind ${kind}`, "data-kind": kind }, POST_KINDS[kind] ?? kind),
    c.fields["original"] === true ? h("span", { class: "kind original" }, "原创") : null,
    ` ${String(c.fields["title"] ?? "")}`,
    typeof source === "string" ? h("small", { class: "source" }, ` 稿源：${source}`) : null,
  );
}

/** Where a post not yet released stands: back in the draft (and why, after a 退改), awaiting
 * release, or since when it is under review. */
function note(desk: Desk, c: CaseView, events: Transitioned[]): HTMLElement {
  const latest = events.at(-1);
  if (c.state === "drafting") {
    // The last 退改 since the last submission, even when the draft was revised after it.
    const back = events.filter((e) => e.transition.startsWith("return_")).at(-1);
    const submitted = last(events, "submit");
    if (back === undefined || (submitted !== undefined && submitted.at > back.at)) return h("td", {}, "起草中");
    return h(
      "td",
      { class: "returned", "data-returned": back.transition },
      `${transitionTitle(desk, back.transition)}（${when(back.at)}）：${String(back.payload["reason"] ?? "")}`,
    );
  }
  if (c.state === "approved" && latest !== undefined) return h("td", {}, `${when(latest.at)} 终审签发，待发布`);
  const submitted = last(events, "submit");
  return h("td", {}, submitted === undefined ? "起草中" : `${when(submitted.at)} 提交审核`);
}

function inReview(desk: Desk, ids: string[]): HTMLElement {
  const rows = ids.map((id) => {
    const c = desk.engine.getCase(id);
    return h(
      "tr",
      { "data-case": id, "data-state": c.state },
      h("td", { class: "id" }, id),
      title(c),
      h("td", {}, String(c.fields["account"] ?? "")),
      h("td", {}, h("span", { class: `state ${c.state_category ?? ""}` }, c.state_title ?? c.state)),
      // Only the review under way: a review that ended late is history, not a countdown.
      h("td", { class: "clocks" }, desk.clocks(id).filter((k) => k.active).map((k) => badge(desk, k, WORKFLOW))),
      note(desk, c, transitioned(desk, id)),
    );
  });
  return h(
    "table",
    { class: "board review" },
    h("thead", {}, h("tr", {}, ["编号", "稿件", "发布账号", "环节", "审核时限", "说明"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.length > 0 ? rows : h("tr", {}, h("td", { colspan: 6, class: "none" }, "没有待审稿件"))),
  );
}

/** A channel the release reached; in the page, whether its publish effect was delivered. */
function channel(desk: Desk, name: string, waiting: Effect | undefined): HTMLElement {
  const delivery = desk.remote !== undefined ? undefined : waiting === undefined ? "delivered" : "pending";
  return h(
    "span",
    {
      class: `channel ${name} ${delivery ?? ""}`,
      "data-channel": name,
      "data-delivery": delivery,
      title: delivery === undefined ? "由服务器投递" : delivery === "pending" ? `待投递 ${waiting?.id ?? ""}` : "已投递",
    },
    CHANNELS[name] ?? name,
    delivery === "delivered" ? " ✓" : delivery === "pending" ? " …" : "",
  );
}

function released(desk: Desk, ids: string[]): HTMLElement {
  const pending = desk.remote === undefined ? desk.pending().filter((e) => e.kind === "publish") : [];
  const rows = ids.map((id) => {
    const c = desk.engine.getCase(id);
    const events = transitioned(desk, id);
    const release = last(events, "release");
    const list = release?.payload["channels"];
    const channels = [...new Set(Array.isArray(list) ? list.map(String) : [])];
    const corrections = events.filter((e) => e.transition === "correct").length;
    // Delivery as of the latest publication on these channels: the release, a 勘误 or the 撤稿.
    const latest = events.filter((e) => ["release", "correct", "withdraw"].includes(e.transition)).at(-1);
    return h(
      "tr",
      { "data-case": id, "data-state": c.state, "data-channels": channels.join(" "), class: c.terminal ? "closed" : "" },
      h("td", { class: "id" }, id),
      title(c),
      h("td", {}, String(c.fields["account"] ?? "")),
      h("td", {}, release === undefined ? "—" : when(release.at)),
      h(
        "td",
        { class: "channels" },
        channels.map((name) =>
          channel(desk, name, pending.find((e) => e.case_id === id && e.seq === latest?.seq && e.channel === name)),
        ),
      ),
      h(
        "td",
        {},
        h("span", { class: `state ${c.state_category ?? ""}` }, c.state_title ?? c.state),
        corrections > 0 ? h("small", {}, ` 勘误 ${corrections} 次`) : null,
      ),
    );
  });
  return h(
    "table",
    { class: "board released" },
    h("thead", {}, h("tr", {}, ["编号", "稿件", "发布账号", "发布时间", "发布渠道", "状态"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.length > 0 ? rows : h("tr", {}, h("td", { colspan: 6, class: "none" }, "尚无发布"))),
  );
}

export function renderPublishing(desk: Desk): void {
  const ids = desk.casesOf(WORKFLOW);
  const out = ids.filter((id) => RELEASED.includes(desk.engine.getCase(id).state));
  const open = ids.filter((id) => !out.includes(id) && !desk.engine.getCase(id).terminal);
  mount(
    "publishing",
    h("h2", {}, `发布台账 · 先审后发（初审、复审、终审）`),
    h("h3", {}, `待审与待发（${open.length}）`),
    inReview(desk, open),
    h("h3", {}, `已发布与已撤稿（${out.length}）`),
    h("p", { class: "meta" }, "一次发布同时推送到所列的每个渠道（双微联动），每个渠道一条发布事项。"),
    released(desk, out),
  );
}
