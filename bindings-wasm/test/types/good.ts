// What must compile under `tsc --strict`, with no cast, and run.
import { Engine, CivicflowError, type ErrorCode, type Instant, type WorkflowDef, type OrgDef } from "civicflow";
import { calendars, cnMainland } from "civicflow/calendars";
import { orgs, templates, township } from "civicflow/templates";
import { complaint } from "./complaint.js";

// The shipped documents are typed values.
const hotline: WorkflowDef = templates["hotline-12345"];
const qingshan: OrgDef = orgs.qingshan;
const any = new Engine();
any.loadCalendar(calendars["cn-mainland"]);
any.loadCalendar(cnMainland);
any.loadWorkflow(hotline);
any.loadWorkflow(township);
any.loadOrg(qingshan);

// A workflow defined as a literal: its ids and required fields are checked.
const engine = new Engine<typeof complaint>();
engine.loadWorkflow(complaint);
const clerk = { id: "clerk-1", roles: ["clerk"] };
const opened: Instant = new Date("2026-09-30T08:00:00Z");
engine.openCase({ case_id: "C-1", workflow: "complaint", channel: "web", actor: clerk, at: opened });
engine.apply({ case_id: "C-1", transition: "reply", actor: clerk, at: Date.parse("2026-09-30T09:00:00Z"), payload: { reply_text: "已修复" } });
const state: string = engine.send("C-1", "close", clerk, new Date("2026-09-30T10:00:00Z"));

// Error codes are a union: a known code compares, and narrows.
let code: ErrorCode | "" = "";
try {
  engine.getCase("C-2");
} catch (e) {
  if (e instanceof CivicflowError && e.code === "case.not_found") code = e.code;
}
// An engine without a type parameter takes any id, as before.
any.openCase({ case_id: "W-1", workflow: "hotline-12345", channel: "wechat", actor: { id: "op", roles: ["operator"] }, at: 0,
  fields: { summary: "路灯不亮", category: "municipal", citizen_name: "张三", citizen_phone: "13812345678", address: "幸福路 12 号" } });
any.apply({ case_id: "W-1", transition: "accept", actor: { id: "op", roles: ["operator"] }, at: 1 });
console.log(state, code, any.getCase("W-1").state);
