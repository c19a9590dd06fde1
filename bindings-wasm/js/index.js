// Bundlers that copy `new URL(..., import.meta.url)` assets and allow top-level await
// (webpack 5, Vite): the `web` build, loaded from that asset.
import init, * as raw from "./wasm/civicflow_wasm.js";
import { useModule } from "./lib/engine.js";

await init();
useModule(raw);

export { Engine, CivicflowError, defineWorkflow, version, memoryBytes } from "./lib/engine.js";
