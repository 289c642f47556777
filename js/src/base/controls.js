// What the panels' controls are made with (the tools, debug, answer and app extras chunks; the
// inspector's and an evaluation's widgets): nbagent's own buttons, click handlers, editors and
// the arguments typed into them, a value shown as text, a count with its noun. Not the widget
// bundle's: a plain answer has none of them, and each chunk holds what it uses.

import { formatTokens, h } from "./format.js";

/**
 * A JSON value as display text: strings as they are, anything else pretty-printed.
 * @param {unknown} v
 */
export function displayValue(v) {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** @param {number} n @param {string} word */
export const plural = (n, word) => `${formatTokens(n)} ${word}${n === 1 ? "" : "s"}`;

/**
 * One of nbagent's own buttons in a panel (`.nba-action`: Re-run, Fork, a paused call's).
 * @param {string} label
 * @param {string} cls its own class
 * @returns {HTMLButtonElement}
 */
export function actionButton(label, cls) {
  const b = /** @type {HTMLButtonElement} */ (h("button", `nba-action ${cls}`, label));
  b.type = "button";
  return b;
}

/**
 * Put `text` in a text box (an editor's), tall enough for it (up to 12 lines).
 * @param {HTMLTextAreaElement} input
 * @param {string} text
 */
export function fill(input, text) {
  input.value = text;
  input.rows = Math.min(12, text.split("\n").length + 1);
}

/**
 * `on(el, fn)`: call `fn` on each click of `el` until `signal` aborts (a view's buttons).
 * @param {AbortSignal} signal
 */
export const clicks = (signal) => (/** @type {HTMLElement} */ el, /** @type {() => void} */ fn) =>
  el.addEventListener("click", fn, { signal });

/**
 * The arguments typed into an editor (a re-run's, a paused call's): a JSON object, or why not.
 * @param {string} text
 * @returns {{args: Record<string, any>} | {error: string}}
 */
export function editedArgs(text) {
  try {
    const args = JSON.parse(text);
    if (typeof args === "object" && args !== null && !Array.isArray(args)) return { args };
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : e}` };
  }
  return { error: 'The arguments must be a JSON object, e.g. {"city": "Paris"}' };
}
