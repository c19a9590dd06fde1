// The page every bundler test builds: the package's default entry, its templates and
// calendars, an engine that opens and moves a case. It writes what happened into #out.
import { Engine, CivicflowError, version } from "civicflow";
import { calendars } from "civicflow/calendars";
import { templates } from "civicflow/templates";

const out = document.getElementById("out");
try {
  const engine = new Engine();
  engine.loadCalendar(calendars["cn-mainland"]);
  engine.loadWorkflow(templates["hotline-12345"]);
  const operator = { id: "op-1", roles: ["operator"] };
  const fields = { summary: "路灯不亮", category: "municipal", citizen_name: "张三", citizen_phone: "13812345678", address: "幸福路 12 号" };
  for (const [id, at] of [["WO-1", "2026-09-30T08:00:00Z"], ["WO-2", "2026-09-30T08:10:00Z"]]) {
    engine.openCase({ case_id: id, workflow: "hotline-12345", channel: "web", actor: operator, fields, at: new Date(at) });
  }
  const state = engine.apply({ case_id: "WO-1", transition: "accept", actor: operator, at: new Date("2026-09-30T08:30:00Z") }).case.state;
  let refused = "";
  try {
    engine.getCase("WO-3");
  } catch (e) {
    refused = e instanceof CivicflowError ? e.code : String(e);
  }
  out.textContent = JSON.stringify({ version: version(), state, refused, listed: engine.listCases().total, due: engine.nextDue()?.due_at });
  out.dataset.status = "ok";
} catch (e) {
  out.textContent = String(e?.stack ?? e);
  out.dataset.status = "failed";
}
