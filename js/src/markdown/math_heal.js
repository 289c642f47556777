// An open formula at the end of a live block (heal.js healLive cuts it out as `OPEN_MATH`),
// and its placeholder in the rendered fragment: in the math chunk (js/src/markdown/math_chunk.js)
// with the math syntax, so that a formula is healed only where the syntax makes it one.

import { h } from "../base/format.js";
import { OPEN_MATH } from "./heal.js";

/** @typedef {import("./heal.js").OpenMath} OpenMath */

/**
 * The open display formula at the end of `src`: a `$$` or `\[` at a line start with no
 * closing delimiter after it. Returns where it starts, or -1.
 * @param {string} src
 */
function openDisplayMath(src) {
  const atLine = (/** @type {number} */ at) => /(?:^|\n) {0,3}$/.test(src.slice(0, at));
  const dollars = src.match(/\$\$/g)?.length ?? 0;
  const at = src.lastIndexOf("$$");
  if (dollars % 2 === 1 && atLine(at)) return at;
  const br = src.lastIndexOf("\\[");
  return br >= 0 && !src.includes("\\]", br) && atLine(br) ? br : -1;
}

/**
 * The open inline formula at the end of the last paragraph of `src`, by pandoc's rules: a
 * `$` followed by a non-space and no closing `$` (preceded by a non-space, not followed by a
 * digit) yet; or a `\(` without `\)`. A `$` before a digit ("$5") is money until a TeX
 * command follows it ("$0.8 \pm"), or until it closes.
 * @param {string} src
 */
function openInlineMath(src) {
  const start = Math.max(0, src.lastIndexOf("\n\n") + 2);
  let open = -1;
  let money = -1;
  let code = false;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      if (src[i + 1] === "(" && open < 0 && !code) open = i;
      else if (src[i + 1] === ")" && open >= 0 && src[open] === "\\") open = -1;
      else if (open < 0 && money >= 0 && /[a-z]/i.test(src[i + 1])) open = money;
      i++;
    } else if (c === "`" && open < 0) code = !code;
    else if (c === "$" && !code && src[i + 1] !== "$" && src[i - 1] !== "$") {
      const next = src[i + 1] ?? "";
      if (open < 0) {
        // "$5 … 0.5$": money that closes is a formula (not a new one opening).
        if (money >= 0 && !/\s/.test(src[i - 1]) && !/\d/.test(next)) money = -1;
        else if (/\d/.test(next)) money = i;
        else if (next !== "" && !/\s/.test(next)) open = i;
      } else if (src[open] === "$" && !/\s/.test(src[i - 1]) && !/\d/.test(next)) {
        open = -1;
        money = -1;
      }
    }
  }
  return open;
}

/**
 * The open formula at the end of `src`, display first: where it starts and its TeX.
 * @param {string} src the live block's source
 * @returns {{at: number, math: OpenMath} | null}
 */
export function openMath(src) {
  const display = openDisplayMath(src);
  if (display >= 0)
    return { at: display, math: { tex: src.slice(display + 2).trim(), display: true } };
  const inline = openInlineMath(src);
  if (inline < 0) return null;
  const tex = src.slice(inline + (src[inline] === "\\" ? 2 : 1));
  return { at: inline, math: { tex, display: false } };
}

/**
 * Put an open formula's TeX where healLive left its mark, as plain text in nbagent's math
 * placeholder (marked `nb-math-open`: not typeset until it closes).
 * @param {DocumentFragment} frag
 * @param {{tex: string, display: boolean}} math
 */
export function placeOpenMath(frag, math) {
  const walker = document.createTreeWalker(frag, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = /** @type {Text} */ (n);
    const at = text.data.indexOf(OPEN_MATH);
    if (at < 0) continue;
    const code = h("code", math.display ? "nb-math" : "nb-math nb-math-open", math.tex);
    const p = text.parentElement;
    if (math.display && p?.tagName === "P" && p.textContent?.trim() === OPEN_MATH) {
      const box = h("div", "nb-math nb-math-display nb-math-open");
      box.append(code);
      p.replaceWith(box);
    } else {
      text.splitText(at).deleteData(0, OPEN_MATH.length);
      text.after(code);
    }
    return;
  }
}
