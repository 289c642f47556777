// The app chunk (nbagent/static/app.js, js/src/widget/app_chunk.js): a call's MCP app in a
// sandboxed frame of its tool panel. The kernel gives it to the code model with the first call
// that has an app (nbagent/widget/chunks.py); tool panels call `app` as they update (parts.js).

import { heldChunk } from "./chunks.js";

/**
 * @typedef {typeof import("../widget/app_chunk.js").default} AppChunk
 * @typedef {typeof import("../widget/app_extras_chunk.js").default} AppExtrasChunk
 */

/** The app chunk of this copy of the bundle. */
export const appChunk = /** @type {import("./chunks.js").LazyChunk<AppChunk>} */ (
  heldChunk("app", "MCP apps cannot show")
);

/** The app extras chunk (an app's own calls, log, downloads, streaming input), which the app
 * chunk asks for (js/src/panels/app_frame.js). */
export const appExtrasChunk = /** @type {import("./chunks.js").LazyChunk<AppExtrasChunk>} */ (
  heldChunk("app_extras", "an MCP app's calls, log and downloads cannot show")
);
