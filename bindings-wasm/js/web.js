// Browsers without a bundler: `await init()` once, then use the API.
import initWasm, * as raw from "./wasm/civicflow_wasm.js";
import { useModule } from "./lib/engine.js";

let ready = false;
useModule(raw, () =>
  ready
    ? undefined
    : {
        code: "engine.not_initialized",
        message: "the WebAssembly module is not loaded: `await init()` first",
      },
);

/** Loads the WebAssembly module (by default `civicflow_wasm_bg.wasm` next to this file). */
export default async function init(options) {
  await initWasm(options);
  ready = true;
}

/** Loads the WebAssembly module from bytes or a compiled module, synchronously. */
export function initSync(options) {
  raw.initSync(options);
  ready = true;
}

export { Engine, CivicflowError, defineWorkflow, version, memoryBytes } from "./lib/engine.js";
