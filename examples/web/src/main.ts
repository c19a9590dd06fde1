// The page: the case board and the case panel, the dashboard, the 发布 board and the account
// health board, and the clock that moves `now`.

import { renderAccounts } from "./accounts.js";
import { renderBoard } from "./board.js";
import { type Acting, renderCase, suggestActor } from "./case.js";
import { renderDashboard } from "./dashboard.js";
import { DAY, Desk, HOUR } from "./desk.js";
import { h, mount } from "./dom.js";
import { renderPublishing } from "./publishing.js";
import { LEVELS, when } from "./text.js";

const desk = await Desk.open();
let selected: string | undefined;
let acting: Acting = { role: "clerk", unit: "town" };
let tab = "board";

let hide: ReturnType<typeof setTimeout> | undefined;

function say(text: string, error = false): void {
  const toast = document.getElementById("toast");
  if (toast === null) return;
  toast.textContent = text;
  toast.className = error ? "error shown" : "shown";
  clearTimeout(hide);
  hide = setTimeout(() => toast.classList.remove("shown"), 8000);
}

function open(id: string): void {
  selected = id;
  acting = suggestActor(desk.engine.getCase(id));
  refresh();
}

function refresh(): void {
  renderClock();
  renderBoard(desk, selected, open);
  if (selected !== undefined) renderCase(desk, selected, acting, { refresh, open, say });
  if (tab === "dashboard") renderDashboard(desk);
  if (tab === "publishing") renderPublishing(desk);
  if (tab === "accounts") renderAccounts(desk);
}

function renderClock(): void {
  if (desk.remote !== undefined) {
    // Connected: the server's clock, and its sweeper fires the timers.
    mount("clock", h("span", { class: "now", id: "now", "data-now": desk.now }, when(desk.now)), h("span", { class: "live" }, "服务器时间"));
    return;
  }
  const step = (label: string, ms: number) =>
    h(
      "button",
      {
        "data-advance": label,
        onclick: () => {
          const fired = desk.advance(ms);
          const events = fired.fired.flatMap((f) => f.events.map((e) => ({ id: f.case_id, e })));
          const breaches = events.filter((x) => x.e.type === "sla_breached").length;
          const warnings = events.filter((x) => x.e.type === "sla_warning").length;
          const supervisions = events.filter((x) => x.e.type === "supervision_raised");
          const cases = new Set(fired.fired.map((f) => f.case_id)).size;
          say(
            `时间推进到 ${when(desk.now)}：${cases} 件有到期事项，超时 ${breaches}，预警 ${warnings}` +
              supervisions.map((x) => (x.e.type === "supervision_raised" ? `；${x.id} ${LEVELS[x.e.level]}（${desk.unitName(x.e.unit)}）` : "")).join(""),
          );
          refresh();
        },
      },
      label,
    );
  mount(
    "clock",
    h("span", { class: "now", id: "now", "data-now": desk.now }, when(desk.now)),
    step("+1小时", HOUR),
    step("+4小时", 4 * HOUR),
    step("+1天", DAY),
    step("+3天", 3 * DAY),
  );
}

for (const button of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
  button.addEventListener("click", () => {
    tab = button.dataset["tab"] ?? "board";
    for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
      b.classList.toggle("active", b === button);
      document.getElementById(`${b.dataset["tab"] ?? ""}-view`)!.hidden = b !== button;
    }
    refresh();
  });
}

// For the browser test: the engine's state, to compare with the API run outside the page.
Object.assign(window, {
  civicflowDemo: {
    snapshot: () => desk.engine.snapshot(),
    metricsQuery: () => desk.metricsQuery(),
    accountsQuery: (from: number, to: number) => desk.accountsQuery(from, to),
  },
});
refresh();
document.body.dataset["ready"] = "true";

if (desk.remote !== undefined) {
  const footer = document.querySelector("footer");
  if (footer !== null) footer.textContent = "已连接 civicflow serve：案件保存在服务器的数据库中，刷新页面不会丢失，多个浏览器共享同一台账；超时由服务器按数据库时钟触发。";
  // Other desks' changes, every two seconds.
  setInterval(() => void desk.sync().then((changed) => changed && refresh()), 2000);
}
