// A block's view that a lazy chunk draws (a tool call's panel: the tools chunk,
// js/src/base/tools.js; a model's thinking: the thinking chunk, js/src/base/thinking.js): made at
// once when the chunk is here, else an empty hidden place that the view takes once it has loaded.

import { withChunk } from "./chunks.js";
import { h } from "./format.js";

/**
 * @typedef {{el: HTMLElement, children?: HTMLElement,
 *   update(b: any, i: number, appended: string | null): void}} PanelView
 *   A panel as a block view (view.js BlockView): `children`, where the views of the blocks in
 *   its scope go (a tool call's, a sub-agent's; none for a thinking's, which has no scope).
 */

/**
 * The view of `block` that `make` draws with `chunk`'s parts: at once when the chunk is here,
 * else an empty hidden place that the view takes once the chunk has loaded, with the blocks
 * placed in its scope meanwhile (`scoped`), the fold's mark and the block's last update.
 * @template T
 * @param {import("./chunks.js").LazyChunk<T>} chunk
 * @param {{id: string, type: string}} block
 * @param {(chunk: T) => PanelView} make
 * @param {AbortSignal} signal
 * @param {boolean} [scoped] the view has a scope (`children`)
 * @returns {PanelView & {id: string, type: string}}
 */
export function chunkView(chunk, block, make, signal, scoped = true) {
  const { id, type } = block;
  const here = chunk.get();
  if (here) return { id, type, ...make(here) };
  const place = h("div", "nba-panel-place");
  place.hidden = true;
  /** @type {[any, number, string | null] | null} */
  let last = null;
  /** @type {PanelView & {id: string, type: string}} */
  const view = {
    id,
    type,
    el: place,
    ...(scoped ? { children: h("div", "nba-children") } : {}),
    /** @param {any} b @param {number} i @param {string | null} appended */
    update: (b, i, appended) => {
      last = [b, i, appended];
    },
  };
  withChunk(chunk, signal, (c) => {
    const panel = make(c);
    if (view.children) panel.children?.append(...view.children.childNodes);
    if (place.classList.contains("nba-folded")) panel.el.classList.add("nba-folded");
    place.replaceWith(panel.el);
    Object.assign(view, panel);
    if (last) view.update(...last);
  });
  return view;
}
