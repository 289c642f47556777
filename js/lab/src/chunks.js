// The saved view's lazy parts: KaTeX (with the typesetting) as a webpack chunk of its own,
// imported on the first formula; the chunks that bind and the math syntax bundled, at hand at
// once (js/src/widget/at_hand.js).

import { newTypesetter } from "../../src/markdown/math.js";
import { newPage } from "../../src/markdown/page.js";
import { useChunksAtHand } from "../../src/widget/at_hand.js";

// Every chunk module of src/widget/, bundled: at_hand.js takes those of nbagent/widget/chunks.json.
// @ts-expect-error webpack's require.context, made at build time
const chunkModules = require.context("../../src/widget", false, /_chunk\.js$/);
useChunksAtHand((/** @type {string} */ file) => chunkModules(`./${file}`));

/**
 * What the saved views of this page share (js/src/markdown/page.js), made once by the extension's
 * entry (index.js): the typesetter takes KaTeX from webpack's chunk.
 */
export function labPage() {
  const math = newTypesetter();
  math.provide(() => import("../../src/markdown/math_chunk.js").then((m) => m.default));
  return newPage(math);
}
