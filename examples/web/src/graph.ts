// The workflow graph: the engine's DOT export, with the case's state highlighted, laid out by
// Graphviz compiled to WebAssembly (@viz-js/viz), loaded the first time a graph is drawn.

import type { CaseView } from "civicflow/web";
import type { Desk } from "./desk.js";

type Viz = Awaited<ReturnType<typeof import("@viz-js/viz").instance>>;
let viz: Promise<Viz> | undefined;

export async function drawGraph(desk: Desk, c: CaseView): Promise<void> {
  const dot = desk.engine.exportGraph({ workflow: c.workflow, version: c.version, format: "dot", case_id: c.id }).text;
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const svg = (await viz).renderSVGElement(dot);
  const target = document.getElementById("graph");
  // The panel may show another case by now.
  if (target === null || target.dataset["case"] !== c.id) return;
  svg.setAttribute("data-state", c.state);
  target.replaceChildren(svg);
}
