// The math chunk: KaTeX (TeX to MathML only), the math syntax (math_syntax.js) and the
// typesetting (typeset.js). Built on its own (nbagent/static/math.js), held by the code
// model's `math` trait, which the kernel sets with the first text that may hold a formula, and
// imported then (js/src/markdown/math.js), so the main bundle stays small. Its output is sanitized
// by typeset.js, with the allow-list below, before it is inserted.

import katex from "katex";
import { newMathSyntax } from "./math_syntax.js";
import { newEngine } from "./typeset.js";

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
 * Every element and attribute KaTeX's MathML output uses, nothing else: no `href`, `class`,
 * `id`, `style`, no `mglyph`/`maction`/`annotation-xml` (the mXSS and HTML-integration points).
 * `semantics`/`annotation` (on DOMPurify's MathML deny-list) are allowed on purpose: KaTeX
 * wraps every formula in them, MathML Core shows only the first child of `semantics`, and the
 * annotation holds the formula's TeX as text (it is parsed as text: not an integration point).
 */
export const MATHML = {
  /** The classes KaTeX's MathML uses (numbered equations, `align` spacing):
   * js/src/markdown/typeset.js drops any other `class`. */
  ALLOWED_CLASSES: ["mtr-glue", "mml-eqn-num"],
  ALLOWED_TAGS: [
    "#text",
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mlabeledtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
  ],
  ALLOWED_ATTR: [
    "xmlns",
    "encoding",
    "display",
    "displaystyle",
    "scriptlevel",
    "mathvariant",
    "mathcolor",
    "mathbackground",
    "mathsize",
    "fence",
    "separator",
    "stretchy",
    "symmetric",
    "largeop",
    "movablelimits",
    "form",
    "accent",
    "accentunder",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "linethickness",
    "width",
    "height",
    "depth",
    "voffset",
    "notation",
    "rowspacing",
    "rowalign",
    "rowlines",
    "columnspacing",
    "columnalign",
    "columnlines",
    "frame",
    "framespacing",
    "side",
    "class", // only ALLOWED_CLASSES (js/src/markdown/typeset.js)
  ],
  // No URL is ever allowed (no attribute above holds one); DOMPurify's default URI check
  // still drops any value that looks like `scheme:...`, which none of KaTeX's do.
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
  KEEP_CONTENT: false,
  RETURN_DOM_FRAGMENT: true,
  // Parsed as XML, as KaTeX writes it: the HTML parser would turn `<mo><mrow>` (\bmod,
  // \operatorname*) into HTML elements, `mo` being a text integration point. Markup that is
  // not well-formed XML yields no <math>, and is shown as an error.
  PARSER_MEDIA_TYPE: /** @type {DOMParserSupportedType} */ ("application/xhtml+xml"),
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

export default { toMathML, MATHML, newMathSyntax, newEngine };
