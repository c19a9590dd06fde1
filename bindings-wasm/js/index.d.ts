export { Engine, CivicflowError, version, memoryBytes } from "./lib/engine.js";
export type { Answer, Results, Op, Instant, Timed, AtNotNow, Change } from "./lib/engine.js";
export type * from "./lib/types.js";
