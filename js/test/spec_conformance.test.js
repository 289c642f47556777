// Conformance to the CommonMark and GFM specs' expected HTML, ours vs marked alone, after a
// normalization in the spirit of cmark's test/normalize.py. Raw HTML and images are left out:
// the sanitizer drops them on purpose; links outside rendering.md's link rule are compared as
// their text (we render them so, on purpose).
import { Marked } from "marked";
import { describe, expect, test } from "vitest";
import { PURIFY, renderMarkdown } from "../src/markdown/markdown.js";
import commonmark from "./spec/commonmark-0.31.2.json";
import gfm from "./spec/gfm-85d8952.json";
import { parts } from "./spec/parts.js";

const BLOCK_TAG =
  /\s*(<\/?(?:p|li|ul|ol|blockquote|h[1-6]|hr|pre|table|thead|tbody|tr|th|td|div)(?: [^>]*)?>)\s*/g;
const RAW_HTML = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s|\/?>)|<!--|<\?|<!\[CDATA|<![A-Z]/;
const DROPPED_SECTIONS = new Set([
  "HTML blocks",
  "Raw HTML",
  "Images",
  "Disallowed Raw HTML (extension)",
]);

/** @param {{section: string, markdown: string, html: string}} ex */
const comparable = (ex) =>
  !DROPPED_SECTIONS.has(ex.section) &&
  !ex.markdown.includes("![") &&
  !RAW_HTML.test(ex.markdown) &&
  !ex.html.includes("<img");

/**
 * Canonical text of an element's children: sorted attributes, whitespace collapsed outside
 * `pre`, nothing between block tags; our own copy buttons, wrappers and link targets removed.
 * @param {Element} root
 */
function canonical(root) {
  for (const b of root.querySelectorAll("button.nba-copy, div.nba-copy-bar")) b.remove();
  for (const d of root.querySelectorAll(
    "div.nba-code, div.nba-table, div.nba-table-scroll, div.nba-frozen, div.nba-chunk, div.nba-live",
  ))
    d.replaceWith(...d.childNodes);
  for (const a of root.querySelectorAll("a")) {
    if (!PURIFY.ALLOWED_URI_REGEXP.test(a.getAttribute("href") ?? ""))
      a.replaceWith(...a.childNodes);
  }
  /** @param {Node} n @param {boolean} pre @returns {string} */
  const walk = (n, pre) => {
    if (n.nodeType === Node.TEXT_NODE) {
      const t = /** @type {Text} */ (n).data;
      const s = pre ? t : t.replace(/\s+/g, " ");
      return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }
    if (!(n instanceof Element)) return "";
    const tag = n.tagName.toLowerCase();
    const attrs = [...n.attributes]
      .filter((a) => a.name !== "target" && a.name !== "rel")
      .map((a) => ` ${a.name}="${a.value}"`)
      .sort()
      .join("");
    const inner = [...n.childNodes].map((c) => walk(c, pre || tag === "pre")).join("");
    return tag === "hr" || tag === "br" || tag === "input"
      ? `<${tag}${attrs}>`
      : `<${tag}${attrs}>${inner}</${tag}>`;
  };
  return [...root.childNodes]
    .map((c) => walk(c, false))
    .join("")
    .replace(BLOCK_TAG, "$1")
    .trim();
}

/** @param {string} html */
const fromHtml = (html) => {
  const d = document.createElement("div");
  d.innerHTML = html;
  return canonical(d);
};

const marked = new Marked({ gfm: true });

for (const [name, examples] of [
  ["CommonMark 0.31.2", commonmark],
  ["GFM 0.29", gfm],
]) {
  // A test per section (the whole spec in one took 76–88 s at 8 busy loops, past its 60 s
  // budget; 14 s quiet), the counts summed over every section by the last.
  describe(`${name}: our conformance is at least marked's`, () => {
    const cases = examples.filter(comparable);
    const sections = parts(cases, Infinity);
    const count = { sections: 0, ours: 0, theirs: 0 };
    test.each(sections)("%s", (_name, part) => {
      for (const ex of part) {
        const want = fromHtml(ex.html);
        if (canonical(renderMarkdown(ex.markdown)) === want) count.ours++;
        if (fromHtml(/** @type {string} */ (marked.parse(ex.markdown))) === want) count.theirs++;
      }
      count.sections++;
    });
    test("over every section", () => {
      expect(count.sections, "every section's test ran first").toBe(sections.length);
      const { ours, theirs } = count;
      console.log(
        `${name}: ${cases.length} of ${examples.length} examples compared (raw HTML and images left out); ` +
          `nbagent ${ours} (${((100 * ours) / cases.length).toFixed(1)}%), marked ${theirs} ` +
          `(${((100 * theirs) / cases.length).toFixed(1)}%)`,
      );
      expect(ours).toBeGreaterThanOrEqual(theirs);
      expect(ours).toBeGreaterThan(cases.length * 0.8);
    });
  });
}
