// A run's troubles in its view (the trouble chunk's: js/src/base/trouble.js): its error in the box
// under the transcript, its warnings, which stay in view under the status line, the note that
// this page cannot reach the kernel while the run streams (store/sync.js: a `sync` went
// unanswered), and a Stop sent again while the run goes on.

import { h, setText } from "../base/format.js";
import { icon } from "../base/icons.js";

/** A Stop the run has not answered is sent again after this long (ms), doubling, so often. */
const STOP_AGAIN_MS = 2000;
const STOP_TRIES = 4;

/**
 * Show a run's error (or none) in its view's error box.
 * @param {HTMLElement} box
 * @param {import("../store/store.js").RunError | null | undefined} err
 */
export function errorBox(box, err) {
  box.hidden = !err;
  if (!err) return;
  const message = err.message ?? "unknown error";
  // A Python exception's message starts with its type ("RuntimeError: …"): say it once.
  const extra = [err.error_type, err.code]
    .filter((x) => x != null && x !== "" && !message.startsWith(`${x}:`))
    .join(", ");
  setText(box, `Error: ${message}${extra ? ` (${extra})` : ""}`);
}

/**
 * Stop again while the run still streams: a message to the kernel can be lost around a page
 * reload (as a `sync` can: sync.js `connect`), and a Stop is harmless twice.
 * @param {import("../store/store.js").Store} store
 * @param {(msg: import("../base/wire.js").PageMessage) => void} send
 * @param {AbortSignal} signal
 * @param {number} [delayMs] @param {number} [left]
 */
export function stopAgain(store, send, signal, delayMs = STOP_AGAIN_MS, left = STOP_TRIES) {
  if (left <= 0) return;
  const timer = setTimeout(() => {
    if (signal.aborted || !store.stopping || store.state.status !== "running") return;
    send({ type: "stop" });
    stopAgain(store, send, signal, delayMs * 2, left - 1);
  }, delayMs);
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
}

/** @param {unknown} w */
function warningText(w) {
  if (typeof w === "string") return w;
  if (typeof w === "object" && w !== null && "message" in w) return String(w.message);
  return JSON.stringify(w);
}

/**
 * Show what a footer's run's state says of its troubles: its note and its warnings, added under
 * it the first time there is one to show (a run with none has neither).
 * @param {import("./status.js").StatusBar & {trouble?: {notice: HTMLElement,
 *   warnings: HTMLElement, shown: number}}} bar
 */
export function footer(bar) {
  const s = bar.store.state;
  const unreachable = s.status === "running" && bar.store.unreachable;
  const ws = Array.isArray(s.warnings) ? s.warnings : [];
  if (!bar.trouble && !unreachable && !ws.length) return;
  if (!bar.trouble) {
    const notice = h(
      "div",
      "nba-notice",
      "This page cannot reach the kernel: it hears the run but its requests get no answer " +
        "(JupyterLab can lose widget messages after a page reload). The full run shows here " +
        "when it ends; to stop it, interrupt the kernel.",
    );
    notice.hidden = true;
    const warnings = h("ul", "nba-warnings");
    bar.details.after(notice, warnings);
    bar.trouble = { notice, warnings, shown: -1 };
  }
  const t = bar.trouble;
  t.notice.hidden = !unreachable;
  if (ws.length === t.shown) return;
  t.shown = ws.length;
  t.warnings.replaceChildren(
    ...ws.map((w) => {
      const li = h("li", "nba-warning");
      li.append(icon("warning"), warningText(w));
      return li;
    }),
  );
  t.warnings.hidden = ws.length === 0;
}
