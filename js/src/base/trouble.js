// The trouble chunk (nbagent/static/trouble.js, js/src/widget/trouble_chunk.js): what a run's view
// shows and does when something goes wrong: its error and warnings, the note that the page cannot
// reach its kernel, a Stop sent again, and the end the page gives a run whose kernel restarted,
// shut down or went (kernel_end.js, page_end.js). The kernel gives it to the code model with a
// widget's first running run, error or warning (nbagent/widget/chunks.py): in the page before
// the kernel can go. A plain answer that streams and ends never uses it.

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/trouble_chunk.js").default} TroubleChunk */

/** The trouble chunk of this copy of the bundle. */
export const troubleChunk = /** @type {import("./chunks.js").LazyChunk<TroubleChunk>} */ (
  heldChunk("trouble", "warnings cannot show, nor a run end here when its kernel goes")
);

/**
 * The footer's warnings and its note that the kernel cannot be reached (StatusBar), at once, or
 * once the chunk has loaded when the footer has one to show (`needed`): a footer waits for it
 * once, however often it updates meanwhile.
 * @param {any} bar a StatusBar
 * @param {unknown} needed
 */
export function trouble(bar, needed) {
  troubleChunk.drawFor(bar, needed, bar.signal, (c) => c.footer(bar));
}

/**
 * A view's error box (view.js), at once, or once the chunk has loaded when the run has an error:
 * a view waits for it once.
 * @param {{errorEl: HTMLElement, store: import("../store/store.js").Store,
 *   ac: AbortController}} view
 */
export function showError(view) {
  const error = () => view.store.state.error;
  troubleChunk.drawFor(view, error(), view.ac.signal, (c) => c.errorBox(view.errorEl, error()));
}
