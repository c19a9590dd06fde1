// The petition workload on civicflow through its npm package (built in bindings-wasm/pkg):
// one engine holds the cases; `open` and `send` are the lean typed calls, persistence is the
// case's history as JSON text (hash chain included) and `restoreCase` brings it back live.
import fs from "node:fs";
import { Engine } from "../../bindings-wasm/pkg/node.mjs";

const def = JSON.parse(fs.readFileSync(new URL("./petition.json", import.meta.url), "utf8"));
// Frozen actors, as a hot loop reuses them: the package checks each one once.
const frozen = (id, role) => Object.freeze({ id, roles: Object.freeze([role]) });
const opener = frozen("u-open", "clerk");
// The same event objects as the other libraries, as civicflow actors.
const actorOf = new WeakMap();
const actor = (event) => {
  let a = actorOf.get(event);
  if (a === undefined) actorOf.set(event, (a = frozen(event.actor, event.role)));
  return a;
};

let engine;
let restored;
let next = 0;
let clock = 1_767_225_600_000;

export const civicflow = {
  name: "civicflow",
  // A fresh engine per batch, outside the timing: like the others' cases, a batch's cases
  // are dropped afterwards.
  setup() {
    engine?.free();
    restored?.free();
    engine = new Engine();
    engine.loadWorkflow(def);
    restored = new Engine();
    restored.loadWorkflow(def);
  },
  create() {
    const id = `c${next++}`;
    engine.open(id, "petition", "web", opener, clock);
    return id;
  },
  send(id, event) {
    engine.send(id, event.type, actor(event), ++clock);
  },
  // What a long-lived host does between batches, untimed: deliver the queued effects (the
  // citizen's notices) and acknowledge them, so the outbox never fills.
  upkeep() {
    for (;;) {
      const { effects } = engine.drainOutbox({ now: clock, limit: 10_000 });
      if (effects.length === 0) return;
      engine.ackEffects(effects.map((e) => e.id));
    }
  },
  // The whole engine in one call (bench/stall.mjs only).
  snapshot() {
    return engine.snapshot();
  },
  result(id) {
    return resultIn(engine, id);
  },
  persist(id) {
    return engine.callJson(`{"op":"history","case_id":${JSON.stringify(id)}}`);
  },
  // Into a second engine: the case is still in the first.
  restore(text) {
    return restored.restoreCase(JSON.parse(text).result.events).case.id;
  },
  sendRestored(id, event) {
    restored.send(id, event.type, actor(event), ++clock);
  },
  resultRestored(id) {
    return resultIn(restored, id);
  },
};

function resultIn(e, id) {
  const events = e.history(id).events;
  const last = events.at(-1);
  return { state: e.getCase(id).state, count: events.length - 1, actor: last.actor.id };
}
