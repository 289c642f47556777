// An MCP call's task (the `io.modelcontextprotocol/tasks` extension: its block's `meta.task`,
// nbagent/mcp_client/_tasks.py) in its tool panel, part of the tools chunk: the task's id,
// status and status message (which is how a task says its progress), a bar while it goes on,
// and what nbagent skipped of what the server sent. All text goes in as textContent.

import { h, setText } from "../base/format.js";

/** @typedef {{id?: unknown, status?: unknown, message?: unknown, skipped?: unknown}} TaskMeta */

/** The statuses of MCP tasks that are still going. */
const GOING = ["working", "input_required"];

export class TaskLine {
  constructor() {
    this.el = h("div", "nba-task");
    this.el.hidden = true;
    this.words = h("span", "nba-task-words");
    this.bar = h("progress", "nba-task-bar");
    this.skipped = h("div", "nba-task-skipped");
    this.el.append(this.words, this.bar, this.skipped);
  }

  /**
   * @param {unknown} task the block's `meta.task`, if any
   * @param {boolean} live its run still goes on (a task left going by a stopped run is not)
   */
  update(task, live) {
    const t = /** @type {TaskMeta} */ (task && typeof task === "object" ? task : {});
    const status = String(t.status ?? "");
    this.el.hidden = !status;
    this.el.dataset.status = status.replace(/[^a-z_]/g, "");
    setText(this.words, taskWords(t));
    this.bar.hidden = !(live && GOING.includes(status));
    const skipped = Array.isArray(t.skipped) ? t.skipped.map(String) : [];
    this.skipped.hidden = !skipped.length;
    setText(this.skipped, skipped.map((s) => `skipped: ${s}`).join("\n"));
  }
}

/**
 * A task in words: "task task-7 · working: step 2 of 3".
 * @param {TaskMeta} t
 */
export function taskWords(t) {
  const status = String(t.status ?? "").replace(/_/g, " ");
  const head = ["task", t.id == null ? "" : String(t.id), "·", status].filter(Boolean).join(" ");
  return typeof t.message === "string" && t.message ? `${head}: ${t.message}` : head;
}
