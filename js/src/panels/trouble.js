// The footer's troubles (the trouble chunk's: js/src/base/trouble.js): the run's warnings, which
// stay in view under the status line, and the note that this page cannot reach the kernel
// while the run streams (store/sync.js: a `sync` went unanswered).

import { h } from "../base/format.js";
import { icon } from "../base/icons.js";

/** @param {unknown} w */
function warningText(w) {
  if (typeof w === "string") return w;
  if (typeof w === "object" && w !== null && "message" in w) return String(w.message);
  return JSON.stringify(w);
}

/**
 * Add the note and the warnings under a footer (once), then show what its run's state says.
 * @param {import("./status.js").StatusBar & {trouble?: {notice: HTMLElement,
 *   warnings: HTMLElement, shown: number}}} bar
 */
export function footer(bar) {
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
  const s = bar.store.state;
  t.notice.hidden = !(s.status === "running" && bar.store.unreachable);
  const ws = Array.isArray(s.warnings) ? s.warnings : [];
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
