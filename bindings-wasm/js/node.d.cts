export { Engine, CivicflowError, version, memoryBytes } from "./lib/engine.cjs";
export type { Answer, Results, Op } from "./lib/engine.cjs";
export type * from "./lib/types.cjs";
