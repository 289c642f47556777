// Where a run's timeline goes (js/src/panels/timeline.js, in the debug chunk:
// js/src/base/debug.js): what the bundle keeps of it is whether a state has anything to draw (the
// status line's Timeline button), the reader's choice, and an empty element that the chunk fills
// the first time the reader opens the timeline.

import { debugChunk } from "../base/debug.js";
import { h } from "../base/format.js";
import { num } from "../base/numbers.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 */

/** The store's ui key of the reader's choice (shown or not), kept for a re-created view. */
export const TIMELINE_KEY = "timeline";

/**
 * Whether a state has anything with a time to draw (a plain text stream has not): the status
 * line offers the timeline only then.
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

/** A view's timeline: empty and hidden until the reader opens it and its chunk is here. */
export class TimelineSlot {
  /**
   * @param {Store} store
   * @param {(cb: FrameRequestCallback) => number} raf
   * @param {(id: number) => void} cancelRaf
   */
  constructor(store, raf, cancelRaf) {
    this.store = store;
    this.raf = raf;
    this.cancelRaf = cancelRaf;
    this.el = h("div", "nba-timeline");
    this.el.hidden = true;
    /** @type {{update(): void, destroy(): void} | null} */
    this.view = null;
    this.destroyed = false;
  }

  update() {
    if (this.view || this.store.uiFor(TIMELINE_KEY).open !== true) {
      this.view?.update();
      return;
    }
    const chunk = debugChunk.get();
    if (chunk) {
      this.view = new chunk.TimelineView(this.store, this.raf, this.cancelRaf, this.el);
      this.view.update();
    } else debugChunk.load().then((c) => c && !this.destroyed && this.update());
  }

  destroy() {
    this.destroyed = true;
    this.view?.destroy();
  }
}
