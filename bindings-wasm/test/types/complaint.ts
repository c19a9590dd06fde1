// Shared by the typing tests: a workflow written as a literal and kept with its literal types.
import { defineWorkflow } from "civicflow";

export const complaint = defineWorkflow({
  format: 1,
  id: "complaint",
  version: 1,
  title: "投诉",
  fields: [{ id: "reply_text", type: "text" }],
  roles: [{ id: "clerk", title: "经办人" }],
  states: [
    { id: "open", title: "待办", initial: true },
    { id: "replied", title: "已答复" },
    { id: "done", title: "办结", terminal: true },
  ],
  transitions: [
    { id: "reply", from: ["open"], to: "replied", roles: ["clerk"], requires: ["reply_text"] },
    { id: "close", from: ["replied"], to: "done", roles: ["clerk"] },
  ],
} as const);
