// The view of one block of a transcript (TranscriptView, view.js): a tool call's, a sub-agent's,
// an activity's, an interrupt's or a note's panel (the tools chunk's), a thinking panel (the
// thinking chunk's), a picture or a sound the model made (the media chunk's), a user message, or
// a text block's streaming markdown.
// Twin: nbagent/transcript/export/static_html.py

import { chunkView } from "../base/chunk_view.js";
import { h, setText } from "../base/format.js";
import { mediaChunk } from "../base/media.js";
import { thinkingChunk } from "../base/thinking.js";
import { toolsChunk } from "../base/tools.js";
import { StreamingMarkdown } from "../markdown/markdown.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").Block} Block
 * @typedef {import("./view.js").BlockView} BlockView
 * @typedef {import("./view.js").ViewModel} ViewModel
 * @typedef {import("./view.js").TranscriptView} Owner
 *   What a block's view takes of the transcript's view that owns it.
 */

/**
 * @param {Owner} view
 * @param {Block} block
 * @param {StreamingMarkdown} [rendered] a text block's markdown, already rendered
 * @returns {BlockView}
 */
export function blockView(view, block, rendered) {
  const signal = view.ac.signal;
  // A model's thinking: its panel (the thinking chunk's: thinking.js), which has no scope.
  if (block.type === "thinking")
    return chunkView(thinkingChunk, block, (c) => c.thinkingView(view, block), signal, false);
  if (["text", "user"].includes(block.type))
    return { id: block.id, type: block.type, ...viewOf(view, block, rendered) };
  // A picture or a sound the model made (the media chunk's: media.js).
  if (block.type === "media")
    return chunkView(mediaChunk, block, (c) => c.mediaView(), signal, false);
  // A tool call's, a sub-agent's, an activity's, an interrupt's or a note's panel (the tools
  // chunk's: tool_views.js).
  return chunkView(toolsChunk, block, (c) => c.toolView(view, block), signal);
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
 * A user or text block's view.
 * @param {Owner} view @param {Block} block @param {StreamingMarkdown} [rendered]
 * @returns {Omit<BlockView, "id" | "type">}
 */
function viewOf(view, block, rendered) {
  const store = view.store;
  if (block.type === "user") return userView();
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
