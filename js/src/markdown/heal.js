// "Heal" the live (still streaming) markdown block so that half-written syntax renders as
// it will once complete: close open `**`, `*`, `_`, `~~` and inline backticks, show a
// half-written link `[text](partial` as its text and drop a half-written image.
// Only ever applied to the live block; frozen blocks are rendered from the exact source.

// Any indentation and quote markers: fences inside list items and quotes count too.
const FENCE = /^(?:[ \t]*>)*[ \t]*(`{3,}|~{3,})/gm;

/**
 * The fence still open at the end of `src` (its match, or null) and where the fenced code
 * before it ends: the end of the last closing fence's line (0 without fences).
 * @param {string} src
 */
function fences(src) {
  /** @type {RegExpMatchArray | null} */
  let open = null;
  let end = 0;
  for (const m of src.matchAll(FENCE)) {
    if (open === null) open = m;
    else if (m[1][0] === open[1][0] && m[1].length >= open[1].length) {
      open = null;
      const nl = src.indexOf("\n", m.index);
      end = nl < 0 ? src.length : nl + 1;
    }
  }
  return { open, end };
}

/**
 * Where the fenced code of `src` ends: -1 inside an open fence, else the end of the last
 * closing fence's line (0 without fences).
 * @param {string} src
 */
function afterFences(src) {
  const f = fences(src);
  return f.open ? -1 : f.end;
}

/**
 * The opening line of the fence still open at the end of `src`, or null.
 * @param {string} src
 */
export function openFenceLine(src) {
  const { open } = fences(src);
  if (open === null) return null;
  const at = open.index ?? 0;
  const nl = src.indexOf("\n", at);
  return src.slice(at, nl < 0 ? src.length : nl);
}

/** @param {string} c */
const isWordChar = (c) => /[\p{L}\p{N}]/u.test(c);

/**
 * @param {string} src the live block's source
 * @returns {string}
 */
export function heal(src) {
  const code = afterFences(src);
  if (!src || code < 0) return src;
  // Closed code blocks are complete: only the text after them is healed.
  return code > 0 ? src.slice(0, code) + healInline(src.slice(code)) : healInline(src);
}

/**
 * The first half-written link (`[text](target` with no `)` yet) or, when `open`, also a
 * half-written link text (`[text`) on the last line of `src` (from `line`), opened by
 * `opener`: where it starts and where its text ends (its `]`, or the end). A scanner: a
 * pattern anchored at the end (`…$`) is tried from every opener, quadratic on `[[[[…`.
 * @param {string} src @param {number} line @param {string} opener @param {boolean} open
 * @returns {{at: number, close: number} | null}
 */
function halfLink(src, line, opener, open) {
  const lastParen = src.lastIndexOf(")");
  for (let at = src.indexOf(opener, line); at >= 0; ) {
    // Every opener before the first `]` after it shares that `]`: one test serves them all.
    const close = src.indexOf("]", at + opener.length);
    if (close < 0) return open ? { at, close: src.length } : null;
    if (src[close + 1] === "(" && lastParen < close + 2) return { at, close };
    at = src.indexOf(opener, close + 1);
  }
  return null;
}

/**
 * A half-written image at the end of `src` dropped (it would only become a link anyway), a
 * half-written link target dropped (the link text stays).
 * @param {string} src
 */
export function dropHalfLinks(src) {
  const line = src.lastIndexOf("\n") + 1;
  const image = halfLink(src, line, "![", true);
  const text = image ? src.slice(0, image.at) : src;
  const link = halfLink(text, line, "[", false);
  return link ? text.slice(0, link.at) + text.slice(link.at + 1, link.close) : text;
}

/**
 * @param {string} src the live block's source after its last code block
 * @returns {string}
 */
function healInline(src) {
  src = dropHalfLinks(src);

  /** @type {{m: string, at: number}[]} */
  const stack = [];
  /** @param {string} m @param {number} at */
  const toggle = (m, at) => {
    for (let j = stack.length - 1; j >= 0; j--) {
      if (stack[j].m === m) {
        stack.splice(j);
        return;
      }
    }
    stack.push({ m, at });
  };
  const n = src.length;
  let lineStart = true;
  for (let i = 0; i < n; ) {
    const c = src[i];
    if (c === "\n") {
      lineStart = true;
      // A blank line ends every inline span.
      if (src[i + 1] === "\n") stack.length = 0;
      i++;
      continue;
    }
    const top = stack.at(-1);
    // Code spans, and `$$` formulas (TeX's `_` is no emphasis): nothing inside is healed.
    const verbatim = top && "`$".includes(top.m[0]);
    if (c === "`" || (c === "$" && src[i + 1] === "$")) {
      let j = i + 1;
      while (c === "`" && src[j] === "`") j++;
      const run = c === "$" ? "$$" : src.slice(i, j);
      if (verbatim) {
        if (top.m === run) stack.pop();
      } else stack.push({ m: run, at: i });
      i += run.length;
      lineStart = false;
      continue;
    }
    if (verbatim) {
      i++;
      continue;
    }
    if (c === "\\") {
      i += 2;
      lineStart = false;
      continue;
    }
    if (lineStart && " \t>".includes(c)) {
      i++;
      continue;
    }
    if ("*_~".includes(c) && src[i + 1] === c) {
      if (
        c === "~" ||
        !(c === "_" && isWordChar(src[i - 1] ?? "") && isWordChar(src[i + 2] ?? ""))
      ) {
        toggle(c + c, i);
      }
      i += 2;
      lineStart = false;
      continue;
    }
    if (c === "*" || c === "_") {
      const bullet = lineStart && (i + 1 === n || " \t".includes(src[i + 1]));
      const intra = c === "_" && isWordChar(src[i - 1] ?? "") && isWordChar(src[i + 1] ?? "");
      if (!bullet && !intra) toggle(c, i);
    }
    lineStart = false;
    i++;
  }
  if (!stack.length) return src;
  // A marker with nothing after it yet: drop it instead of closing an empty span.
  let last = stack.at(-1);
  while (last && src.slice(last.at + last.m.length).trim() === "") {
    src = src.slice(0, last.at);
    stack.pop();
    last = stack.at(-1);
  }
  let close = "";
  for (let j = stack.length - 1; j >= 0; j--) close += stack[j].m;
  // Closing delimiters must follow a non-space character to count.
  return close ? src.trimEnd() + close : src;
}

/** Stands for an open formula in healed markdown; replaced by its placeholder after sanitizing. */
export const OPEN_MATH = "\uE000";

/**
 * An open formula at the end of the live block, where it starts (math_heal.js, in the math
 * chunk with the syntax that makes formulas: none before it is here).
 * @typedef {{tex: string, display: boolean}} OpenMath
 * @typedef {(src: string) => {at: number, math: OpenMath} | null} FindOpenMath
 */

// Also nested (indented) and ordered ones with their dot: "1." alone is an empty item, which
// cannot interrupt a paragraph, so it shows as the paragraph's text until its item has some.
const PARTIAL_MARKER = /(?:^|\n)[ \t]*(?:\d{1,9}[.)]?|[-+*]|>|\\)[ \t]*$/;
const TASK_OPEN = /^(\s*(?:[-+*]|\d{1,9}[.)])[ \t]+)\[([ xX]?)(\]?)[ \t]*$/;
/**
 * A delimiter row, maybe half-typed: cells of `[ \t]*:?-*:?[ \t]*` between pipes. Written so
 * that each character has one place in the pattern (the spaces of an empty cell were two
 * `[ \t]*` side by side: exponential on `| | | …x`).
 */
export const TABLE_DELIM =
  /^[ \t]*(?:(?::?-+:?|::?)[ \t]*)?(?:\|[ \t]*(?:(?::?-+:?|::?)[ \t]*)?)*$/;

/**
 * Split a table row into its cells (unescaped pipes; leading and trailing pipe optional).
 * @param {string} line
 */
function cells(line) {
  const parts = line.trim().split(/(?<!\\)\|/);
  if (parts[0].trim() === "") parts.shift();
  if (parts.length > 1 && parts.at(-1)?.trim() === "") parts.pop();
  return parts;
}

/**
 * Heal the block structure at the end of the live block: a table header shows as a table,
 * a half-typed task box as a list item, a lone list/heading/quote marker not at all.
 * @param {string} src
 */
function healBlocks(src) {
  const nl = src.lastIndexOf("\n");
  const last = src.slice(nl + 1);
  const before = nl < 0 ? "" : src.slice(0, nl);
  // A marker alone ("1", "-", ">", a trailing backslash): wait for what follows it.
  if (PARTIAL_MARKER.test(last)) return before;
  const task = TASK_OPEN.exec(last);
  if (task) {
    // Complete: a checkbox (a zero-width space stands for the text to come); else nothing yet.
    return task[3] && task[2]
      ? `${before}${nl < 0 ? "" : "\n"}${task[1]}[${task[2]}] &#8203;`
      : before;
  }
  // A table being started: its header row, maybe a partial delimiter row after it.
  const lines = src.split("\n");
  let head = lines.length - 1;
  if (head > 0 && TABLE_DELIM.test(lines[head]) && /[-:]/.test(lines[head])) head--;
  // (A lone `|` after a row starts the next one; after a blank line, a header.)
  else if (head > 0 && /^ {0,3}\|[ \t]*$/.test(lines[head]) && /^ {0,3}\|/.test(lines[head - 1]))
    head--;
  // The header row's newline typed, nothing after it yet (issue 18: the row showed as text).
  else if (head > 0 && lines[head] === "") head--;
  const header = lines[head];
  if (/^ {0,3}\|/.test(header) && (head === 0 || lines[head - 1].trim() === "")) {
    const all = cells(header);
    // (No cells, or only empty ones: nothing to show yet.)
    if (all.every((c) => c.trim() === "")) return lines.slice(0, head).join("\n");
    return [...lines.slice(0, head), header, `|${"---|".repeat(all.length)}`].join("\n");
  }
  return src;
}

/**
 * Heal the live block for display: everything `heal` does, the block structure at its end,
 * a half-typed closing fence, an unfinished `[link text`, and an open formula (`openMath`
 * finds it) cut out as `OPEN_MATH` (its TeX returned, to be shown as plain text).
 * @param {string} src the live block's source
 * @param {FindOpenMath | null} [openMath]
 * @returns {{text: string, math: OpenMath | null}}
 */
export function healLive(src, openMath = null) {
  src = src.replaceAll(OPEN_MATH, "\uFFFD");
  if (fences(src).open) {
    // A half-typed closing fence is not code yet.
    return { text: src.replace(/\n(?:[ \t]*>)*[ \t]*(?:`{1,}|~{1,})$/, "\n"), math: null };
  }
  const open = openMath?.(src) ?? null;
  const math = open?.math ?? null;
  if (open) src = src.slice(0, open.at);
  // A trailing backslash escapes what comes next, a trailing `$` after a space may open a
  // formula (one after a non-space may close one): not text yet.
  if (/(?:^|[^\\])(?:\\\\)*\\$/.test(src) || (!math && /(?:^|[\s([])\$$/.test(src)))
    src = src.slice(0, -1);
  let text = heal(healBlocks(src));
  // An unfinished link text: show it without its bracket until the link is complete.
  text = text
    .replace(/\[([^\]\n[]*)\]\[[^\]\n[]*$/, "$1")
    .replace(/(^|[^\\!\]])\[([^\]\n[]*)\]?$/, "$1$2");
  if (math) {
    const space = math.display ? "\n\n" : /\s$/.test(src) ? " " : "";
    text = `${text.trimEnd()}${space}${OPEN_MATH}`;
  }
  return { text, math };
}
