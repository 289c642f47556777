// What lazy chunks add to a tool panel (js/src/panels/panels.js ToolPanel) as it updates: a
// coding agent's kind, status, locations and diffs (the acp chunk: acp.js) and a call's MCP app
// (the app chunk: app.js).

import { acp } from "./acp.js";
import { app } from "./app.js";

/**
 * @param {any} p a ToolPanel
 * @param {any} meta its block's `meta`
 */
export function parts(p, meta) {
  acp("tool", p, meta); // an ACP call (its meta): wait for the chunk; other diffs once it is here
  app(p, meta?.app);
}
