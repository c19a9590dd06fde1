// Node, CommonJS (and the ESM entry, which re-exports this one: one instance per process).
"use strict";
const raw = require("./wasm/civicflow_wasm.cjs");
const api = require("./lib/engine.cjs");

api.useModule(raw);
exports.Engine = api.Engine;
exports.CivicflowError = api.CivicflowError;
exports.defineWorkflow = api.defineWorkflow;
exports.version = api.version;
exports.memoryBytes = api.memoryBytes;
