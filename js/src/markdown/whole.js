// Whole-document markdown renders (renderMarkdown: the reference a finished stream equals,
// used for tests and exports) and the page's warm-up render, on StreamingMarkdown
// (streaming.js).

import { lex } from "./md_render.js";
import { blocks, MATH_CHARS, normalize, StreamingMarkdown } from "./streaming.js";

/** @typedef {import("./math.js").Typesetter} Typesetter */

const WARM_UP =
  "# T\n\nSome *em*, **strong**, `code`, ~~del~~ and a [link](https://example.org).\n\n" +
  "- a\n- [ ] b\n\n1. c\n\n> q\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```python\nx = 1  # c\n```\n";

/**
 * Render a small document once, live and frozen, off the page. Without this the first token
 * of a run pays for compiling the lexer's regular expressions and the render path (~6 ms);
 * with it, the widget pays that when it is created, before the run's first token. Once per
 * page (one copy of the bundle) is enough.
 * @param {import("./page.js").Page} page
 */
export function warmUp(page) {
  if (page.warm) return;
  page.warm = true;
  const s = new StreamingMarkdown();
  s.append(WARM_UP.slice(0, 90));
  s.flush();
  s.append(WARM_UP.slice(90));
  s.setFinal(true);
  s.flush();
}

/**
 * Render a whole markdown document at once, with the same structure a finished
 * StreamingMarkdown has (used for tests and exports).
 * @param {string} src
 * @param {Typesetter | null} [math] typesets the formulas (none: they stay TeX)
 * @returns {HTMLElement} the `.nba-md` element
 */
export function renderMarkdown(src, math = null) {
  const s = new StreamingMarkdown(math);
  s.src = normalize(src);
  s.frozenEnd = s.src.length;
  s.appendFrozen(blocks(lex(s.src)));
  s.finalized = true;
  s.final = true;
  if (MATH_CHARS.test(s.src)) math?.later(s);
  return s.el;
}

/**
 * Whole-document render into a fragment.
 * @param {string} src
 * @param {Typesetter | null} [math]
 * @returns {DocumentFragment}
 */
export function renderMarkdownToFragment(src, math = null) {
  const frag = document.createDocumentFragment();
  frag.append(renderMarkdown(src, math));
  return frag;
}
