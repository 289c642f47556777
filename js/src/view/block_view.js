// The view of one block of a transcript (TranscriptView, view.js): a tool call's, a sub-agent's,
// an activity's or an interrupt's panel (the tools chunk's), a thinking panel (the thinking
// chunk's), a user message, a note, or a text block's streaming markdown.

import { chunkView } from "../base/chunk_view.js";
import { h, setText } from "../base/format.js";
import { thinkingChunk } from "../base/thinking.js";
import { toolsChunk } from "../base/tools.js";
import { StreamingMarkdown } from "../markdown/markdown.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").Block} Block
 * @typedef {import("./view.js").BlockView} BlockView
 * @typedef {import("./view.js").ViewModel} ViewModel
 * @typedef {{store: Store, model: ViewModel, ac: AbortController,
 *   math: import("../markdown/page.js").Page["math"], mayAct: () => boolean,
 *   canFork: () => unknown}} Owner
 *   What a block's view takes of the transcript's view that owns it.
 */

/**
 * @param {Owner} view
 * @param {Block} block
 * @param {StreamingMarkdown} [rendered] a text block's markdown, already rendered
 * @returns {BlockView}
 */
export function blockView(view, block, rendered) {
  if (block.type === "thinking") return thinkingOf(view, block);
  if (!["text", "user", "note"].includes(block.type)) return panelOf(view, block);
  return { id: block.id, type: block.type, ...viewOf(view, block, rendered) };
}

/**
 * A tool call's or a sub-agent's panel (the tools chunk's: tools.js).
 * @param {Owner} view @param {Block} block
 */
function panelOf(view, block) {
  const [store, signal] = [view.store, view.ac.signal];
  return chunkView(
    toolsChunk,
    block,
    (c) => {
      const running = () => store.state.status === "running";
      const Note = c.notes[/** @type {"activity"} */ (block.type)];
      if (Note) {
        const p = new Note();
        return { el: p.el, children: p.children, update: (b) => p.update(b) };
      }
      if (block.type === "agent") {
        const p = new c.AgentPanel(store, block.id, signal);
        return { el: p.el, children: p.children, update: (b) => p.update(b, running()) };
      }
      const p = new c.ToolPanel(store, block.id, signal, {
        send: (m) => view.model.send(m),
        // A viewer of a served app (page_actions false) gets neither: the kernel refuses them.
        canRerun: () => view.mayAct() && view.model.get("can_rerun"),
        canFork: view.canFork,
        mayAct: () => view.mayAct(),
        math: view.math,
      });
      return { el: p.el, children: p.children, update: (b) => p.update(b) };
    },
    signal,
  );
}

/**
 * A model's thinking: its panel (the thinking chunk's: thinking.js), collapsed once a later
 * text block of the run has text.
 * @param {Owner} view @param {Block} block
 */
function thinkingOf(view, block) {
  const store = view.store;
  const signal = view.ac.signal;
  return chunkView(
    thinkingChunk,
    block,
    (c) => {
      const p = new c.ThinkingPanel(store, block.id, signal, view.math);
      /** @param {Block} b @param {number} i */
      const update = (b, i) => {
        const blocks = store.state.blocks;
        let answered = false;
        for (let j = i + 1; j < blocks.length && !answered; j++) {
          const t = blocks[j];
          answered = t.type === "text" && (t.text ?? "").length > 0;
        }
        p.update(/** @type {import("../store/store.js").ThinkingBlock} */ (b), {
          answered,
          running: store.state.status === "running",
        });
      };
      return { el: p.el, update };
    },
    signal,
    false,
  );
}

/**
 * The view of a `user` block, the user's turn: their words as typed, in the bubble a chat
 * shows its prompts in; text, never markdown.
 */
function userView() {
  const el = h("div", "nba-prompt");
  /** @param {Block} b */
  const update = (b) => setText(el, /** @type {import("../store/store.js").UserBlock} */ (b).text);
  return { el, update };
}

/**
 * A note's view (an agent's question, a notice, its context compacted): its title, then its
 * text, edged by its level (a class: the page allows no data attribute).
 */
function noteView() {
  const [el, title, text] = [h("div"), h("b"), h("div")];
  el.append(title, text);
  /** @param {import("../store/store.js").Block} b */
  const update = (b) => {
    const n = /** @type {import("../store/store.js").NoteBlock} */ (b);
    el.className = `nba-note nba-note-${/^(warning|error)$/.test(n.level) ? n.level : "info"}`;
    setText(title, n.title);
    setText(text, n.text);
  };
  return { el, update };
}

/**
 * A user, note or text block's view.
 * @param {Owner} view @param {Block} block @param {StreamingMarkdown} [rendered]
 * @returns {Omit<BlockView, "id" | "type">}
 */
function viewOf(view, block, rendered) {
  const store = view.store;
  if (block.type === "user") return userView();
  if (block.type === "note") return noteView();
  const md = rendered ?? new StreamingMarkdown(view.math);
  const el = h("div", "nba-text");
  el.append(md.el);
  return {
    el,
    md,
    update: (b, i, appended) => {
      const t = /** @type {import("../store/store.js").TextBlock} */ (b);
      el.classList.toggle("nba-refusal", t.refusal === true);
      // Final once the run ended or a later block of its scope began (its model moved on).
      const blocks = store.state.blocks;
      let final = store.state.status !== "running";
      for (let j = i + 1; j < blocks.length && !final; j++) final = blocks[j].parent === t.parent;
      if (appended === null) md.set(typeof t.text === "string" ? t.text : "", final);
      else {
        md.append(appended);
        md.setFinal(final);
      }
      md.flush();
    },
  };
}
