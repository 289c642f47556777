// What nbagent's JupyterLab renderer reads of the page around it, duck-typed: the notebook
// panel's properties, the widget-view renderer's state, a kernel status's meaning.

/**
 * @typedef {import("@lumino/widgets").Panel} Panel
 * @typedef {import("@lumino/widgets").Widget} Widget
 * @typedef {import("../../src/base/kernel_end.js").PageEnd} PageEnd
 * @typedef {"pending" | "live" | "gone"} LiveState
 *   pending: the widget manager has not answered yet; gone: no model (or its view was closed)
 */

/**
 * The end a kernel status means for the runs it was streaming: a restart (asked here, after a
 * crash, or by another client: the page then hears only "starting" from the server) or the
 * kernel gone; null for the statuses a live kernel goes through. A kernel that starts has no
 * live run: "starting" seen by a run's view is its kernel starting again.
 * @param {unknown} status
 * @returns {PageEnd | null}
 */
export function endOfStatus(status) {
  if (status === "restarting" || status === "autorestarting" || status === "starting")
    return "kernel_restarted";
  if (status === "dead") return "kernel_shutdown";
  return null;
}

export { isObject } from "../../src/base/wire.js";

/**
 * The nearest ancestor's `key` property, duck-typed: the output area's `rendermime` (the
 * notebook's, where the widget manager registers its renderer), the panel's `sessionContext`.
 * @param {Widget} widget
 * @param {string} key
 * @returns {any}
 */
export function ancestorProperty(widget, key) {
  for (let w = widget.parent; w !== null; w = w.parent) {
    const value = /** @type {any} */ (w)[key];
    if (value) return value;
  }
  return null;
}

/**
 * What the notebook's widget-view renderer shows: a view (live), "Loading widget..."
 * (pending), or an error / nothing (gone: "model not found", or its view was disposed).
 * @param {Panel} renderer
 * @returns {LiveState}
 */
export function liveState(renderer) {
  if (renderer.isDisposed) return "gone";
  if (renderer.widgets.length > 0) return "live";
  const failed = renderer.hasClass("jupyter-widgets") || renderer.isHidden;
  return failed ? "gone" : "pending";
}
