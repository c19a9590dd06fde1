// The performance dashboard: 响应率, 解决率 and 满意率 and the on-time rates of each SLA rule per
// unit as bars, the ranking among peers, and the tables as CSV, all from the engine's `metrics`.

import type { Metrics, MetricsRow } from "civicflow/web";
import type { Desk } from "./desk.js";
import { h, mount } from "./dom.js";
import { KINDS, percent, when } from "./text.js";

const RATES: [keyof MetricsRow, string][] = [
  ["response_rate", "响应率"],
  ["resolution_rate", "解决率"],
  ["satisfaction_rate", "满意率"],
];

function bar(rate: number | undefined | null, label: string, key: string): HTMLElement {
  const width = rate === undefined || rate === null ? 0 : Math.round(rate * 100);
  return h(
    "div",
    { class: "bar", "data-rate": key, "data-value": rate ?? "" },
    h("span", { class: "label" }, label),
    h("span", { class: "track" }, h("span", { class: `fill ${key}`, style: `width:${width}%` })),
    h("span", { class: "value" }, percent(rate)),
  );
}

/** The CSV downloads of the last render, released when the dashboard is drawn again. */
let urls: string[] = [];

export function renderDashboard(desk: Desk): Metrics {
  for (const url of urls) URL.revokeObjectURL(url);
  urls = [];
  const query = desk.metricsQuery();
  const m = desk.engine.metrics(query);
  const rows = m.rows.filter((r) => r.received > 0);
  const slas = (unit: string) => m.slas.filter((s) => s.group === unit && s.started > 0);
  const csv = desk.engine.metricsCsv(query);
  const download = (name: string, text: string) => {
    const href = URL.createObjectURL(new Blob(["\ufeff", text], { type: "text/csv" }));
    urls.push(href);
    return h("a", { href, download: name, "data-csv": name }, name);
  };
  mount(
    "dashboard",
    h("h2", {}, `绩效看板 · ${when(desk.start)} 起至 ${when(desk.now)}`),
    h(
      "p",
      { class: "meta" },
      `收到 ${m.total.received} 件，办结 ${m.total.closed} 件，在办 ${m.total.open} 件（其中超期 ${m.total.open_overdue} 件）。`,
      "按时率取“含在办超期”的口径：超期未办结的也算未按时。",
    ),
    h(
      "div",
      { class: "units" },
      rows.map((r) =>
        h(
          "div",
          { class: "unit", "data-unit": r.group, "data-received": r.received, "data-closed": r.closed },
          h("h3", {}, r.group === "" ? "尚未派单" : (r.name ?? r.group), h("small", {}, ` 收到 ${r.received} · 办结 ${r.closed}`)),
          RATES.map(([key, label]) => bar(r[key] as number | undefined, label, key)),
          slas(r.group).map((s) => bar(s.on_time_rate_with_open_overdue, `${desk.slaTitle(s.sla)}按时率`, `on_time:${s.sla}`)),
        ),
      ),
    ),
    h("h3", {}, "排名（同类单位之间）"),
    h(
      "table",
      { class: "ranking" },
      h("thead", {}, h("tr", {}, ["同类", "名次", "单位", "综合得分", "档次", "解决率", "有效回访"].map((t) => h("th", {}, t)))),
      h(
        "tbody",
        {},
        m.ranking.map((r) =>
          h(
            "tr",
            { "data-rank": r.group },
            h("td", {}, KINDS[r.peers ?? ""] ?? r.peers ?? "—"),
            h("td", {}, r.rank),
            h("td", {}, r.name ?? r.group),
            h("td", { "data-score": r.score }, r.score.toFixed(1)),
            h("td", { "data-tier": r.tier ?? "" }, r.tier ?? "—"),
            h("td", {}, percent(r.resolution_rate)),
            h("td", {}, r.callbacks),
          ),
        ),
      ),
    ),
    h("p", { class: "downloads" }, "下载 CSV：", download("metrics-units.csv", csv.rows), " ", download("metrics-slas.csv", csv.slas), " ", download("metrics-ranking.csv", csv.ranking)),
  );
  return m;
}
