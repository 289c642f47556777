// The lanes chunk (nbagent/static/lanes.js, js/src/widget/lanes_chunk.js): the store and the view
// of a widget of several runs (lanes, chat turns). The kernel gives it to the code model as the
// first such widget opens (nbagent/widget/chunks.py); js/src/widget/index.js waits for it with such a
// model.

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/lanes_chunk.js").default} LanesChunk */

/** The lanes chunk of this copy of the bundle. */
export const lanesChunk = /** @type {import("./chunks.js").LazyChunk<LanesChunk>} */ (
  heldChunk("lanes", "the lanes cannot show")
);
