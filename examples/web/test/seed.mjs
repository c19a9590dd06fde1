// The desk's seed run through the npm package in Node: the reference the browser tests compare
// the page with.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "civicflow";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..", "..");
export const shots = join(here, "..", "test-results");
export const json = (p) => JSON.parse(readFileSync(join(root, p), "utf8"));

/** The seeded week and the accounts' posts: what the page must show at start. */
export function reference() {
  const engine = new Engine();
  engine.loadCalendar(json("calendars/cn-mainland.json"));
  engine.loadOrg(json("orgs/qingshan.json"));
  for (const t of ["township", "publishing", "account-health"]) engine.loadWorkflow(json(`templates/${t}.json`));
  const week = json("examples/web/data/week.json");
  const outbound = json("examples/web/data/outbound.json");
  for (const request of [...week.steps, ...outbound.steps]) assert.equal(engine.call(request).ok, true, JSON.stringify(request));
  return { engine, week, outbound };
}
