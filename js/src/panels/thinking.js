// The panel of a model's thinking (the thinking chunk: js/src/widget/thinking_chunk.js): markdown
// and math, rendered like answers (sanitized, markdown.js), open while the answer has not begun.

import { formatDuration, h, setText } from "../base/format.js";
import { StreamingMarkdown } from "../markdown/markdown.js";
import { Panel, spinner } from "./panel.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").ThinkingBlock} ThinkingBlock
 * @typedef {import("../markdown/math.js").Typesetter} Typesetter
 */

export class ThinkingPanel extends Panel {
  /**
   * @param {Store} store
   * @param {string} id
   * @param {AbortSignal} signal
   * @param {Typesetter | null} [math] typesets the formulas
   */
  constructor(store, id, signal, math = null) {
    super(store, id, "thinking", signal);
    this.spin = spinner("thinking");
    this.label = h("span", "nba-label", "Thinking");
    this.meta = h("span", "nba-meta");
    this.summary.append(this.spin, this.label, this.meta);
    /** Streamed like an answer: only the live (last) block is parsed again per update. */
    this.md = new StreamingMarkdown(math);
    this.body.classList.add("nba-thinking-text");
    this.body.append(this.md.el);
  }

  /**
   * @param {ThinkingBlock} b
   * @param {{answered: boolean, running: boolean}} ctx answered: a later text block has text
   */
  update(b, ctx) {
    const streaming = ctx.running && b.ended_at == null;
    this.spin.hidden = !streaming;
    setText(this.label, streaming ? "Thinking…" : "Thinking");
    const dur =
      b.ended_at != null && b.started_at != null ? formatDuration(b.ended_at - b.started_at) : "";
    // Reasoning kept encrypted (never decoded): its readable part, if any, and the word.
    const hidden = b.redacted
      ? "(redacted)"
      : b.encrypted && !b.text
        ? "(encrypted reasoning)"
        : "";
    setText(this.meta, hidden || [dur, b.encrypted && "encrypted"].filter(Boolean).join(" · "));
    const text = hidden && !b.text ? hidden : (b.text ?? "");
    this.md.set(text, !streaming);
    this.md.flush();
    this.setOpen(!ctx.answered);
  }
}

/**
 * The view of a thinking block in a run's view (block_view.js): its panel, collapsed once a
 * later text block of the run has text.
 * @param {{store: Store, ac: AbortController, math: Typesetter | null}} view
 * @param {{id: string}} block
 * @returns {{el: HTMLElement, update(b: any, i: number): void}}
 */
export function thinkingView(view, block) {
  const store = view.store;
  const p = new ThinkingPanel(store, block.id, view.ac.signal, view.math);
  /** @param {ThinkingBlock} b @param {number} i */
  const update = (b, i) => {
    const blocks = store.state.blocks;
    let answered = false;
    for (let j = i + 1; j < blocks.length && !answered; j++) {
      const t = blocks[j];
      answered = t.type === "text" && (t.text ?? "").length > 0;
    }
    p.update(b, { answered, running: store.state.status === "running" });
  };
  return { el: p.el, update };
}
