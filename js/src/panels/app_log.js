// An MCP app's log (its `notifications/message`: a level, a logger, data), under its frame: the
// last MAX_LINES lines, each cut at MAX_LINE characters, as text. The page's only: not saved.

import { h } from "../base/format.js";

/** The lines kept, and the longest line. */
export const MAX_LINES = 100;
export const MAX_LINE = 1000;

/**
 * @typedef {{frame: HTMLIFrameElement, log?: {head: HTMLElement, pre: HTMLElement,
 *   lines: string[]}}} Logger the app's frame (js/src/panels/app_frame.js), with its log once
 *   it logged
 */

/**
 * One line of the app's log, shown under its frame where the frame is now.
 * @param {Logger} f
 * @param {Record<string, unknown>} params
 */
export function logged(f, params) {
  f.log ??= { head: h("div", "nba-section", "App log"), pre: h("pre", "nba-output"), lines: [] };
  const { head, pre, lines } = f.log;
  f.frame.after(head, pre);
  const { data, logger, level } = params;
  let text = typeof data === "string" ? data : (JSON.stringify(data) ?? "");
  if (text.length > MAX_LINE) text = `${text.slice(0, MAX_LINE - 1)}…`;
  const from = typeof logger === "string" ? ` ${logger.slice(0, 128)}` : "";
  lines.push(`${String(level ?? "info").slice(0, 16)}${from}: ${text}`);
  if (lines.length > MAX_LINES) lines.shift();
  pre.textContent = lines.join("\n");
}
