// Whether a run has anything with a time to draw on its timeline (the debug chunk's: the status
// line offers the timeline only then; a plain text stream has nothing) and where the reader's
// choice to show it is kept.

import { num } from "../base/numbers.js";

/** The store's ui key of the reader's choice (shown or not), kept for a re-created view. */
export const TIMELINE_KEY = "timeline";

/**
 * Whether a state has anything with a time to draw (a plain text stream has not):
 * nbagent/widget/chunks.py sends the debug chunk with the first such thing.
 * @param {import("../store/store.js").State} state
 */
export function hasTiming(state) {
  const steps = Array.isArray(state.steps) ? state.steps : [];
  return [...steps, ...state.blocks].some(
    (x) =>
      !/text|thinking/.test(/** @type {Record<string, any>} */ (x)?.type) &&
      num(/** @type {Record<string, any>} */ (x)?.started_at) !== null,
  );
}
