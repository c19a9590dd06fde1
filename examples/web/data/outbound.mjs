// Writes outbound.json: what 青山镇's government accounts send out, beside the seeded week of
// week.json (same `now`), for the desk's 发布 and 账号健康 boards. Run `node data/outbound.mjs`
// from examples/web after changing it (test/boards.test.mjs checks the file is its output).
//
// - publishing: this week's posts under 先审后发. Three released (to 2, 3 and 4 channels, one a
//   repost with its 稿源), each release's publish effects acknowledged as delivered; one sent
//   back at 复审 (退改); one in each review stage at `now`: 初审 within its last quarter
//   (amber), 复审 fresh (green), 终审 a working day late (red); one approved awaiting release.
// - account-health: four accounts (the town's WeChat and Weibo, 社会事务办's WeChat and
//   生态环境办's Weibo), each with a case for 2025Q4 (closed at the quarter's end) and 2026Q1.
//   Each delivered release to wechat or weibo is a `post` on that account. At `now` the town's
//   accounts are fresh, 青山民生服务 last posted 12 days 21 hours ago (within 72 hours of the
//   two-week limit) and 青山生态环境 21 days ago (past it).
// The last step fires what is due at `now`, as the week's last step does.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "civicflow";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const json = (p) => JSON.parse(readFileSync(join(root, p), "utf8"));
const week = json("examples/web/data/week.json");

/** China time (+08:00, no daylight saving) as UTC ms: "2026-01-09 13:30". */
const at = (local) => Date.parse(`${local.replace(" ", "T")}:00+08:00`);
const DAY = 86_400_000;

const actor = (id, role, unit = "town") => ({ id, roles: [role], unit });
const OPERATOR = actor("op-town-01", "operator");
const EDITOR = actor("editor-town-01", "editor");
const HEAD = actor("head-town-01", "section_head");
const LEADER = actor("leader-town-01", "leader");
const INSPECTOR = actor("inspector-town-01", "inspector");

/** The accounts: id suffix, name, platform, unit, operator. */
const ACCOUNTS = [
  { key: "1", account: "青山发布", platform: "wechat", unit: "town", operator: OPERATOR },
  { key: "2", account: "青山镇政务", platform: "weibo", unit: "town", operator: OPERATOR },
  { key: "3", account: "青山民生服务", platform: "wechat", unit: "town-social", operator: actor("op-social-01", "operator", "town-social") },
  { key: "4", account: "青山生态环境", platform: "weibo", unit: "town-env", operator: actor("op-env-01", "operator", "town-env") },
];
const QUARTERS = [
  { quarter: "2025Q4", prefix: "AH-25Q4-", start: "2025-10-01 00:00", end: "2026-01-01 00:00" },
  { quarter: "2026Q1", prefix: "AH-26Q1-", start: "2026-01-01 00:00" },
];
const caseOf = (quarter, platform) =>
  `${QUARTERS.find((q) => q.quarter === quarter).prefix}${ACCOUNTS.find((a) => a.platform === platform && a.unit === "town").key}`;

const steps = [];
const post = (caseId, when, kind, original, source) =>
  steps.push({
    op: "apply",
    case_id: caseId,
    transition: "post",
    actor: ACCOUNTS.find((a) => caseId.endsWith(`-${a.key}`)).operator,
    payload: { kind, original, ...(source === undefined ? {} : { source }) },
    at: when,
  });

// The quarters' cases, opened at each quarter's start; 2025Q4 closed at its end.
for (const q of QUARTERS) {
  for (const a of ACCOUNTS) {
    steps.push({
      op: "open_case",
      workflow: "account-health",
      case_id: `${q.prefix}${a.key}`,
      channel: "inspection",
      fields: { account: a.account, platform: a.platform, unit: a.unit, quarter: q.quarter },
      actor: INSPECTOR,
      at: at(q.start),
    });
    if (q.end !== undefined) {
      steps.push({
        op: "apply",
        case_id: `${q.prefix}${a.key}`,
        transition: "close_quarter",
        actor: INSPECTOR,
        payload: { note: `${q.quarter} 季度结束，更新情况见本季度发布记录` },
        at: at(q.end),
      });
    }
  }
}

// 2025Q4: a post every `every` days from `first` to `last`, the kinds in turn (a repost is
// never original; 转载 names its source).
const REPOSTED_FROM = "青山区人民政府网站";
function quarterPosts(key, first, last, every, times, kinds) {
  let i = 0;
  for (let day = at(`${first} 00:00`); day <= at(`${last} 00:00`); day += every * DAY, i++) {
    const [hh, mm] = times[i % times.length].split(":").map(Number);
    const kind = kinds[i % kinds.length];
    post(`AH-25Q4-${key}`, day + (hh * 60 + mm) * 60_000, kind, kind !== "repost", kind === "repost" ? REPOSTED_FROM : undefined);
  }
}
quarterPosts("1", "2025-10-02", "2025-12-29", 3, ["09:30", "18:00", "12:10"], ["government", "service", "repost", "government", "service"]);
quarterPosts("2", "2025-10-03", "2025-12-31", 4, ["10:00", "20:30"], ["service", "government", "repost", "service"]);
// 社会事务办's Saturday-evening 民生周报, the last on 27 December.
quarterPosts("3", "2025-10-04", "2025-12-27", 7, ["20:00"], ["service", "service", "government", "repost"]);
// 生态环境办 posts every eleven days, the last on 19 December.
quarterPosts("4", "2025-10-03", "2025-12-19", 11, ["10:30"], ["government", "repost", "service", "government"]);

// 2026Q1 before this week's releases.
post("AH-26Q1-1", at("2026-01-01 09:00"), "repost", false, "青山区融媒体中心");
post("AH-26Q1-2", at("2026-01-03 10:00"), "service", true);
post("AH-26Q1-1", at("2026-01-05 18:00"), "government", true);
post("AH-26Q1-2", at("2026-01-09 09:15"), "service", true);
steps.push(
  { op: "apply", case_id: "AH-26Q1-1", transition: "interaction_check", actor: INSPECTOR, payload: { interaction_ok: true, check_note: "留言功能正常，48小时内答复" }, at: at("2026-01-06 15:00") },
  { op: "apply", case_id: "AH-26Q1-2", transition: "interaction_check", actor: INSPECTOR, payload: { interaction_ok: true, check_note: "私信和评论回复正常" }, at: at("2026-01-06 15:10") },
);

// This week's posts: each opened in drafting by the operator, then the steps named.
const POSTS = [
  {
    id: "P-01",
    fields: { title: "青山镇2026年第一季度重点工作安排", body: "镇党委、镇政府部署第一季度重点工作：冬季安全生产、春节保供稳价、农村人居环境整治……", kind: "government", original: true },
    open: "2026-01-05 09:30",
    take: [["submit", "2026-01-05 10:00"], ["pass_first", "2026-01-05 11:00"], ["pass_second", "2026-01-05 14:30"], ["pass_final", "2026-01-06 09:40"], ["release", "2026-01-06 10:00", ["wechat", "weibo", "web"]]],
  },
  {
    id: "P-02",
    fields: { title: "东村自来水管网改造停水通知", body: "因东村供水管网改造，1月10日8:00至18:00东村一组至四组停水，请居民提前储水……", kind: "service", original: true },
    open: "2026-01-06 15:00",
    take: [["submit", "2026-01-06 15:20"], ["pass_first", "2026-01-06 16:00"], ["pass_second", "2026-01-06 16:40"], ["pass_final", "2026-01-07 09:30"], ["release", "2026-01-07 10:00", ["wechat", "weibo", "web", "app"]]],
  },
  {
    id: "P-03",
    fields: { title: "转载｜2026年度城乡居民医保集中缴费延长至1月31日", body: "区医疗保障局：2026年度城乡居民基本医疗保险集中缴费期延长至1月31日……", kind: "repost", original: false, source: "青山区医疗保障局官网" },
    open: "2026-01-08 09:00",
    take: [["submit", "2026-01-08 09:10"], ["pass_first", "2026-01-08 09:40"], ["pass_second", "2026-01-08 10:30"], ["pass_final", "2026-01-08 11:20"], ["release", "2026-01-08 11:30", ["wechat", "weibo"]]],
  },
  {
    id: "P-04",
    fields: { title: "西村河道整治进展通报", body: "经查明，西村河道死鱼系上游养殖场排污所致，镇生态环境办已立案查处……", kind: "government", original: true },
    open: "2026-01-08 13:30",
    take: [["submit", "2026-01-08 14:00"], ["pass_first", "2026-01-08 15:00"], ["return_second", "2026-01-09 10:00", { reason: "死鱼原因尚无检测结论，请删去“经查明”的表述，待生态环境办出具检测报告后再报" }]],
  },
  {
    id: "P-05",
    fields: { title: "2026年度城乡居民养老保险缴费提醒", body: "2026年度城乡居民基本养老保险缴费已开始，缴费档次和补贴标准如下……", kind: "service", original: true },
    open: "2026-01-09 11:00",
    take: [["submit", "2026-01-09 13:30"]],
  },
  {
    id: "P-06",
    fields: { title: "青山镇冬季森林防火倡议书", body: "进入冬季，林区干燥，严禁野外用火……", kind: "government", original: true },
    open: "2026-01-09 09:00",
    take: [["submit", "2026-01-09 09:30"], ["pass_first", "2026-01-09 14:50"]],
  },
  {
    id: "P-07",
    fields: { title: "青山镇人民政府2025年政府信息公开工作年度报告", body: "根据《中华人民共和国政府信息公开条例》第五十条，现公布本镇2025年政府信息公开工作年度报告……", kind: "government", original: true },
    open: "2026-01-07 08:40",
    take: [["submit", "2026-01-07 09:00"], ["pass_first", "2026-01-07 10:00"], ["pass_second", "2026-01-07 11:30"]],
  },
  {
    id: "P-08",
    fields: { title: "关于1月12日开展镇村干部集中培训的通知", body: "定于1月12日（周一）上午9:00在镇政府三楼会议室开展镇村干部集中培训……", kind: "service", original: true },
    open: "2026-01-09 14:00",
    take: [["submit", "2026-01-09 14:10"], ["pass_first", "2026-01-09 14:40"], ["pass_second", "2026-01-09 15:20"], ["pass_final", "2026-01-09 16:40"]],
  },
];
const BY = { submit: OPERATOR, pass_first: EDITOR, return_first: EDITOR, pass_second: HEAD, return_second: HEAD, pass_final: LEADER, return_final: LEADER, release: OPERATOR };
for (const p of POSTS) {
  steps.push({
    op: "open_case",
    workflow: "publishing",
    case_id: p.id,
    channel: "editorial",
    fields: { ...p.fields, account: "青山发布", unit: "town" },
    actor: OPERATOR,
    at: at(p.open),
  });
  for (const [transition, when, extra] of p.take) {
    const payload = Array.isArray(extra) ? { channels: extra } : (extra ?? {});
    steps.push({ op: "apply", case_id: p.id, transition, actor: BY[transition], payload, at: at(when) });
  }
}

// In time order (a stable sort keeps each case's order), then through the engine: each
// release is followed by its publish effects acknowledged (the host delivered them) and by a
// post on the town's account of every delivered wechat or weibo channel, two minutes on.
steps.sort((a, b) => a.at - b.at);
const engine = new Engine();
engine.loadCalendar(json("calendars/cn-mainland.json"));
engine.loadOrg(json("orgs/qingshan.json"));
for (const t of ["publishing", "account-health"]) engine.loadWorkflow(json(`templates/${t}.json`));
const out = [];
const later = [];
const run = (step) => {
  const answer = engine.call(step);
  if (!answer.ok) throw new Error(`${JSON.stringify(step)}: ${JSON.stringify(answer.errors)}`);
  out.push(step);
  return answer;
};
for (const step of steps) {
  while (later.length > 0 && later[0].at <= step.at) run(later.shift());
  const answer = run(step);
  if (step.transition !== "release") continue;
  const effects = answer.result.effects.filter((e) => e.kind === "publish");
  run({ op: "ack_effects", ids: effects.map((e) => e.id) });
  const fields = answer.result.case.fields;
  for (const e of effects.filter((e) => e.channel === "wechat" || e.channel === "weibo")) {
    later.push({
      op: "apply",
      case_id: caseOf("2026Q1", e.channel),
      transition: "post",
      actor: OPERATOR,
      payload: { kind: fields.kind, original: fields.original, ...(fields.source === undefined ? {} : { source: fields.source }) },
      at: step.at + 2 * 60_000,
    });
  }
  later.sort((a, b) => a.at - b.at);
}
for (const step of later) run(step);
run({ op: "fire_due", now: week.now });
if (out.some((s) => (s.at ?? s.now) > week.now)) throw new Error("a step after the desk's now");

/** The file's content. */
export const data = {
  description:
    "青山镇政务新媒体：本周先审后发的稿件（初审、复审、终审、发布到各渠道），以及镇政府和社会事务办、生态环境办四个账号上季度和本季度的每一次发布，供发布台账和账号健康度看板使用",
  start: at(QUARTERS[0].start),
  now: week.now,
  steps: out,
};
export const text = `${JSON.stringify(data, null, 1)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(here, "outbound.json"), text);
  console.log(`outbound.json: ${out.length} steps, ${out.filter((s) => s.op === "open_case").length} cases`);
}
