// The end of a run's kernel, seen from the page. A kernel that restarts or shuts down mid-run
// sends no end: without this the view would say "running" forever (spinner, elapsed time, a
// Stop that throws). Each source the page has ends the run here (`Store.endByPage`):
// - nbagent's JupyterLab / Notebook 7 extension (js/lab) watches the notebook's kernel and
//   dispatches `KERNEL_END_EVENT` on every nbagent view root in that notebook (exact: restart
//   or shutdown);
// - the widget manager marks every model not live as the kernel restarts (ipywidgets'
//   `comm_live_update`, from any frontend built on @jupyter-widgets/base), and a model whose
//   comm closes triggers `comm:close`;
// - a message the page cannot send because the connection is gone (send_guard.js `guardSend`):
//   JupyterLab throws "Cannot send" for a disposed comm and "Kernel is dead" for a dead kernel.
// All of it but the guard is the trouble chunk's (js/src/widget/trouble_chunk.js), which the
// kernel sends with a widget's first running run, so it is in the page before the kernel goes.

/** The DOM event nbagent's lab extension dispatches on each view root (not bubbling). */
export const KERNEL_END_EVENT = "nbagent-kernel-end";

/**
 * @typedef {"kernel_restarted" | "kernel_shutdown" | "kernel_unreachable"} PageEnd
 *   Why the page ended a run itself (the kernel can no longer say): the state's `end_reason`.
 * @typedef {{endByPage(reason: PageEnd): boolean}} Endable a Store (one run) or a LaneSet lane
 * @typedef {{on(name: string, cb: () => void): void,
 *   off(name?: string | null, cb?: (() => void) | null): void}} Events
 */

/** @type {Record<PageEnd, string>} the warning each end adds, as the kernel words warnings */
export const PAGE_END_WARNINGS = {
  kernel_restarted: "The kernel restarted; this run ended.",
  kernel_shutdown: "The kernel shut down; this run ended.",
  kernel_unreachable: "The kernel can no longer be reached from this page; this run's view ended.",
};

/**
 * End what an ended run left open, as the kernel's reducer does at a run's end
 * (nbagent/transcript/fold/run.py): a tool call whose result never came becomes `cancelled` (and
 * what its agent last said of it, an ACP call's "pending", too), a sub-agent still open ends.
 * Returns the indexes of the blocks changed.
 * @param {import("../store/store.js").Block[]} blocks changed in place
 * @param {number | null} ts when the run ended (kernel epoch seconds)
 * @returns {number[]}
 */
export function closePending(blocks, ts) {
  /** @type {number[]} */
  const changed = [];
  blocks.forEach((b, i) => {
    if (b.type === "tool" && PENDING_TOOL_STATES.has(b.state)) {
      b.state = "cancelled";
      b.ended_at ??= ts;
      const m = b.meta; // what its agent last said of it ("pending") is no longer so
      if (m?.status && !FINISHED.test(m.status)) b.meta = { ...m, status: "cancelled" };
      changed.push(i);
    } else if (b.type === "agent" && b.ended_at == null) {
      b.ended_at = ts;
      changed.push(i);
    }
  });
  return changed;
}

/** A producer's status of a call that ended (ACP's), kept (fold/run.py `_FINISHED`). */
const FINISHED = /^(completed|failed)$/;

/**
 * A tool call's states before its result (nbagent/transcript/fold/run.py PENDING_TOOL_STATES).
 * @type {ReadonlySet<string>}
 */
export const PENDING_TOOL_STATES = new Set(["args", "running", "paused"]);

/**
 * End the view's run when its kernel ends (while the view lives: `signal`).
 * @param {HTMLElement} root the view's root (where the lab extension dispatches)
 * @param {Endable} store
 * @param {Events} model
 * @param {AbortSignal} signal
 */
export function watchKernel(root, store, model, signal) {
  root.addEventListener(
    KERNEL_END_EVENT,
    (e) => {
      const reason = /** @type {CustomEvent} */ (e).detail?.reason;
      if (Object.hasOwn(PAGE_END_WARNINGS, reason)) store.endByPage(reason);
    },
    { signal },
  );
  // Set to false by the widget manager when the kernel restarts, the only change after a
  // model is made (its value is not readable through anywidget's model).
  const notLive = () => store.endByPage("kernel_restarted");
  const closed = () => store.endByPage("kernel_unreachable");
  model.on("comm_live_update", notLive);
  model.on("comm:close", closed);
  signal.addEventListener("abort", () => {
    model.off("comm_live_update", notLive);
    model.off("comm:close", closed);
  });
}
