// The tools chunk (nbagent/static/tools.js, js/src/widget/tools_chunk.js): the panels of a run's
// tool calls and sub-agents (panels.js ToolPanel, AgentPanel), with what they hold: the arguments,
// result, output and traceback, a pause's head and how it was answered (pause.js), Re-run with
// its editor and results, and Copy as code (rerun.js, rerun_edit.js). The kernel gives it to
// the code model with the first tool call or sub-agent a widget shows (nbagent/widget/chunks.py); a
// text stream never needs it. Until it is here such a block keeps an empty, hidden place
// (js/src/base/chunk_view.js).

import { heldChunk } from "./chunks.js";

/**
 * @typedef {typeof import("../widget/tools_chunk.js").default} ToolsChunk
 */

/** The tools chunk of this copy of the bundle. */
export const toolsChunk = /** @type {import("./chunks.js").LazyChunk<ToolsChunk>} */ (
  heldChunk("tools", "tool calls cannot show")
);
