// What several test files do with a StreamingMarkdown: stream a text the way the view does,
// and check that it stays inert at every prefix (rendering.md §5).
import { expect } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";

/** @typedef {import("../src/markdown/math.js").Typesetter} Typesetter */

/**
 * Stream `src` with append() cut at `cuts`, flushing after each chunk, then finish: what the
 * view does while a run streams.
 * @param {string} src @param {number[]} cuts
 * @param {Typesetter | null} [math] typesets the formulas (none: they stay TeX)
 */
export function streamAppends(src, cuts, math = null) {
  const s = new StreamingMarkdown(math);
  let at = 0;
  for (const c of cuts) {
    s.append(src.slice(at, c));
    at = c;
    s.flush();
  }
  s.append(src.slice(at));
  s.setFinal(true);
  s.flush();
  return s;
}

/**
 * Stream `src` character by character: no violation at any prefix nor at the end, no script
 * ran, and the end equals the whole render.
 * @param {string} src
 * @param {Typesetter | null} [math] typesets the formulas (none: they stay TeX)
 */
export function expectInertAtEveryPrefix(src, math = null) {
  const s = new StreamingMarkdown(math);
  for (let i = 1; i <= src.length; i++) {
    s.set(src.slice(0, i), false);
    s.flush();
    expect(violations(s.el), `after ${i} chars`).toEqual([]);
  }
  s.set(src, true);
  s.flush();
  expect(violations(s.el)).toEqual([]);
  expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined();
  expect(s.el.innerHTML).toBe(renderMarkdown(src, math).innerHTML);
}
