// Math syntax in markdown: marked extensions that turn `$…$`, `$$…$$`, `\(…\)` and `\[…\]`
// into placeholders holding the TeX as escaped text. They pass the main sanitizer as plain
// `code`; js/src/math.js typesets them afterwards (rendering.md §2, "Math").
//
// Placeholders (a contract with the other parts of issue 17):
//   inline:  <code class="nb-math">TeX</code>
//   display: <div class="nb-math nb-math-display"><code class="nb-math">TeX</code></div>
// `$$…$$` in the middle of a line is display math that cannot leave its paragraph (a <div>
// inside <p> would split it): <code class="nb-math nb-math-display">TeX</code>.

import { escapeHtml } from "./highlight.js";

/**
 * `$…$` with pandoc's rules ("it costs $5 and $10" stays text): the opening `$` is followed
 * by a non-space, whitespace inside is never followed by a `$` (so the closing `$` follows a
 * non-space), a backslash escapes the next character, and the closing `$` is not followed by
 * a digit. Like pandoc, a failed closing `$` fails the whole formula (no later `$` is tried).
 */
const DOLLAR = /^\$(?![\s$])((?:[^\s\\$]|\\[\s\S]|\s+(?![\s$]))+)\$(?!\d)/;
/** `$$…$$` inside a line: not across a blank line. */
const DOUBLE = /^\$\$(?!\$)((?:[^\\$\n]|\\[\s\S]|\n(?![ \t]*\n)|\$(?!\$))+?)\$\$/;
const PAREN = /^\\\(((?:[^\\]|\\(?!\))[\s\S]?)+?)\\\)/;
/**
 * A display block starts a line (up to 3 spaces in) and its closing delimiter ends one.
 * `start` only says where a block may interrupt a paragraph, after a line break: marked
 * calls it on the text after the paragraph's first character, where `^` is no line start
 * (matching there split "a\\[b" into two paragraphs joined by a line break).
 */
const BLOCK_START = /\n {0,3}(?:\$\$|\\\[)/;
const BLOCK_DOLLARS = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/;
const BLOCK_BRACKETS = /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/;

/** @param {string} tex */
export const inlinePlaceholder = (tex) => `<code class="nb-math">${escapeHtml(tex)}</code>`;

/** @param {string} tex */
export const displayPlaceholder = (tex) =>
  `<div class="nb-math nb-math-display"><code class="nb-math">${escapeHtml(tex)}</code></div>\n`;

/** @param {string} tex */
const inlineDisplayPlaceholder = (tex) =>
  `<code class="nb-math nb-math-display">${escapeHtml(tex)}</code>`;

/** @typedef {{type: string, raw: string, text: string, display?: boolean}} MathToken */

/** @type {import("marked").TokenizerAndRendererExtension[]} */
export const mathExtensions = [
  {
    name: "mathBlock",
    level: "block",
    start(src) {
      const m = BLOCK_START.exec(src);
      return m ? m.index + 1 : undefined;
    },
    tokenizer(src) {
      const m = BLOCK_DOLLARS.exec(src) ?? BLOCK_BRACKETS.exec(src);
      if (m?.[1].trim()) return { type: "mathBlock", raw: m[0], text: m[1].trim() };
      return undefined;
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
      const i = src.search(/\\\(|\$/);
      return i < 0 ? undefined : i;
    },
    tokenizer(src) {
      let m = DOUBLE.exec(src);
      if (m?.[1].trim()) {
        return { type: "mathInline", raw: m[0], text: m[1].trim(), display: true };
      }
      m = PAREN.exec(src) ?? DOLLAR.exec(src);
      if (m?.[1].trim()) return { type: "mathInline", raw: m[0], text: m[1].trim() };
      return undefined;
    },
    renderer(t) {
      const tex = String(t.text);
      return t.display ? inlineDisplayPlaceholder(tex) : inlinePlaceholder(tex);
    },
  },
];
