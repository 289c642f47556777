// The acp chunk (nbagent/static/acp.js, js/src/widget/acp_chunk.js): a coding agent's plan, context
// gauge, tool kinds and diffs. The kernel gives it to the code model with the first run that
// has one (nbagent/widget/chunks.py); tool panels and the status line call `acp` as they update.

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/acp_chunk.js").default} AcpChunk */

/** The acp chunk of this copy of the bundle. */
export const acpChunk = /** @type {import("./chunks.js").LazyChunk<AcpChunk>} */ (
  heldChunk("acp", "plans and diffs show as text")
);

/**
 * The chunk's `part` of `view` (a ToolPanel: "tool", the StatusBar: "status"), at once, or
 * once the chunk has loaded when what the view shows calls for it (`needed`): a view waits
 * for it once, however often it updates meanwhile.
 * @param {"tool" | "status"} part
 * @param {any} view
 * @param {unknown} needed
 */
export function acp(part, view, needed) {
  acpChunk.drawFor(view, needed, view.signal, (c) => c[part](view));
}
