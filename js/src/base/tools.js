// The tools chunk (nbagent/static/tools.js, js/src/widget/tools_chunk.js): the panels of a run's
// tool calls and sub-agents (panels.js ToolPanel, AgentPanel), with what they hold: the arguments,
// result, output and traceback, a pause's head and how it was answered (pause.js), Re-run with
// its editor and results, and Copy as code (rerun.js, rerun_edit.js). The kernel gives it to
// the code model with the first tool call or sub-agent a widget shows (nbagent/widget/chunks.py); a
// text stream never needs it. Until it is here such a block keeps an empty, hidden place.

import { lazyChunk, withChunk } from "./chunks.js";
import { h } from "./format.js";

/**
 * @typedef {typeof import("../widget/tools_chunk.js").default} ToolsChunk
 * @typedef {{el: HTMLElement, children: HTMLElement,
 *   update(b: any, i: number, appended: string | null): void}} PanelView
 *   A panel as a block view (view.js BlockView): `children` is where the views of the blocks
 *   in its scope go.
 */

/** The tools chunk of this copy of the bundle. */
export const toolsChunk = /** @type {ReturnType<typeof lazyChunk<ToolsChunk>>} */ (
  lazyChunk("tool calls cannot show")
);

/**
 * The view of a tool call's or a sub-agent's block: its panel (`make`) at once when the chunk
 * is here, else an empty hidden place that the panel takes once the chunk has loaded, with the
 * blocks placed in its scope meanwhile, the fold's mark and the block's last update.
 * @param {{id: string, type: string}} block
 * @param {(chunk: ToolsChunk) => PanelView} make
 * @param {AbortSignal} signal
 * @returns {PanelView & {id: string, type: string}}
 */
export function panelView(block, make, signal) {
  const { id, type } = block;
  const chunk = toolsChunk.get();
  if (chunk) return { id, type, ...make(chunk) };
  const place = h("div", "nba-panel-place");
  place.hidden = true;
  /** @type {[any, number, string | null] | null} */
  let last = null;
  const view = {
    id,
    type,
    el: place,
    children: h("div", "nba-children"),
    /** @param {any} b @param {number} i @param {string | null} appended */
    update: (b, i, appended) => {
      last = [b, i, appended];
    },
  };
  withChunk(toolsChunk, signal, (c) => {
    const panel = make(c);
    panel.children.append(...view.children.childNodes);
    if (place.classList.contains("nba-folded")) panel.el.classList.add("nba-folded");
    place.replaceWith(panel.el);
    Object.assign(view, panel);
    if (last) view.update(...last);
  });
  return view;
}
