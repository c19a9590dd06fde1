// What must not compile: each line marked `// error TSnnnn` is refused with that code, and no
// other line is.
import { Engine, CivicflowError, type ErrorCode } from "civicflow";
import { templates } from "civicflow/templates";
import { complaint } from "./complaint.js";

const engine = new Engine<typeof complaint>();
const clerk = { id: "clerk-1", roles: ["clerk"] };

// A wrong transition id.
engine.apply({ case_id: "C-1", transition: "clsoe", actor: clerk, at: 1 }); // error TS2820
engine.send("C-1", "nope", clerk, 1); // error TS2345
// A required payload field missing, or misspelt.
engine.apply({ case_id: "C-1", transition: "reply", actor: clerk, at: 1 }); // error TS2345
engine.apply({ case_id: "C-1", transition: "reply", actor: clerk, at: 1, payload: { reply: "x" } }); // error TS2345
// A workflow id the engine's type does not know.
engine.openCase({ case_id: "C-1", workflow: "complain", channel: "web", actor: clerk, at: 0 }); // error TS2322

// An unknown error code.
declare const e: CivicflowError;
if (e.code === "case.notfound") console.log("never"); // error TS2367
const code: ErrorCode = "case.missing"; // error TS2322

// Times: a string is not an instant, and the methods say `at`, not `now`.
engine.due("2026-10-01"); // error TS2345
engine.slaStatus({ case_id: "C-1", now: 1 }); // error TS2353

// The shipped documents are what they are.
templates["hotline-12346"]; // error TS2551
void code;
