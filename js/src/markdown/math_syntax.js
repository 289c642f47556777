// Math syntax in markdown: marked extensions that turn `$…$`, `$$…$$`, `\(…\)` and `\[…\]`
// into placeholders holding the TeX as escaped text. They pass the main sanitizer as plain
// `code`; js/src/markdown/typeset.js typesets them afterwards (rendering.md §2, "Math"). In the
// math chunk (js/src/markdown/math_chunk.js): the bundle's marked finds formulas once it is here
// (math.js).
//
// Placeholders (a contract with the other parts of issue 17):
//   inline:  <code class="nb-math">TeX</code>
//   display: <div class="nb-math nb-math-display"><code class="nb-math">TeX</code></div>
// `$$…$$` in the middle of a line is display math that cannot leave its paragraph (a <div>
// inside <p> would split it): <code class="nb-math nb-math-display">TeX</code>.
// Twin: nbagent/transcript/export/math_syntax.py

import { escapeHtml } from "../base/escape.js";
import { openMath, placeOpenMath } from "./math_heal.js";

// The tokenizers scan for a formula's end instead of matching a backtracking pattern (a
// pattern for `\(…\)` took 293 s on 72 characters of `\(\(…`), and remember where each scan
// stopped (`Stops`): marked tries them at every opener, and a scan per opener to the end of
// the text was quadratic. Each `$` rule keeps pandoc's rules below.

/**
 * Where each kind of scan stopped in each run of text marked lexes, counted from the end. marked
 * passes each run's own token array to the tokenizers, and every `src` of one run is a suffix of
 * the one before; a backslash escapes the same characters wherever a scan starts (after an
 * opener, never after a backslash). So a later opener before that stop stops there too, and
 * every character of a run is scanned once per kind.
 */
class Stops {
  constructor() {
    /** @type {WeakMap<object, Map<string, {fromEnd: number, info: number}>>} */
    this.runs = new WeakMap();
  }

  /**
   * The stop of `scan` over `src` from `from` on: the index (src.length when none) and what
   * the scan says about it. A remembered stop serves while it is at `from` or after.
   * @param {object} run the run's token array
   * @param {string} kind
   * @param {string} src
   * @param {number} from
   * @param {(src: string, from: number) => {at: number, info: number}} scan
   */
  find(run, kind, src, from, scan) {
    let kinds = this.runs.get(run);
    if (!kinds) {
      kinds = new Map();
      this.runs.set(run, kinds);
    }
    const seen = kinds.get(kind);
    if (seen && src.length - seen.fromEnd >= from) {
      return { at: src.length - seen.fromEnd, info: seen.info };
    }
    const stop = scan(src, from);
    kinds.set(kind, { fromEnd: src.length - stop.at, info: stop.info });
    return stop;
  }
}

const SPACE = /\s/;
/** @param {string | undefined} c */
const isSpace = (c) => c !== undefined && SPACE.test(c);
/** @param {string | undefined} c */
const isDigit = (c) => c !== undefined && c >= "0" && c <= "9";

/** `info` of a `$` scan's stop: the unit before it is whitespace. */
const AFTER_SPACE = 1;

/**
 * `$…$`'s end: the first `$` that no backslash escapes, or src.length (no end, or a lone
 * backslash last). A backslash escapes the next character, whatever it is.
 * @param {string} src @param {number} from
 */
function dollarEnd(src, from) {
  let spaceBefore = false;
  for (let i = from; i < src.length; ) {
    const c = src[i];
    if (c === "$") return { at: i, info: spaceBefore ? AFTER_SPACE : 0 };
    if (c === "\\") {
      if (i + 1 >= src.length) break;
      i += 2;
      spaceBefore = false;
    } else {
      spaceBefore = isSpace(c);
      i++;
    }
  }
  return { at: src.length, info: 0 };
}

/** `info` of a `$$` scan's stop: the formula closes there (else: a blank line, or no end). */
const CLOSES = 1;

/**
 * Inline `$$…$$`'s end: the first `$$` that no backslash escapes, after one character at
 * least; it cannot cross a blank line.
 * @param {string} src @param {number} from
 */
function doubleEnd(src, from) {
  for (let i = from - 1; i < src.length; ) {
    if (src.startsWith("$$", i)) return { at: i, info: CLOSES }; // never at from - 1: not "$$$"
    const c = src[i];
    if (c === "\\") {
      if (i + 1 >= src.length) break;
      i += 2;
      continue;
    }
    if (c === "\n") {
      let j = i + 1;
      while (" \t".includes(src[j])) j++;
      if (src[j] === "\n") return { at: i, info: 0 };
    }
    i++;
  }
  return { at: src.length, info: 0 };
}

/**
 * `$…$` by pandoc's rules ("it costs $5 and $10" stays text): the opening `$` is followed by
 * a non-space (not a `$`), the closing `$` is the first unescaped one (a backslash escapes the
 * next character), is preceded by a non-space and not followed by a digit. Like pandoc, a
 * failed closing `$` fails the whole formula (no later `$` is tried).
 * @param {Stops} stops @param {object} run @param {string} src
 */
function dollar(stops, run, src) {
  if (src[0] !== "$" || src[1] === undefined || src[1] === "$" || isSpace(src[1])) return null;
  const end = stops.find(run, "$", src, 1, dollarEnd);
  if (end.at >= src.length || end.info === AFTER_SPACE || isDigit(src[end.at + 1])) return null;
  return { raw: src.slice(0, end.at + 1), tex: src.slice(1, end.at) };
}

/**
 * `$$…$$` inside a line (display math that stays in its paragraph): not across a blank line.
 * @param {Stops} stops @param {object} run @param {string} src
 */
function double(stops, run, src) {
  if (!src.startsWith("$$") || src[2] === undefined || src[2] === "$") return null;
  const end = stops.find(run, "$$", src, 3, doubleEnd);
  if (end.info !== CLOSES) return null;
  return { raw: src.slice(0, end.at + 2), tex: src.slice(2, end.at) };
}

/**
 * `\(…\)`: the first `\)` after one character at least (the export's rule).
 * @param {Stops} stops @param {object} run @param {string} src
 */
function paren(stops, run, src) {
  if (!src.startsWith("\\(")) return null;
  const end = stops.find(run, "\\)", src, 3, (s, from) => {
    const at = s.indexOf("\\)", from);
    return { at: at < 0 ? s.length : at, info: 0 };
  });
  if (end.at >= src.length) return null;
  return { raw: src.slice(0, end.at + 2), tex: src.slice(2, end.at) };
}

/**
 * A display block starts a line (up to 3 spaces in) and its closing delimiter ends one.
 * `start` only says where a block may interrupt a paragraph, after a line break: marked
 * calls it on the text after the paragraph's first character, where `^` is no line start
 * (matching there split "a\\[b" into two paragraphs joined by a line break).
 */
const BLOCK_START = /\n {0,3}(?:\$\$|\\\[)/;
const BLOCK_OPEN = /^ {0,3}(?:\$\$|\\\[)/;
const BLOCK_CLOSE = { $: "$$", "\\": "\\]" };

/**
 * A display block's end: the first closing delimiter at `from` or after with only spaces and
 * tabs after it on its line (`info`: its length with those).
 * @param {string} close @param {string} src @param {number} from
 */
function blockEnd(close, src, from) {
  for (let at = src.indexOf(close, from); at >= 0; at = src.indexOf(close, at + 1)) {
    let i = at + close.length;
    while (" \t".includes(src[i])) i++;
    if (i >= src.length || src[i] === "\n") return { at, info: i - at };
  }
  return { at: src.length, info: 0 };
}

/**
 * `$$…$$` or `\[…\]` as a display block; raw takes the newlines after it.
 * @param {Stops} stops @param {object} run @param {string} src
 */
function block(stops, run, src) {
  const open = BLOCK_OPEN.exec(src);
  if (!open) return null;
  const close = BLOCK_CLOSE[/** @type {"$" | "\\"} */ (open[0].trimStart()[0])];
  const from = open[0].length + 1;
  const end = stops.find(run, `block ${close}`, src, from, (s, f) => blockEnd(close, s, f));
  if (end.at >= src.length) return null;
  // The stop's info: the delimiter and the spaces after it; the newlines after them are the
  // block's too.
  let i = end.at + end.info;
  while (src[i] === "\n") i++;
  return { raw: src.slice(0, i), tex: src.slice(open[0].length, end.at) };
}

/** @param {string} tex */
export const inlinePlaceholder = (tex) => `<code class="nb-math">${escapeHtml(tex)}</code>`;

/** @param {string} tex */
export const displayPlaceholder = (tex) =>
  `<div class="nb-math nb-math-display"><code class="nb-math">${escapeHtml(tex)}</code></div>\n`;

/** @param {string} tex */
const inlineDisplayPlaceholder = (tex) =>
  `<code class="nb-math nb-math-display">${escapeHtml(tex)}</code>`;

/**
 * marked extensions for math, with their own memory of scans (`Stops`): one set per Marked.
 * @returns {import("marked").TokenizerAndRendererExtension[]}
 */
export function mathExtensions() {
  const stops = new Stops();
  return [
    {
      name: "mathBlock",
      level: "block",
      start(src) {
        const m = BLOCK_START.exec(src);
        return m ? m.index + 1 : undefined;
      },
      tokenizer(src, tokens) {
        const m = block(stops, tokens, src);
        const text = m?.tex.trim();
        return m && text ? { type: "mathBlock", raw: m.raw, text } : undefined;
      },
      renderer(t) {
        return displayPlaceholder(String(t.text));
      },
    },
    {
      name: "mathInline",
      level: "inline",
      start(src) {
        // `\[` inside a line is an escaped bracket, not math: only `\(` and `$` start here.
        // Looked for in the next 512 characters only, else the text is cut there (the text
        // tokens on both sides are merged again): searching all the rest at every inline
        // token was quadratic (8 KB of `**_a `: 150 ms).
        const i = src.slice(0, 512).search(/\\\(|\$/);
        return i < 0 ? 511 : i;
      },
      tokenizer(src, tokens) {
        const d = double(stops, tokens, src);
        if (d?.tex.trim()) {
          return { type: "mathInline", raw: d.raw, text: d.tex.trim(), display: true };
        }
        const m = paren(stops, tokens, src) ?? dollar(stops, tokens, src);
        const text = m?.tex.trim();
        return m && text ? { type: "mathInline", raw: m.raw, text } : undefined;
      },
      renderer(t) {
        const tex = String(t.text);
        return t.display ? inlineDisplayPlaceholder(tex) : inlinePlaceholder(tex);
      },
    },
  ];
}

/**
 * The math syntax as a page's markdown uses it (js/src/markdown/math.js `mathSyntax`): the marked
 * extensions, and the open formula of a live block, found and placed (math_heal.js).
 */
export function newMathSyntax() {
  return { extensions: mathExtensions(), openMath, placeOpenMath };
}
