// The output chunk (nbagent/static/output.js, js/src/widget/output_chunk.js): handing a finished
// run's output to the frontend that saves it with the notebook (offer.js: nbagent's JupyterLab
// renderer asks for it, the kernel sends what the page cannot make). The kernel gives it to the
// code model with the first run that ends (nbagent/widget/chunks.py); a view offers its run's output
// once it is here.

import { heldChunk, withChunk } from "./chunks.js";

/**
 * @typedef {typeof import("../widget/output_chunk.js").default} OutputChunk
 * @typedef {import("../store/offer.js").OutputParts} OutputParts
 * @typedef {import("../store/offer.js").OutputSource} OutputSource
 */

/** The output chunk of this copy of the bundle. */
export const outputChunk = /** @type {import("./chunks.js").LazyChunk<OutputChunk>} */ (
  heldChunk("output", "the page cannot save a finished run's output")
);

/**
 * A view's offer of its finished run's output (offer.js OutputOffer), made once the chunk is
 * here: `offer()` then, or once it has loaded.
 * @param {HTMLElement} root where the events start
 * @param {OutputSource} source
 * @param {(content: import("./wire.js").PageMessage) => void} send to the kernel
 * @param {(cb: FrameRequestCallback) => number} raf
 * @param {AbortSignal} signal
 */
export function outputOffer(root, source, send, raf, signal) {
  /** @type {import("../store/offer.js").OutputOffer | null} */
  let made = null;
  return {
    /** The run is over: offer its output (offer.js `OutputOffer.offer`). */
    offer() {
      withChunk(outputChunk, signal, (c) => {
        made ??= new c.OutputOffer(root, source, send, raf, signal);
        made.offer();
      });
    },
  };
}

/**
 * The output parts of a Store or a LaneSet (offer.js OutputParts), made the first time they
 * are needed: null before the chunk is here (nothing was offered, so nothing was asked).
 * @param {{outputParts: OutputParts | null}} holder
 * @returns {OutputParts | null}
 */
export function outputPartsOf(holder) {
  const chunk = outputChunk.get();
  if (!holder.outputParts && chunk) holder.outputParts = new chunk.OutputParts();
  return holder.outputParts;
}
