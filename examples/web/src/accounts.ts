// The 账号健康 board: per government account (one account-health case a quarter), the time since
// its last post against the two-week rule of 国办秘函〔2019〕19号, amber within the rule's warning
// window and red at its limit; its quarter's update clock; the interaction check; and 原创率 and
// 政务指数 of this quarter and the last from `metrics` (posts by account, split by originality
// and by kind).

import type { ClockView, DurationDef, EventRecord, MetricsRow } from "civicflow/web";
import { badge } from "./board.js";
import { DAY, type Desk, HOUR, MINUTE } from "./desk.js";
import { h, mount } from "./dom.js";
import { CHANNELS, POST_KINDS, percent, span, when } from "./text.js";

const WORKFLOW = "account-health";
const ORIGINAL = "post/original=true";
const GOVERNMENT = "post/kind=government";

type Transitioned = Extract<EventRecord, { type: "transitioned" }>;

/** An elapsed-time duration (the rule counts exact hours, holidays included) in ms. */
function ms(d: DurationDef | undefined): number {
  return (d?.natural_days ?? 0) * DAY + (d?.hours ?? 0) * HOUR + (d?.minutes ?? 0) * MINUTE;
}

/** The update rule's limit and its warning's lead, from the loaded template. */
function rule(desk: Desk): { limit: number; lead: number } {
  const update = desk.workflows[WORKFLOW]?.slas?.find((s) => s.id === "update");
  const limit = ms(update?.target.at(-1)?.duration);
  if (limit <= 0) throw new Error("account-health: no elapsed-time target for `update`");
  return { limit, lead: ms(update?.warnings?.[0]?.before) };
}

/** A quarter ("2026Q1") as [from, to) in UTC ms, China time (+08:00, no daylight saving). */
function period(quarter: string): [number, number] {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  const start = (y: number, m: number) => Date.parse(`${y}-${String(m).padStart(2, "0")}-01T00:00:00+08:00`);
  return [start(year, 3 * q - 2), q === 4 ? start(year + 1, 1) : start(year, 3 * q + 1)];
}

function before(quarter: string): string {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  return q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`;
}

interface Account {
  name: string;
  /** The account's cases, in the order they were opened; the last is this quarter's. */
  cases: string[];
}

function accounts(desk: Desk): Account[] {
  const by = new Map<string, Account>();
  for (const id of desk.casesOf(WORKFLOW)) {
    const name = String(desk.engine.getCase(id).fields["account"] ?? "");
    const account = by.get(name) ?? { name, cases: [] };
    account.cases.push(id);
    by.set(name, account);
  }
  return [...by.values()];
}

/** The account's last post, over all its quarters: the two weeks run across a quarter's end. */
function lastPost(desk: Desk, account: Account): Transitioned | undefined {
  return account.cases
    .flatMap((id) => desk.engine.history(id).events)
    .filter((e): e is Transitioned => e.type === "transitioned" && e.transition === "post")
    .reduce<Transitioned | undefined>((latest, e) => (latest === undefined || e.at > latest.at ? e : latest), undefined);
}

/** Posts, 原创率 and 政务指数 of one quarter's row (none: the account's case has no post). */
function measures(row: MetricsRow | undefined, quarter: string): HTMLElement[] {
  const posts = row?.counts?.["post"] ?? 0;
  const share = (key: string) => (posts === 0 ? undefined : (row?.shares?.[key] ?? 0));
  const cell = (measure: string, value: number | undefined, text: string) =>
    h("td", { class: "number", "data-quarter": quarter, "data-measure": measure, "data-value": value ?? "" }, text);
  const original = share(ORIGINAL);
  const government = share(GOVERNMENT);
  return [
    cell("posts", posts, String(posts)),
    cell("original_rate", original, percent(original)),
    cell("government_index", government, percent(government)),
  ];
}

export function renderAccounts(desk: Desk): void {
  const { limit, lead } = rule(desk);
  const list = accounts(desk);
  const quarters = list.map((a) => String(desk.engine.getCase(a.cases.at(-1) ?? "").fields["quarter"] ?? "")).sort();
  const current = quarters.at(-1) ?? "";
  const previous = current === "" ? "" : before(current);
  const rows = (quarter: string) =>
    quarter === "" ? [] : desk.engine.metrics(desk.accountsQuery(...period(quarter))).rows;
  const now = rows(current);
  const then = rows(previous);
  const body = list.map((account) => {
    const id = account.cases.at(-1) ?? "";
    const c = desk.engine.getCase(id);
    const clock: ClockView | undefined = desk.engine.slaStatus({ case_id: id, at: desk.now }).clocks.find((k) => k.sla === "update");
    const post = lastPost(desk, account);
    // Never posted: counted from the start of the quarter's clock, as the rule counts.
    const since = post?.at ?? clock?.started_at ?? c.opened_at;
    const elapsed = desk.now - since;
    const health =
      elapsed >= limit || clock?.status === "breached"
        ? "red"
        : elapsed >= limit - lead || (clock?.warnings_fired.length ?? 0) > 0
          ? "amber"
          : "green";
    const text =
      health === "red"
        ? `${span(elapsed)}未更新 · 超两周 ${span(elapsed - limit)}`
        : health === "amber"
          ? `${span(elapsed)}未更新 · 剩 ${span(limit - elapsed)}`
          : `${span(elapsed)}前更新`;
    const interaction = c.fields["interaction_ok"];
    const platform = String(c.fields["platform"] ?? "");
    const kind = post === undefined ? undefined : String(post.payload["kind"] ?? "");
    return h(
      "tr",
      { "data-account": account.name, "data-case": id, "data-health": health, "data-elapsed": elapsed },
      h("td", {}, h("strong", {}, account.name)),
      h("td", {}, h("span", { class: `channel ${platform}` }, CHANNELS[platform] ?? platform)),
      h("td", {}, desk.unitName(String(c.fields["unit"] ?? ""))),
      h(
        "td",
        { class: "last-post", "data-at": post?.at ?? "" },
        post === undefined ? h("span", { class: "none" }, "无发布记录") : [when(post.at), " ", h("span", { class: `kind ${kind}` }, POST_KINDS[kind ?? ""] ?? kind)],
      ),
      h("td", {}, h("span", { class: `badge ${health}`, "data-since": since, title: `两周期限 ${when(since + limit)}` }, text)),
      h("td", { class: "clocks" }, clock?.active === true ? badge(desk, clock, WORKFLOW) : "—"),
      h(
        "td",
        { "data-interaction": interaction === undefined ? "" : String(interaction) },
        interaction === true ? "有效" : interaction === false ? h("span", { class: "flag" }, "无效") : h("span", { class: "none" }, "未检查"),
      ),
      measures(now.find((r) => r.group === account.name), current),
      measures(then.find((r) => r.group === account.name), previous),
    );
  });
  const th = (text: string, attrs: Record<string, number> = {}) => h("th", attrs, text);
  mount(
    "accounts",
    h("h2", {}, `账号健康度 · ${current} 季度`),
    h(
      "p",
      { class: "meta" },
      `监测时间点前 ${span(limit)} 内无更新即单项否决（国办秘函〔2019〕19号），提前 ${span(lead)} 黄色提醒；按最近一次发布计，跨季度连续计算。`,
      "季度时钟自本季度开案或本季度最近一次发布起算，期满由引擎标记“单项否决、不更新”并自主办单位逐级督办。",
      "原创率 = 原创条数 ÷ 发布条数，政务指数 = 政务类条数 ÷ 发布条数，按账号统计该季度的账号案件（metrics，group_by field account）。",
    ),
    h(
      "table",
      { class: "board accounts" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["账号", "平台", "主办单位", "最近发布", "距上次发布", "本季度更新时钟", "互动功能"].map((t) => th(t, { rowspan: 2 })),
          th(`${current}（本季度）`, { colspan: 3 }),
          th(`${previous}（上季度）`, { colspan: 3 }),
        ),
        h("tr", {}, ["发布", "原创率", "政务指数", "发布", "原创率", "政务指数"].map((t) => th(t))),
      ),
      h("tbody", {}, body),
    ),
  );
}
