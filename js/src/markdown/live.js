// Pieces of the live block's render (streaming.js): where to cut a long live block, and its
// text after a cut as markdown of its own.

import { openFenceLine } from "./heal.js";

/**
 * `src` from `from` (a line start) on as markdown of its own: inside a long code block
 * it stays code (the fence's opening line first), inside a long table a table (its delimiter
 * row first, under an empty header), and it is dedented as its first line (an item's lines
 * alone would be indented code).
 * @param {string} src @param {number} from
 */
export function part(src, from) {
  const fence = openFenceLine(src.slice(0, from));
  let text = src.slice(from);
  const n = text.length - text.trimStart().length;
  if (n) text = text.replace(/^[ \t]+/gm, (w) => w.slice(n));
  if (src[from] === "|") {
    let top = from;
    for (let at = from; at > 1; top = at) {
      at = src.lastIndexOf("\n", at - 2) + 1;
      if (src[at] !== "|") break;
    }
    // The table's rows before: its header, delimiter row, …, "".
    const rows = src.slice(top, from).split("\n");
    if (rows.length > 2 && rows[1].includes("-"))
      text = `${rows[1].replace(/[^|]+/g, " ")}\n${rows[1]}\n${text}`;
  }
  return fence === null ? text : `${fence.trimStart()}\n${text}`;
}

/**
 * Where to cut the live block `src` near `at`, before it: at a line that starts a block not
 * indented (so that both sides parse as they would together: an indented line alone is code,
 * a table row without its header text), else at a line, else at a word.
 * @param {string} src
 * @param {number} at
 */
export function cutAt(src, at) {
  const nl = src.lastIndexOf("\n", at);
  for (let i = nl; i > 0 && i >= at - 512; i = src.lastIndexOf("\n", i - 1))
    if (/[^\s|]/.test(src[i + 1] ?? "")) return i + 1;
  if (nl >= at - 256) return nl + 1;
  return Math.max(src.lastIndexOf(" ", at) + 1, at - 64);
}
