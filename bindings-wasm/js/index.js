// Bundlers (webpack 5, Vite, Rollup, esbuild with a file loader): the `web` build, loaded by a
// top-level await from the `new URL(..., import.meta.url)` asset that bundlers copy.
import init, * as raw from "./wasm/web/civicflow_wasm.js";
import { useModule } from "./lib/engine.js";

await init();
useModule(raw);

export { Engine, CivicflowError, version, memoryBytes } from "./lib/engine.js";
