// The math chunk: KaTeX, TeX to MathML only. Built on its own (nbagent/static/math.js), held
// by the code model's `math` trait and imported on the first formula (js/src/math.js), so the
// main bundle stays small. Its output is sanitized by js/src/math.js before it is inserted.

import katex from "katex";

/**
 * rendering.md §2 "Math": untrusted input. `trust: false` turns `\href`, `\url`,
 * `\includegraphics` and `\html*` into inert red text; expansion and sizes are bounded.
 * @type {import("katex").KatexOptions}
 */
export const OPTIONS = {
  output: "mathml",
  throwOnError: false,
  trust: false,
  maxExpand: 1000,
  maxSize: 20,
  strict: "ignore",
};

/**
 * @param {string} tex
 * @param {boolean} display
 * @returns {{mathml: string} | {error: string}}
 */
export function toMathML(tex, display) {
  let html;
  try {
    html = katex.renderToString(tex, { ...OPTIONS, displayMode: display });
  } catch (err) {
    // Not a ParseError (those are rendered, throwOnError is false): still shown as TeX.
    return { error: String(err) };
  }
  // A parse error: KaTeX returns `<span class="katex-error" title="ParseError: ...">`.
  const error = /^<span class="katex-error" title="([^"]*)"/.exec(html);
  if (error) return { error: unescapeAttribute(error[1]) };
  const start = html.indexOf("<math");
  const end = html.lastIndexOf("</math>");
  if (start < 0 || end < 0) return { error: "no MathML" };
  return { mathml: html.slice(start, end + "</math>".length) };
}

/** @param {string} s KaTeX's attribute escaping undone */
const unescapeAttribute = (s) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export default { toMathML };
