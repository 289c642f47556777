// Which leading blocks of the streaming tail may be frozen (rendered once, never again).
// A block is final once the lexer has put a whole non-blank line after it: whether a line
// continues a block (a list item, a table row, a lazy quote line, a setext underline) is
// decided by that line alone, so a half-typed line ("2" of "2. b", "|" of a row) keeps a
// list or a table before it live. Blocks that end by their own form (a closed fence, an
// ATX heading) or at a blank line (a paragraph, a table, a quote) are final sooner.
// rendering.md §3.

/** @typedef {{type: string, raw: string}} RawTok */

/**
 * Start of the last complete (newline-terminated) non-blank line of `src`, or -1.
 * @param {string} src
 */
export function lastCompleteLineStart(src) {
  let end = src.lastIndexOf("\n");
  while (end >= 0) {
    // lastIndexOf clamps a negative position to 0, which would find the "\n" at `end` itself.
    const start = end === 0 ? 0 : src.lastIndexOf("\n", end - 1) + 1;
    for (let i = start; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c !== 32 && c !== 9) return start;
    }
    end = start - 1;
  }
  return -1;
}

/** Token types whose raw text is code: `$$` inside them opens no formula. */
const CODE_TYPES = new Set(["code", "mathBlock"]);

/** Blocks closed by their own last line: any block after them leaves them as they are. */
const SELF_CLOSED = new Set(["heading", "hr", "mathBlock"]);
/** Blocks that a blank line closes (lists and indented code continue after one). */
const BLANK_CLOSED = new Set(["paragraph", "table", "blockquote", "def", "html", "heading", "hr"]);
const FENCE_START = /^ {0,3}(?:`{3,}|~{3,})/;

/**
 * Whether token `t` can no longer change once a non-space token follows it.
 * @param {RawTok} t
 * @param {boolean} blankAfter a blank line separates it from the next block
 */
function closedBy(t, blankAfter) {
  if (SELF_CLOSED.has(t.type)) return true;
  if (t.type === "code" && FENCE_START.test(t.raw)) return true; // closed: it is not the last
  return blankAfter && BLANK_CLOSED.has(t.type);
}

/**
 * How many leading tokens of `toks` (the lexed `src`) are final: each is followed by a
 * complete non-blank line or is closed by its own form (`closedBy`), and no display formula
 * (`$$`, `\[`) opened before is still open (its closing delimiter would turn the paragraphs
 * in between into one formula).
 * @param {RawTok[]} toks
 * @param {string} src
 */
export function finalCount(toks, src) {
  const boundary = lastCompleteLineStart(src);
  let k = 0;
  let end = 0;
  while (k < toks.length && end + toks[k].raw.length <= boundary) end += toks[k++].raw.length;
  // Past the last complete line: blocks whose extent no later line can change.
  for (; k < toks.length; k++) {
    if (toks[k].type === "space") continue;
    let next = k + 1;
    let gap = toks[k].raw;
    while (next < toks.length && toks[next].type === "space") gap += toks[next++].raw;
    if (next >= toks.length || !closedBy(toks[k], /\n[ \t]*\n[ \t]*$/.test(gap))) break;
  }
  // Never freeze the last non-space token, whatever lines the lexer put in it.
  let last = toks.length;
  while (last > 0 && toks[last - 1].type === "space") last--;
  k = Math.min(k, Math.max(0, last - 1));
  let openDollar = -1;
  let openBracket = -1;
  for (let i = 0; i < k; i++) {
    const t = toks[i];
    if (CODE_TYPES.has(t.type)) continue;
    if ((t.raw.match(/\$\$/g)?.length ?? 0) % 2 === 1) openDollar = openDollar < 0 ? i : -1;
    const opens = t.raw.match(/^[ \t]*\\\[/gm)?.length ?? 0;
    const closes = t.raw.match(/\\\][ \t]*$/gm)?.length ?? 0;
    if (opens > closes && openBracket < 0) openBracket = i;
    else if (closes > opens) openBracket = -1;
  }
  return Math.min(k, ...[openDollar, openBracket].filter((x) => x >= 0));
}
