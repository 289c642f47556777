// The highlight chunk (nbagent/static/highlight.js, js/src/widget/highlight_chunk.js): what a
// finished markdown block adds to its code and tables, the code highlighted (highlight.js), a
// table's copy buttons with its text for them (table_text.js), and what a copy button does
// (table_copy.js). The kernel gives it to the code
// model with the first text that may hold a code block or a table, or a result as data
// (nbagent/widget/chunks.py). Until it is here a finished code block shows its code plain and a
// table has no buttons; each gets them in place once the chunk has loaded.

import { heldChunk } from "./chunks.js";

/** @typedef {typeof import("../widget/highlight_chunk.js").default} HighlightChunk */

/** The highlight chunk of this copy of the bundle. */
export const highlightChunk = /** @type {import("./chunks.js").LazyChunk<HighlightChunk>} */ (
  heldChunk("highlight", "code stays plain and tables cannot be copied")
);

/**
 * Highlight a finished code block's `<code>` (md_render.js): at once when the chunk is here,
 * else once it has loaded (not asked for here: the kernel sends it with the code's text).
 * @param {HTMLElement} code
 */
export function highlightCode(code) {
  highlightChunk.whenLoaded((c) => c.highlightInto(code));
}

/**
 * Give a finished table (md_render.js) its copy buttons: at once when the chunk is here, else
 * once it has loaded (not asked for here: the kernel sends it with the table's text).
 * @param {HTMLTableElement} table
 */
export function boxTable(table) {
  highlightChunk.whenLoaded((c) => c.boxTable(table));
}

/**
 * Highlight the finished code blocks under `root` and give its tables their buttons (each at
 * most once: highlight_chunk.js), now or when the highlight chunk comes: a copy of another
 * view's frozen blocks (StreamingMarkdown.clone).
 * @param {DocumentFragment | Element} root
 */
export function highlightAll(root) {
  for (const code of root.querySelectorAll("pre > code"))
    highlightCode(/** @type {HTMLElement} */ (code));
  for (const table of root.querySelectorAll("table")) boxTable(table);
}

/**
 * What a copy button does (the view's click delegation): copy a code block's code, or a table
 * as TSV or markdown, once the chunk is here (asked for then: a code block indented rather than
 * fenced may come with no mark the kernel sends it with).
 * @param {HTMLButtonElement} btn
 */
export function copy(btn) {
  highlightChunk.load().then((c) => c?.copy(btn));
}
