export { Engine, CivicflowError, version, memoryBytes } from "./lib/engine.cjs";
export type { Answer, Results, Op, Instant, Timed, AtNotNow, Change } from "./lib/engine.cjs";
export type * from "./lib/types.cjs";
