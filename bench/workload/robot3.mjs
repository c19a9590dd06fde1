// The petition machine in robot3: a service per case (interpret + send), the same guards and a
// reducer recording the actor and a counter. robot3 has no persistence of its own: a case is
// stored as its state name and context and rebuilt with `createMachine(state, ...)`.
import { createMachine, guard, interpret, reduce, state, transition } from "robot3";

const isClerk = guard((c, e) => e.role === "clerk");
const isOfficer = guard((c, e) => e.role === "officer");
const isSupervisor = guard((c, e) => e.role === "supervisor");
const isCitizen = guard((c, e) => e.role === "citizen");
const record = reduce((c, e) => ({ count: c.count + 1, actor: e.actor }));
const t = (ev, to, ...g) => transition(ev, to, ...g, record);
const esc = () => t("ESCALATE", "escalated", isSupervisor);
const states = {
  received: state(t("ACCEPT", "accepted", isClerk), t("REJECT", "rejected", isClerk), esc()),
  accepted: state(t("ASSIGN", "assigned", isSupervisor), esc()),
  assigned: state(t("START", "in_progress", isOfficer), t("RETURN", "returned", isOfficer), esc()),
  returned: state(t("REASSIGN", "assigned", isSupervisor), esc()),
  in_progress: state(t("REQUEST_INFO", "waiting_citizen", isOfficer), t("REPLY", "replied", isOfficer), esc()),
  waiting_citizen: state(t("SUPPLEMENT", "in_progress", isCitizen), esc()),
  replied: state(t("EVALUATE", "evaluated", isSupervisor), t("REOPEN", "reopened", isSupervisor), esc()),
  reopened: state(t("ASSIGN", "assigned", isSupervisor), esc()),
  evaluated: state(t("CLOSE", "closed", isSupervisor), esc()),
  escalated: state(t("ASSIGN", "assigned", isSupervisor)),
  closed: state(),
  rejected: state(),
};
const context = (initial) => initial ?? { count: 0, actor: null };
const machine = createMachine("received", states, context);
const noop = () => {};

export const robot3 = {
  name: "robot3 1.4",
  setup() {},
  create() {
    return interpret(machine, noop);
  },
  send(service, event) {
    service.send(event);
  },
  result(service) {
    return { state: service.machine.current, count: service.context.count, actor: service.context.actor };
  },
  persist(service) {
    return JSON.stringify({ state: service.machine.current, context: service.context });
  },
  sendRestored(c, event) {
    this.send(c, event);
  },
  resultRestored(c) {
    return this.result(c);
  },
  restore(text) {
    const { state: current, context: saved } = JSON.parse(text);
    return interpret(createMachine(current, states, context), noop, saved);
  },
};
