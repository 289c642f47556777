// The media chunk (nbagent/static/media.js, js/src/widget/media_chunk.js) draws the pictures and
// sounds a model made (js/src/panels/media.js). The kernel gives it to the code model with the
// first media block a widget shows (nbagent/widget/chunks.py); until it is here such a block keeps
// an empty, hidden place (js/src/view/block_view.js).

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/media_chunk.js").default} MediaChunk */

/** The media chunk of this copy of the bundle. */
export const mediaChunk = /** @type {import("./chunks.js").LazyChunk<MediaChunk>} */ (
  heldChunk("media", "pictures and sounds the model made cannot show")
);
