// Node, ESM: the CommonJS build, so that `import` and `require` share one engine module and
// one `CivicflowError` class.
import api from "./node.cjs";

export const { Engine, CivicflowError, defineWorkflow, version, memoryBytes } = api;
