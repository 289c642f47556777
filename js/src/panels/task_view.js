// An MCP call's task (the `io.modelcontextprotocol/tasks` extension: its block's `meta.task`,
// nbagent/mcp_client/_tasks.py) in its tool panel, part of the tools chunk: the task in the
// kernel's words (its id, status and status message, which is how a task says its progress),
// a bar while it goes on (`nba-task-going`, drawn by panels.css), and what nbagent skipped of
// what the server sent. All of it goes in as textContent; a call with no task leaves the line
// empty (hidden by panels.css).

import { setText } from "../base/format.js";

/**
 * The task's line in a panel: "task task-7 · working: step 2 of 3", a line per snapshot
 * skipped after it.
 * @param {HTMLElement} el
 * @param {unknown} task the block's `meta.task`, if any
 * @param {boolean} live its run still goes on (a task left going by a stopped run is not)
 */
export function showTask(el, task, live) {
  const t = /** @type {Record<string, unknown>} */ (task && typeof task === "object" ? task : {});
  el.classList.toggle(
    "nba-task-going",
    live && /^(working|input_required)$/.test(String(t.status)),
  );
  setText(el, [t.text, ...(Array.isArray(t.skipped) ? t.skipped : [])].join("\nskipped: "));
}
