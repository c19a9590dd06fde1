// The petition machine in XState 5: an actor per case (createActor + send), three role guards
// plus the citizen's, and an `assign` recording the actor and a counter on every transition.
import { assign, createActor, setup } from "xstate";

const T = (target, guard) => ({ target, guard, actions: "record" });
const ESC = { ESCALATE: T("escalated", "isSupervisor") };
const machine = setup({
  guards: {
    isClerk: ({ event }) => event.role === "clerk",
    isOfficer: ({ event }) => event.role === "officer",
    isSupervisor: ({ event }) => event.role === "supervisor",
    isCitizen: ({ event }) => event.role === "citizen",
  },
  actions: {
    record: assign({ count: ({ context }) => context.count + 1, actor: ({ event }) => event.actor }),
  },
}).createMachine({
  id: "petition",
  initial: "received",
  context: { count: 0, actor: null },
  states: {
    received: { on: { ACCEPT: T("accepted", "isClerk"), REJECT: T("rejected", "isClerk"), ...ESC } },
    accepted: { on: { ASSIGN: T("assigned", "isSupervisor"), ...ESC } },
    assigned: { on: { START: T("in_progress", "isOfficer"), RETURN: T("returned", "isOfficer"), ...ESC } },
    returned: { on: { REASSIGN: T("assigned", "isSupervisor"), ...ESC } },
    in_progress: {
      on: { REQUEST_INFO: T("waiting_citizen", "isOfficer"), REPLY: T("replied", "isOfficer"), ...ESC },
    },
    waiting_citizen: { on: { SUPPLEMENT: T("in_progress", "isCitizen"), ...ESC } },
    replied: { on: { EVALUATE: T("evaluated", "isSupervisor"), REOPEN: T("reopened", "isSupervisor"), ...ESC } },
    reopened: { on: { ASSIGN: T("assigned", "isSupervisor"), ...ESC } },
    evaluated: { on: { CLOSE: T("closed", "isSupervisor"), ...ESC } },
    escalated: { on: { ASSIGN: T("assigned", "isSupervisor") } },
    closed: { type: "final" },
    rejected: { type: "final" },
  },
});

export const xstate = {
  name: "XState 5.33",
  setup() {},
  create() {
    return createActor(machine).start();
  },
  send(actor, event) {
    actor.send(event);
  },
  result(actor) {
    const s = actor.getSnapshot();
    return { state: s.value, count: s.context.count, actor: s.context.actor };
  },
  persist(actor) {
    return JSON.stringify(actor.getPersistedSnapshot());
  },
  sendRestored(c, event) {
    this.send(c, event);
  },
  resultRestored(c) {
    return this.result(c);
  },
  restore(text) {
    return createActor(machine, { snapshot: JSON.parse(text) }).start();
  },
};
