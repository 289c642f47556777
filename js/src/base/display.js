// Tool results as data (nbagent/core/data's display bundles: tables, images, markdown, text) are
// drawn by the data chunk (nbagent/static/data.js, js/src/panels/data.js), which the kernel gives to
// the code model with the first result that has them (nbagent/widget/chunks.py). Until it is here a
// result shows as its text, then as data (parts.js `renderDisplay`).

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/data_chunk.js").default} DataChunk */

/** The data chunk of this copy of the bundle. */
export const dataChunk = /** @type {import("./chunks.js").LazyChunk<DataChunk>} */ (
  heldChunk("data", "tool results show as text")
);
