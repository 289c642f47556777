// The lanes chunk (nbagent/static/lanes.js, js/src/widget/lanes_chunk.js): the store and the view
// of a widget of several runs (lanes, chat turns). The kernel gives it to the code model as the
// first such widget opens (nbagent/widget/chunks.py); js/src/widget/index.js waits for it with such a
// model.

import { lazyChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/lanes_chunk.js").default} LanesChunk */

/** The lanes chunk of this copy of the bundle. */
export const lanesChunk = /** @type {ReturnType<typeof lazyChunk<LanesChunk>>} */ (
  lazyChunk("the lanes cannot show")
);
