// The answer chunk (nbagent/static/answer.js, js/src/panels/answer_chunk.js): a paused call's
// answers, which the kernel gives to the code model with the first paused call a widget shows.
// Held here, in the bundle, so that every copy of the tools chunk's PauseBox
// (js/src/panels/pause.js) draws with the one the page loaded.

import { heldChunk } from "./chunks.js";

/**
 * @typedef {import("../panels/pause.js").PauseBox} PauseBox
 * @typedef {{update(b: import("../store/store.js").ToolBlock, live: boolean): void}} PauseControls
 * @typedef {{controls(box: PauseBox, signal: AbortSignal): PauseControls}} AnswerChunk
 */

/** The answer chunk of this copy of the bundle. */
export const answerChunk = /** @type {import("./chunks.js").LazyChunk<AnswerChunk>} */ (
  heldChunk("answer", "a paused call cannot be answered here")
);

/** Use this chunk at once (tests: the module imported directly). @param {AnswerChunk} c */
export function useAnswerChunk(c) {
  answerChunk.use(c);
}
