// The saved view's lazy parts: KaTeX (with the typesetting) as a webpack chunk of its own,
// imported on the first formula; the feature chunks and the math syntax bundled, at hand at
// once (js/src/widget/at_hand.js).

import { newTypesetter } from "../../src/markdown/math.js";
import { newPage } from "../../src/markdown/page.js";
import { useChunksAtHand } from "../../src/widget/at_hand.js";

useChunksAtHand();

/**
 * What the saved views of this page share (js/src/markdown/page.js), made once by the extension's
 * entry (index.js): the typesetter takes KaTeX from webpack's chunk.
 */
export function labPage() {
  const math = newTypesetter();
  math.provide(() => import("../../src/markdown/math_chunk.js").then((m) => m.default));
  return newPage(math);
}
