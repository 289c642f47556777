// A very long run folds its middle: the first few top-level blocks, a "Show N more blocks"
// button, then the last ones (where streaming happens). The transcript grows with the
// notebook (no scroll box of its own), so without this a 300-step agent run is a page the
// reader has to scroll through to reach the next cell. The fold chunk's (js/src/base/fold.js).

import { FOLD_OVER } from "../base/fold.js";
import { h, setText } from "../base/format.js";

export { FOLD_OVER } from "../base/fold.js";
/** Shown above the fold: the run's start (its first thinking, tool calls and answer). */
export const FOLD_HEAD = 3;
/** Shown below the fold: the run's recent work, the streaming block among them. */
export const FOLD_TAIL = 12;

/** The store's ui key of the fold (block ids are the kernel's and never start with "#"). */
export const FOLD_KEY = "#fold";

/**
 * The positions (among top-level blocks) that are folded away: `[from, to)`, or null.
 * @param {number} n top-level blocks
 * @param {boolean} expanded the user showed them all
 * @returns {[number, number] | null}
 */
export function foldedRange(n, expanded) {
  if (expanded || n <= FOLD_OVER) return null;
  return [FOLD_HEAD, n - FOLD_TAIL];
}

/**
 * Folds the middle of a list of top-level block elements. Folded blocks stay rendered and
 * updated, only hidden (`display: none`: no layout, no paint): they are settled blocks of a
 * long run, so their updates are rare, and showing them is then a class change rather than a
 * render of dozens of markdown blocks in one click.
 */
export class BlockFold {
  /**
   * @param {() => {expanded?: boolean}} ui where the user's choice is kept (the store's ui, so
   *   a re-created view keeps it; read when used: the run's id is part of its key)
   * @param {() => void} onShow after the user showed every block
   * @param {AbortSignal} signal
   */
  constructor(ui, onShow, signal) {
    this.ui = ui;
    this.button = h("button", "nba-fold");
    this.button.type = "button";
    this.button.addEventListener(
      "click",
      () => {
        this.ui().expanded = true;
        onShow();
      },
      { signal },
    );
  }

  /**
   * Hide the folded blocks and put the button where they were; show everything when
   * nothing is folded (any more).
   * @param {HTMLElement} parent the top-level blocks' element (their views' elements, in
   *   order, and this button)
   */
  apply(parent) {
    const els = [...parent.children].filter((el) => el !== this.button);
    const range = foldedRange(els.length, this.ui().expanded === true);
    for (let k = 0; k < els.length; k++) {
      const folded = range !== null && k >= range[0] && k < range[1];
      if (els[k].classList.contains("nba-folded") !== folded)
        els[k].classList.toggle("nba-folded", folded);
    }
    if (range === null) {
      this.button.remove();
      return;
    }
    const hidden = range[1] - range[0];
    setText(this.button, `Show ${hidden} more block${hidden === 1 ? "" : "s"}`);
    const next = els[range[1]];
    if (this.button.nextSibling !== next) parent.insertBefore(this.button, next);
  }
}

/**
 * The fold of a run's view (view.js TranscriptView): the reader's choice is the store's, so a
 * re-created view keeps it; showing every block shows them at once.
 * @param {{store: import("../store/store.js").Store, blocksEl: HTMLElement,
 *   ac: AbortController}} view
 */
export function blockFold(view) {
  /** @type {BlockFold} */
  const fold = new BlockFold(
    () => view.store.uiFor(FOLD_KEY),
    () => fold.apply(view.blocksEl), // shown all: nothing is folded any more
    view.ac.signal,
  );
  return fold;
}
