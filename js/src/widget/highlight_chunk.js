// The highlight chunk (nbagent/static/highlight.js): a finished code block highlighted in
// place, a table's copy buttons and its text for them, what a copy button does; loaded with the
// first text that may hold a code block or a table (js/src/base/highlight_slot.js).

import { highlight } from "../base/highlight.js";
import { purify } from "../markdown/markdown.js";
import { copyCode } from "../markdown/table_copy.js";
import { copyTable, withCopy } from "../markdown/table_text.js";

/**
 * Highlight a code block's `<code>` in place, as marked rendered it (its text and a trailing
 * newline, its language in a `language-*` class); one with element children already is.
 * @param {HTMLElement} code
 */
function highlightInto(code) {
  if (code.firstElementChild) return;
  const lang = [...code.classList].find((c) => c.startsWith("language-"))?.slice(9) ?? "";
  const text = code.textContent ?? "";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  // Our own markup around escaped text, sanitized all the same, as the rest of an answer is.
  code.replaceChildren(purify(`${highlight(body, lang)}${body === text ? "" : "\n"}`));
}

/**
 * Put an answer's table in its box with its copy buttons (table_text.js), in place; one in its
 * box already is.
 * @param {HTMLTableElement} table
 */
function boxTable(table) {
  if (!table.parentElement?.classList.contains("nba-table-scroll")) withCopy(table, "nba-table");
}

/**
 * A copy button's click: a table's copies the table, a code block's its code.
 * @param {HTMLButtonElement} btn
 */
function copy(btn) {
  return btn.classList.contains("nba-copy-table") ? copyTable(btn) : copyCode(btn);
}

export default { highlightInto, boxTable, copy };
