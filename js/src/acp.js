// The acp chunk (nbagent/static/acp.js, js/src/acp_chunk.js): a coding agent's plan, context
// gauge, tool kinds and diffs. The kernel gives it to the code model with the first run that
// has one (nbagent/_chunks.py); tool panels and the status line call `acp` as they update.

import { lazyChunk, withChunk } from "./chunks.js";

/** @typedef {typeof import("./acp_chunk.js").default} AcpChunk */

/** The acp chunk of this copy of the bundle. */
export const acpChunk = /** @type {ReturnType<typeof lazyChunk<AcpChunk>>} */ (
  lazyChunk("a coding agent's plan and diffs show as text")
);

/**
 * The chunk's `part` of `view` (a ToolPanel: "tool", the StatusBar: "status"), at once or
 * once the chunk has loaded; `needed`: what the view shows calls for it.
 * @param {"tool" | "status"} part
 * @param {any} view
 * @param {unknown} needed
 */
export function acp(part, view, needed) {
  if (needed || acpChunk.get()) withChunk(acpChunk, view.signal, (c) => c[part](view));
}
