// The thinking chunk (nbagent/static/thinking.js, js/src/widget/thinking_chunk.js): the panel of a
// model's thinking (js/src/panels/thinking.js). The kernel gives it to the code model with the
// first thinking block a widget shows (nbagent/widget/chunks.py); a plain answer never needs it.
// Until it is here such a block keeps an empty, hidden place (js/src/view/block_view.js).

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/thinking_chunk.js").default} ThinkingChunk */

/** The thinking chunk of this copy of the bundle. */
export const thinkingChunk = /** @type {import("./chunks.js").LazyChunk<ThinkingChunk>} */ (
  heldChunk("thinking", "thinking cannot show")
);
