// One view of a transcript: renders from the store at most once per animation frame,
// touching only the blocks that changed since its last render.

import { h, setText } from "./format.js";
import { copyCode, StreamingMarkdown } from "./markdown.js";
import { ThinkingPanel, ToolPanel } from "./panels.js";
import { StatusBar } from "./status.js";
import { emptyChange, mergeChange } from "./store.js";

/**
 * @typedef {import("./store.js").Store} Store
 * @typedef {import("./store.js").Block} Block
 * @typedef {import("./store.js").Change} Change
 * @typedef {{get(key: string): any, send(content: any): void,
 *   on(name: string, cb: () => void): void, off(name?: string | null, cb?: (() => void) | null): void}} ViewModel
 * @typedef {{id: string, type: string, el: HTMLElement,
 *   update(b: Block, i: number): void, md?: StreamingMarkdown}} BlockView
 */

/** Distance from the bottom (px) under which the view counts as "at the bottom". */
const PIN_SLACK = 8;

/** @param {FrameRequestCallback} cb */
const defaultRaf = (cb) =>
  typeof requestAnimationFrame === "function"
    ? requestAnimationFrame(cb)
    : setTimeout(() => cb(0), 16);
/** @param {number} id */
const defaultCancel = (id) =>
  typeof cancelAnimationFrame === "function" ? cancelAnimationFrame(id) : clearTimeout(id);

export class TranscriptView {
  /**
   * @param {Store} store
   * @param {ViewModel} model
   * @param {HTMLElement} el
   * @param {{raf?: (cb: FrameRequestCallback) => number, cancelRaf?: (id: number) => void}} [opts]
   */
  constructor(store, model, el, opts = {}) {
    this.store = store;
    this.model = model;
    this.raf = opts.raf ?? defaultRaf;
    this.cancelRaf = opts.cancelRaf ?? defaultCancel;
    this.ac = new AbortController();
    const signal = this.ac.signal;

    this.root = h("div", "nbagent");
    this.header = h("div", "nba-title");
    this.scroller = h("div", "nba-body");
    this.blocksEl = h("div", "nba-blocks");
    this.errorEl = h("div", "nba-error-box");
    this.errorEl.setAttribute("role", "alert");
    this.errorEl.hidden = true;
    this.scroller.append(this.blocksEl, this.errorEl);
    this.status = new StatusBar(store, (m) => model.send(m), signal);
    this.root.append(this.header, this.scroller, this.status.el);
    el.append(this.root);

    /** @type {BlockView[]} */
    this.views = [];
    this.pending = { reset: true, run: true, blocks: new Set() };
    /** @type {number | null} */
    this.frame = null;
    this.pinned = true;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.ticker = null;

    this.unsubscribe = store.subscribe((c) => {
      mergeChange(this.pending, c);
      this.schedule();
    });
    const onTraits = () => {
      this.pending.run = true;
      this.schedule();
    };
    this.onTraits = onTraits;
    model.on("change:title", onTraits);
    model.on("change:show_thinking", onTraits);

    this.scroller.addEventListener(
      "wheel",
      (e) => {
        if (e.deltaY < 0) this.pinned = false;
      },
      { signal, passive: true },
    );
    this.scroller.addEventListener(
      "scroll",
      () => {
        const s = this.scroller;
        this.pinned = s.scrollHeight - s.scrollTop - s.clientHeight <= PIN_SLACK;
      },
      { signal, passive: true },
    );
    this.root.addEventListener(
      "click",
      (e) => {
        const t = /** @type {Element | null} */ (e.target);
        const btn = t?.closest?.(".nba-copy");
        if (btn instanceof HTMLButtonElement) copyCode(btn);
      },
      { signal },
    );
    this.flush();
  }

  schedule() {
    if (this.frame !== null || this.ac.signal.aborted) return;
    this.frame = this.raf(() => {
      this.frame = null;
      this.flush();
    });
  }

  /** Render everything that changed since the last flush. */
  flush() {
    if (this.ac.signal.aborted) return;
    const change = this.pending;
    this.pending = emptyChange();
    const state = this.store.state;
    const blocks = state.blocks;
    const running = state.status === "running";

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
      for (let i = 0; i < blocks.length; i++) change.blocks.add(i);
    }
    for (let i = this.views.length; i < blocks.length; i++) {
      const v = this.createView(blocks[i]);
      this.views.push(v);
      this.blocksEl.append(v.el);
      change.blocks.add(i);
    }
    // Thinking panels depend on later text blocks (auto-collapse) and the run status.
    const dirty = new Set(change.blocks);
    if (change.run) {
      for (let i = 0; i < blocks.length; i++)
        if (blocks[i].type === "thinking" || blocks[i].type === "text") dirty.add(i);
    } else if (dirty.size) {
      for (let i = 0; i < blocks.length; i++) if (blocks[i].type === "thinking") dirty.add(i);
    }
    for (const i of [...dirty].sort((a, b) => a - b)) {
      if (i < blocks.length) this.views[i].update(blocks[i], i);
    }

    if (change.run || change.reset) {
      const title = String(this.model.get("title") || state.title || "");
      setText(this.header, title);
      this.header.hidden = !title;
      this.root.classList.toggle("nba-hide-thinking", this.model.get("show_thinking") === false);
      const err = state.error;
      this.errorEl.hidden = !err;
      if (err) {
        const extra = [err.error_type, err.code].filter((x) => x != null && x !== "").join(", ");
        setText(
          this.errorEl,
          `Error: ${err.message ?? "unknown error"}${extra ? ` (${extra})` : ""}`,
        );
      }
    }
    this.status.update();
    this.setTicker(running);
    if (this.pinned) this.scroller.scrollTop = this.scroller.scrollHeight;
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
   * @param {Block} block
   * @returns {BlockView}
   */
  createView(block) {
    const store = this.store;
    const signal = this.ac.signal;
    if (block.type === "thinking") {
      const p = new ThinkingPanel(store, block.id, signal);
      return {
        id: block.id,
        type: block.type,
        el: p.el,
        update: (b, i) => {
          const blocks = store.state.blocks;
          let answered = false;
          for (let j = i + 1; j < blocks.length && !answered; j++) {
            const t = blocks[j];
            answered = t.type === "text" && (t.text ?? "").length > 0;
          }
          p.update(/** @type {import("./store.js").ThinkingBlock} */ (b), {
            answered,
            running: store.state.status === "running",
          });
        },
      };
    }
    if (block.type === "tool") {
      const p = new ToolPanel(store, block.id, signal);
      return {
        id: block.id,
        type: block.type,
        el: p.el,
        update: (b) => p.update(/** @type {import("./store.js").ToolBlock} */ (b)),
      };
    }
    const md = new StreamingMarkdown();
    const el = h("div", "nba-text");
    el.append(md.el);
    return {
      id: block.id,
      type: block.type,
      el,
      md,
      update: (b, i) => {
        const t = /** @type {import("./store.js").TextBlock} */ (b);
        el.classList.toggle("nba-refusal", t.refusal === true);
        const final = store.state.status !== "running" || i < store.state.blocks.length - 1;
        md.set(typeof t.text === "string" ? t.text : "", final);
        md.flush();
      },
    };
  }

  destroy() {
    this.ac.abort();
    this.unsubscribe();
    this.model.off("change:title", this.onTraits);
    this.model.off("change:show_thinking", this.onTraits);
    if (this.frame !== null) this.cancelRaf(this.frame);
    this.setTicker(false);
    this.root.remove();
  }
}
