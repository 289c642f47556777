// One view of a transcript: renders from the store at most once per animation frame,
// touching only the blocks that changed since its last render.
// Twin: nbagent/transcript/export/static_html.py

import { debugChunk } from "../base/debug.js";
import { foldBlocks } from "../base/fold.js";
import { h, setText } from "../base/format.js";
import * as frames from "../base/frames.js";
import { copy } from "../base/highlight_slot.js";
import { outputOffer } from "../base/output.js";
import { showError, troubleChunk } from "../base/trouble.js";
import { newPage } from "../markdown/page.js";
import { FollowBottom } from "../panels/follow.js";
import { StatusBar } from "../panels/status.js";
import { emptyChange, mergeChange } from "../store/store.js";
import { blockView } from "./block_view.js";

/** The model's traits that the title, thinking and replay parts show. */
const TRAITS = ["title", "show_thinking", "replay"];

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").Block} Block
 * @typedef {import("../store/store.js").Change} Change
 * @typedef {import("../markdown/page.js").Page} Page
 * @typedef {import("../markdown/streaming.js").StreamingMarkdown} StreamingMarkdown
 * @typedef {{get(key: string): any, send(content: import("../base/wire.js").PageMessage): void,
 *   on(name: string, cb: () => void): void, off(name?: string | null, cb?: (() => void) | null): void}} ViewModel
 * @typedef {{id: string, type: string, el: HTMLElement,
 *   update(b: Block, i: number, appended: string | null): void, md?: StreamingMarkdown,
 *   children?: HTMLElement}} BlockView
 *   `appended`: the text appended to the block since its last update, or null when the view
 *   must read the whole block (new view, reset). `children`: where the views of the blocks in
 *   its scope go (a tool call that started a sub-agent, a sub-agent).
 */

/**
 * A change that comes at least this long (ms) after the last render is rendered at once
 * instead of at the next animation frame: the first token of a run, or the next batch of a
 * stream, shows without waiting up to a frame; renders still come at most once a frame.
 */
const LEAD_MS = 1000 / 60;

/** `frame` while a leading-edge render is queued (raf ids are positive). */
const SOON = -1;

export class TranscriptView {
  /**
   * @param {Store} store
   * @param {ViewModel} model
   * @param {HTMLElement} el
   * @param {{raf?: (cb: FrameRequestCallback) => number, cancelRaf?: (id: number) => void,
   *   soon?: (cb: () => void) => void, now?: () => number, visible?: () => boolean,
   *   offersOutput?: boolean, follows?: boolean, page?: Page}} [opts]
   *   `offersOutput: false`: a lane's view (its widget offers); `follows: false`: a lane's view
   *   (its widget follows the bottom); `page`: what the page's views share (page.js)
   */
  constructor(store, model, el, opts = {}) {
    this.store = store;
    this.model = model;
    this.raf = opts.raf ?? frames.defaultRaf;
    this.cancelRaf = opts.cancelRaf ?? frames.defaultCancel;
    this.soon = opts.soon ?? frames.defaultSoon;
    this.now = opts.now ?? frames.defaultNow;
    this.visible = opts.visible ?? frames.defaultVisible;
    this.page = opts.page ?? newPage();
    this.math = this.page.math;
    /** When the last render was (`now()` ms). */
    this.lastFlush = Number.NEGATIVE_INFINITY;
    this.ac = new AbortController();
    const signal = this.ac.signal;

    this.root = h("div", "nbagent");
    this.header = h("div", "nba-title");
    // The transcript's body. It does not scroll (the notebook does, follow.js); the name
    // stays for the code that places things around it.
    this.scroller = h("div", "nba-body");
    this.blocksEl = h("div", "nba-blocks");
    /** The run's error, under the transcript (shown by the trouble chunk: trouble.js). */
    this.errorEl = h("div", "nba-error-box");
    this.errorEl.setAttribute("role", "alert");
    this.errorEl.hidden = true;
    this.scroller.append(this.blocksEl, this.errorEl);
    // Whether this page may make the kernel act (re-run, fork, answer): a viewer of a served
    // app may not (nbagent/widget/audience.py).
    this.mayAct = () => this.model.get("page_actions") !== false;
    this.status = new StatusBar(store, (m) => model.send(m), signal, this.page.ids);
    this.root.append(this.header, this.scroller, this.status.el);
    el.append(this.root);
    // The trouble chunk's: the kernel sends it with the first running run, before it can go.
    troubleChunk.whenLoaded((c) => c.watchKernel(this.root, store, model, signal), signal);

    const retired = store.takeRetired();
    const sibling = /** @type {TranscriptView | undefined} */ ([...store.liveViews].pop());
    /** @type {BlockView[]} */
    this.views = [];
    if (Array.isArray(retired)) this.views = this.adopt(retired, false);
    else if (sibling) this.views = this.adopt(sibling.views, true);
    for (let i = 0; i < this.views.length; i++) this.place(this.views[i], i);
    store.liveViews.add(this);
    this.pending = { ...emptyChange(), reset: true, run: true };
    /** @type {number | null} */
    this.frame = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.ticker = null;
    /** The finished run's output for the frontend (not a lane's): output.js. */
    this.offer =
      opts.offersOutput === false
        ? null
        : outputOffer(this.root, store, (m) => model.send(m), this.raf, this.ac.signal);

    this.unsubscribe = store.subscribe((c) => {
      mergeChange(this.pending, c);
      this.schedule();
    });
    const onTraits = () => {
      this.pending.run = true;
      this.schedule();
    };
    this.onTraits = onTraits;
    for (const t of TRAITS) model.on(`change:${t}`, onTraits);

    /** @type {FollowBottom | null} */
    this.follower =
      opts.follows === false
        ? null
        : new FollowBottom(this.root, [this.blocksEl, this.errorEl], signal);
    /**
     * A very long run's fold (the fold chunk's: js/src/base/fold.js), made with its first
     * top-level block past FOLD_OVER.
     * @type {{apply(parent: HTMLElement): void} | null}
     */
    this.fold = null;
    this.root.addEventListener(
      "click",
      (e) => {
        const t = /** @type {Element | null} */ (e.target);
        const btn = t?.closest?.(".nba-copy");
        if (btn instanceof HTMLButtonElement) copy(btn);
      },
      { signal },
    );
    /**
     * The timeline, the step lines with "Fork here" and a replay's bar (the debug chunk's,
     * js/src/panels/run_debug.js): added once the kernel sent the chunk, with what needs them.
     * @type {{update(change: Change, running: boolean): void, destroy(): void} | null}
     */
    this.debug = null;
    const debug = debugChunk.get();
    if (debug) this.debug = new debug.RunDebug(this);
    else
      debugChunk.whenLoaded((c) => {
        this.debug = new c.RunDebug(this);
        this.pending.run = true;
        this.schedule();
      }, signal);
    this.flush();
  }

  schedule() {
    if (this.frame !== null || this.ac.signal.aborted) return;
    const render = () => {
      this.frame = null;
      this.flush();
    };
    if (this.now() - this.lastFlush >= LEAD_MS && this.visible()) {
      this.frame = SOON; // leading edge: right after this task, not at the next frame
      this.soon(render);
    } else this.frame = this.raf(render);
  }

  /** Render everything that changed since the last flush. */
  flush() {
    if (this.ac.signal.aborted) return;
    this.lastFlush = this.now();
    const change = this.pending;
    this.pending = emptyChange();
    const state = this.store.state;
    const blocks = state.blocks;
    const running = state.status === "running";

    // Blocks whose view reads the whole block: new views, and every block after a reset.
    const whole = new Set();
    if (change.reset) {
      // Keep views whose block is still at the same index with the same id (cheap reload).
      let keep = 0;
      while (
        keep < this.views.length &&
        keep < blocks.length &&
        this.views[keep].id === blocks[keep].id &&
        this.views[keep].type === blocks[keep].type
      )
        keep++;
      for (const v of this.views.splice(keep)) v.el.remove();
      for (let i = 0; i < blocks.length; i++) {
        change.blocks.add(i);
        whole.add(i);
      }
    }
    const added = this.views.length < blocks.length;
    for (let i = this.views.length; i < blocks.length; i++) {
      const v = this.createView(blocks[i]);
      this.views.push(v);
      const scope = this.place(v, i);
      if (scope >= 0) change.blocks.add(scope); // its panel shows that it has a sub-agent
      change.blocks.add(i);
      whole.add(i);
    }
    // Only where the number of top-level blocks may have changed: not each frame of a stream.
    if (added || change.reset) foldBlocks(this);
    // Thinking panels depend on later text blocks (auto-collapse) and the run status.
    const dirty = new Set(change.blocks);
    if (change.run) {
      for (let i = 0; i < blocks.length; i++) if (blocks[i].type !== "tool") dirty.add(i);
    } else if (dirty.size) {
      for (let i = 0; i < blocks.length; i++) if (blocks[i].type === "thinking") dirty.add(i);
    }
    for (const i of [...dirty].sort((a, b) => a - b)) {
      const appended = whole.has(i) ? null : (change.appends.get(i) ?? "");
      if (i < blocks.length) this.views[i].update(blocks[i], i, appended);
    }

    if (change.run || change.reset) {
      const title = String(this.model.get("title") || state.title || "");
      setText(this.header, title);
      this.header.hidden = !title;
      this.root.classList.toggle("nba-hide-thinking", this.model.get("show_thinking") === false);
      showError(this); // the trouble chunk's, with the run's error
    }
    this.status.update();
    this.debug?.update(change, running);
    if (!running && this.store.loaded) this.offer?.offer();
    this.setTicker(running);
    this.follower?.rendered();
  }

  /**
   * Put block `i`'s view where it belongs: inside the view of the block whose scope it is in
   * (its `parent`: a tool call or a sub-agent shown earlier), else at the top level.
   * @param {BlockView} v
   * @param {number} i
   * @returns {number} the index of the enclosing block, or -1 at the top level
   */
  place(v, i) {
    const parent = this.store.state.blocks[i]?.parent;
    if (parent) {
      for (let j = i - 1; j >= 0; j--) {
        const scope = this.views[j];
        if (scope.id === parent && scope.children) {
          scope.children.append(v.el);
          return j;
        }
      }
    }
    this.blocksEl.append(v.el);
    return -1;
  }

  /** @param {boolean} on tick the elapsed time once per second while running */
  setTicker(on) {
    if (on && this.ticker === null) {
      this.ticker = setInterval(() => {
        this.pending.run = true;
        this.schedule();
      }, 1000);
    } else if (!on && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  /**
   * The views to start from, given another view's: its rendered text blocks where they still
   * match the state, moved (`copy` false: that view was destroyed) or copied (it still lives;
   * JupyterLab keeps the old view, detached, when the run's display is updated at its end).
   * Panels are always new: their listeners belong to the other view.
   * @param {unknown[]} others
   * @param {boolean} copy
   * @returns {BlockView[]}
   */
  adopt(others, copy) {
    const blocks = this.store.state.blocks;
    /** @type {BlockView[]} */
    const views = [];
    for (let i = 0; i < blocks.length; i++) {
      const old = /** @type {BlockView | undefined} */ (others[i]);
      const b = blocks[i];
      const md = old?.md && old.type === b.type && old.id === b.id ? old.md : undefined;
      if (md && !copy) views.push(/** @type {BlockView} */ (old));
      else views.push(this.createView(b, md?.clone()));
    }
    return views;
  }

  /**
   * @param {Block} block
   * @param {StreamingMarkdown} [rendered] a text block's markdown, already rendered
   * @returns {BlockView}
   */
  createView(block, rendered) {
    return blockView(this, block, rendered);
  }

  destroy() {
    if (!this.ac.signal.aborted) this.store.retire(this.views);
    this.store.liveViews.delete(this);
    this.ac.abort();
    this.unsubscribe();
    for (const t of TRAITS) this.model.off(`change:${t}`, this.onTraits);
    if (this.frame !== null && this.frame !== SOON) this.cancelRaf(this.frame);
    this.setTicker(false);
    this.debug?.destroy();
    this.root.remove();
  }
}
