// A service on civicflow/store, run as its own process by store.test.mjs: it loads the
// township definitions (the same ones again change nothing) and sends the first steps of the
// seeded week (examples/web/data/week.json), each with its request id. With CF_KILL_AT=K the
// process kills itself (SIGKILL) before its K-th statement: what a crash leaves is what the
// next run, retrying every step, must finish without losing, doubling or corrupting anything.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine } from "../../pkg/node.mjs";
import { openStore } from "../../pkg/lib/store.js";
import { calendars } from "../../pkg/calendars.js";
import { orgs, templates } from "../../pkg/templates.js";

const url = process.env.CF_STORE_URL;
if (url !== undefined) {
  const killAt = Number(process.env.CF_KILL_AT ?? 0);
  const steps = Number(process.env.CF_STEPS ?? 12);
  const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..", "..");
  const week = JSON.parse(readFileSync(join(root, "examples/web/data/week.json"), "utf8"));
  let statements = 0;
  const store = await openStore(url, new Engine(), {
    clock: () => week.start,
    onStatement: (n) => {
      statements = n;
      if (n === killAt) process.kill(process.pid, "SIGKILL");
    },
  });
  await store.loadCalendar(calendars["cn-mainland"]);
  await store.loadOrg(orgs.qingshan);
  await store.loadWorkflow(templates.township);
  const commands = week.steps.filter((s) => s.op !== "fire_due").slice(0, steps);
  for (const [i, step] of commands.entries()) {
    const answer = await store.call({ ...step, request_id: `week-${i}` });
    if (!answer.ok) {
      console.error(`step ${i} refused: ${JSON.stringify(answer.errors)}`);
      process.exit(2);
    }
  }
  await store.close();
  console.log(`done ${commands.length} steps, ${statements} statements`);
}
