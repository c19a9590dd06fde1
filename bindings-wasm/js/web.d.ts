export { Engine, CivicflowError, defineWorkflow, version, memoryBytes } from "./lib/engine.js";
export type { Answer, Results, Op, Instant, Timed, AtNotNow, Change, Frozen, WorkflowLike, TransitionId, WorkflowId, TransitionRequest } from "./lib/engine.js";
export type * from "./lib/types.js";

/** Where the WebAssembly comes from: a URL, a fetch `Response`, bytes or a compiled module. */
export type InitInput =
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module;

/**
 * Loads the WebAssembly module; by default `wasm/civicflow_wasm_bg.wasm` next to this
 * file. Every other export throws a `CivicflowError` (`engine.not_initialized`) until it
 * resolves.
 */
export default function init(options?: {
  module_or_path?: InitInput | Promise<InitInput>;
}): Promise<void>;

/** Loads the WebAssembly module from bytes or a compiled module, synchronously. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): void;
