export { Engine, CivicflowError, defineWorkflow, version, memoryBytes } from "./lib/engine.cjs";
export type { Answer, Results, Op, Instant, Timed, AtNotNow, Change, Frozen, WorkflowLike, TransitionId, WorkflowId, TransitionRequest } from "./lib/engine.cjs";
export type * from "./lib/types.cjs";
