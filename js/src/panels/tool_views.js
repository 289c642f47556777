// The view of a tool call's, a sub-agent's, an activity's, an interrupt's or a note's block in a
// run's view (view.js TranscriptView, block_view.js), drawn by the tools chunk: its panel, with the
// actions the view gives it (the kernel's Re-run and Fork where the page may act), and the tool
// panels drawn again once the kernel says the run's tools can be called again.

import { h, setText } from "../base/format.js";
import { ActivityPanel, InterruptPanel } from "./activity_view.js";
import { canFork } from "./forks.js";
import { AgentPanel, ToolPanel } from "./panels.js";

/**
 * @typedef {import("../store/store.js").Block} Block
 * @typedef {import("../base/chunk_view.js").PanelView} PanelView
 * @typedef {{store: import("../store/store.js").Store, model: import("../view/view.js").ViewModel,
 *   ac: AbortController, math: import("../markdown/page.js").Page["math"],
 *   mayAct: () => boolean, pending: {blocks: Set<number>}, schedule(): void,
 *   rerunWatched?: boolean}} Owner
 *   What a panel takes of the transcript's view that owns it.
 */

/** The panels of a run's other blocks (nbagent/transcript/run_blocks.py), by block type. */
const NOTES = { activity: ActivityPanel, interrupt: InterruptPanel };

/**
 * A note's view (an agent's question, a notice, its context compacted): its title, then its
 * text, edged by its level (a class: the page allows no data attribute).
 * @returns {PanelView}
 */
function noteView() {
  const [el, title, text] = [h("div"), h("b"), h("div")];
  el.append(title, text);
  /** @param {Block} b */
  const update = (b) => {
    const n = /** @type {import("../store/store.js").NoteBlock} */ (b);
    el.className = `nba-note nba-note-${/^(warning|error)$/.test(n.level) ? n.level : "info"}`;
    setText(title, n.title);
    setText(text, n.text);
  };
  return { el, update };
}

/**
 * Re-run buttons appear once the kernel says the run's tools can be called again: the view's
 * tool panels are drawn again then (watched once per view, while it lives).
 * @param {Owner} view
 */
function watchRerun(view) {
  if (view.rerunWatched) return;
  view.rerunWatched = true;
  const onRerun = () => {
    const blocks = view.store.state.blocks;
    for (let i = 0; i < blocks.length; i++)
      if (blocks[i].type === "tool") view.pending.blocks.add(i);
    view.schedule();
  };
  view.model.on("change:can_rerun", onRerun);
  view.ac.signal.addEventListener("abort", () => view.model.off("change:can_rerun", onRerun));
}

/**
 * The panel of `block` in `view`.
 * @param {Owner} view
 * @param {Block} block
 * @returns {PanelView}
 */
export function toolView(view, block) {
  const [store, signal] = [view.store, view.ac.signal];
  if (block.type === "note") return noteView();
  const Note = NOTES[/** @type {"activity"} */ (block.type)];
  if (Note) {
    const p = new Note();
    return { el: p.el, children: p.children, update: (b) => p.update(b) };
  }
  if (block.type === "agent") {
    const p = new AgentPanel(store, block.id, signal);
    const running = () => store.state.status === "running";
    return { el: p.el, children: p.children, update: (b) => p.update(b, running()) };
  }
  watchRerun(view);
  const p = new ToolPanel(store, block.id, signal, {
    send: (m) => view.model.send(m),
    // A viewer of a served app (page_actions false) gets neither: the kernel refuses them.
    canRerun: () => view.mayAct() && view.model.get("can_rerun"),
    canFork: () => canFork(view),
    mayAct: () => view.mayAct(),
    math: view.math,
  });
  return { el: p.el, children: p.children, update: (b) => p.update(b) };
}
