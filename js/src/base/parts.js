// What other lazy chunks add to the tools chunk's panels (js/src/panels/panels.js ToolPanel, a
// re-run's results: rerun_edit.js) as they update: a coding agent's kind, status, locations and
// diffs (the acp chunk: acp.js), a call's MCP app (the app chunk: app.js), a result as data (the
// data chunk: display.js). Not the widget bundle's: the tools chunk holds its own copy.

import { acp } from "./acp.js";
import { appChunk } from "./app.js";
import { withChunk } from "./chunks.js";
import { dataChunk } from "./display.js";

/** @typedef {import("../markdown/math.js").Typesetter} Typesetter */

/**
 * A tool panel's app, at once, or once the chunk has loaded when its call has one (`needed`,
 * its `meta.app`): a panel waits for it once, however often it updates meanwhile.
 * @param {any} p a ToolPanel
 * @param {unknown} needed
 */
function app(p, needed) {
  appChunk.drawFor(p, needed, p.signal, (c) => c.tool(p));
}

/**
 * @param {any} p a ToolPanel
 * @param {any} meta its block's `meta`
 */
export function parts(p, meta) {
  acp("tool", p, meta); // an ACP call (its meta): wait for the chunk; other diffs once it is here
  app(p, meta?.app);
}

/**
 * A display list drawn as data (js/src/panels/data.js renderDisplay) when the data chunk is here;
 * else null, and `again()` once the chunk has loaded.
 * @param {unknown} display
 * @param {AbortSignal} signal
 * @param {() => void} again
 * @param {Typesetter | null} [math] typesets markdown's formulas
 * @returns {HTMLElement | null}
 */
export function renderDisplay(display, signal, again, math = null) {
  const chunk = dataChunk.get();
  if (chunk) return chunk.renderDisplay(display, math);
  if (Array.isArray(display) && display.length) withChunk(dataChunk, signal, again);
  return null;
}
