// Tool results as data (nbagent/core/data's display bundles: tables, images, markdown, text) are
// drawn by the data chunk (nbagent/static/data.js, js/src/panels/data.js), which the kernel gives to
// the code model with the first result that has them (nbagent/widget/chunks.py). Until it is here a
// result shows as its text, then as data.

import { heldChunk, withChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/data_chunk.js").default} DataChunk */
/** @typedef {import("../markdown/math.js").Typesetter} Typesetter */

/** The data chunk of this copy of the bundle. */
export const dataChunk = /** @type {import("./chunks.js").LazyChunk<DataChunk>} */ (
  heldChunk("data", "tool results show as text")
);

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
