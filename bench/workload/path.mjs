// The workload of issue 8, shared by the three implementations: one petition from `received`
// to `closed` in 12 events, each sent by an actor of one role. Built once, outside any timing.
export const PATH = [
  ["ACCEPT", "clerk"],
  ["ASSIGN", "supervisor"],
  ["RETURN", "officer"],
  ["REASSIGN", "supervisor"],
  ["ESCALATE", "supervisor"],
  ["ASSIGN", "supervisor"],
  ["START", "officer"],
  ["REQUEST_INFO", "officer"],
  ["SUPPLEMENT", "citizen"],
  ["REPLY", "officer"],
  ["EVALUATE", "supervisor"],
  ["CLOSE", "supervisor"],
].map(([type, role], i) => ({ type, role, actor: `u${i}` }));

/** Events sent before a case is persisted mid-path (it is then `escalated`). */
export const PERSIST_AFTER = 5;

/** What every implementation must show after the whole path. */
export const FINAL = { state: "closed", count: 12, actor: "u11" };
