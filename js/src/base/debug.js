// The debug chunk (nbagent/static/debug.js, js/src/widget/debug_chunk.js): a run's timeline, its
// forks ("Fork with an edited result", "Fork here", the forks' lanes) and a replay's bar, what
// docs/develop/features.md's "Debugging an agent" adds to a run. The kernel gives it to the code model with
// the first step, timed call, re-runnable tool, fork or replay (nbagent/widget/chunks.py); the bundle keeps where each
// part goes and shows it once the chunk is here.

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/debug_chunk.js").default} DebugChunk */

/** The debug chunk of this copy of the bundle. */
export const debugChunk = /** @type {import("./chunks.js").LazyChunk<DebugChunk>} */ (
  heldChunk("debug", "the timeline and forks cannot show")
);
