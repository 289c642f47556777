// The fold chunk (nbagent/static/fold.js, js/src/widget/fold_chunk.js): a very long run's middle
// folded behind a "Show N more blocks" button (js/src/panels/fold.js). The page asks the kernel
// for it (js/src/base/chunks.js chunkFromCodeModel) with a run's first top-level block past
// FOLD_OVER: a run that long streams from a live kernel or is shown by one, and a saved notebook
// keeps the chunk. Until it is here every block shows.

import { heldChunk, withChunk } from "./chunks.js";

/**
 * More top-level blocks than this fold. A block is a paragraph-sized answer, a thinking or a
 * tool panel (closed: one line): 40 is about two screens of panels at 800 px, far more than a
 * chat-like run has (1 to 10), and what an agent loop reaches after ~15 tool calls.
 */
export const FOLD_OVER = 40;

/** @typedef {typeof import("../widget/fold_chunk.js").default} FoldChunk */

/** The fold chunk of this copy of the bundle. */
export const foldChunk = /** @type {import("./chunks.js").LazyChunk<FoldChunk>} */ (
  heldChunk("fold", "a very long run shows all its blocks")
);

/**
 * Fold a view's top-level blocks (`blocksEl`'s children) past FOLD_OVER, as blocks come, or
 * show them all again once nothing is folded any more: once the chunk is here, asked for with
 * the first block past FOLD_OVER.
 * @param {{store: import("../store/store.js").Store, blocksEl: HTMLElement, ac: AbortController,
 *   fold: {apply(parent: HTMLElement): void} | null}} view
 */
export function foldBlocks(view) {
  if (view.fold) view.fold.apply(view.blocksEl);
  else if (view.blocksEl.childElementCount > FOLD_OVER)
    withChunk(foldChunk, view.ac.signal, (c) => {
      view.fold ??= c.blockFold(view);
      view.fold.apply(view.blocksEl);
    });
}
