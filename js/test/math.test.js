// Math typesetting (math.js + the math chunk, imported directly): the formula corpus renders,
// the MathML allow-list keeps KaTeX's output exactly, and hostile math stays inert.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { renderMarkdown } from "../src/markdown/markdown.js";
import { newTypesetter } from "../src/markdown/math.js";
import chunk from "../src/markdown/math_chunk.js";
import { expectInertAtEveryPrefix } from "./streamed.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** @param {string} name @returns {string[]} */
const fixture = (name) =>
  JSON.parse(readFileSync(join(HERE, "../../tests/fixtures", name), "utf8"));
const CORPUS = fixture("math_corpus.json");
const HOSTILE_MATH = fixture("hostile_math.json");
const HOSTILE = fixture("hostile.json");

/** This file's typesetter (a page's, as js/src/widget/index.js makes it). */
const math = newTypesetter();

beforeAll(() => {
  math.use(chunk);
  math.setBudget(Number.POSITIVE_INFINITY); // whole renders compared with streamed ones
});

/**
 * Every element, attribute and text of `a` and `b`, side by side; the first difference.
 * @param {Node} a @param {Node} b @param {string} path
 * @returns {string | null}
 */
function difference(a, b, path = "") {
  if (a.nodeType !== b.nodeType) return `${path}: node type ${a.nodeType} vs ${b.nodeType}`;
  if (a.nodeType === Node.TEXT_NODE) {
    return a.nodeValue === b.nodeValue ? null : `${path}: text ${a.nodeValue} vs ${b.nodeValue}`;
  }
  if (a instanceof Element && b instanceof Element) {
    const here = `${path}/${a.localName}`;
    if (a.localName !== b.localName || a.namespaceURI !== b.namespaceURI) {
      return `${here}: element ${b.namespaceURI} ${b.localName}`;
    }
    const attrs = (/** @type {Element} */ e) =>
      JSON.stringify([...e.attributes].map((x) => [x.name, x.value]).sort());
    if (attrs(a) !== attrs(b)) return `${here}: attributes ${attrs(a)} vs ${attrs(b)}`;
  }
  if (a.childNodes.length !== b.childNodes.length) {
    return `${path}: ${a.childNodes.length} vs ${b.childNodes.length} children`;
  }
  for (let i = 0; i < a.childNodes.length; i++) {
    const d = difference(a.childNodes[i], b.childNodes[i], `${path}[${i}]`);
    if (d) return d;
  }
  return null;
}

/** The renderer's MathML parsed as it is (XML, as the sanitizer parses it), unsanitized. @param {string} xml */
function unsanitized(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xhtml+xml");
  expect(doc.querySelector("parsererror")).toBeNull();
  const frag = document.createDocumentFragment();
  frag.append(document.importNode(doc.documentElement, true));
  return frag;
}

describe("the formula corpus", () => {
  test("has at least 100 formulas: matrices, aligned, cases, fractions, sums, accents, ...", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
    for (const needle of ["pmatrix", "aligned", "cases", "\\frac", "\\sum", "\\hat"]) {
      expect(
        CORPUS.some((f) => f.includes(needle)),
        needle,
      ).toBe(true);
    }
    for (const needle of ["\\operatorname", "\\text", "\\color"]) {
      expect(
        CORPUS.some((f) => f.includes(needle)),
        needle,
      ).toBe(true);
    }
  });

  test("the sanitized MathML equals KaTeX's output, element for element, attribute for attribute", () => {
    let compared = 0;
    let elements = 0;
    for (const tex of CORPUS) {
      for (const displayMode of [false, true]) {
        const out = chunk.toMathML(tex, displayMode);
        if (!("mathml" in out)) continue; // a parse error (display-only environments inline)
        const raw = unsanitized(out.mathml);
        const clean = math.purify(out.mathml);
        expect(difference(raw, clean), `${tex} (display ${displayMode})`).toBeNull();
        compared++;
        elements += clean.querySelectorAll("*").length;
      }
    }
    // Inline, {align}, {gather}, {split}, {equation} and \tag are errors (KaTeX: display only).
    expect(compared).toBeGreaterThanOrEqual(2 * CORPUS.length - 10);
    expect(elements).toBeGreaterThan(4000);
  });

  test("every formula typesets as MathML in display mode (no errors)", () => {
    const src = CORPUS.map((f) => `$$\n${f}\n$$`).join("\n\n");
    const el = renderMarkdown(src, math);
    expect(el.querySelectorAll(".nb-math-error")).toHaveLength(0);
    expect(el.querySelectorAll("code.nb-math")).toHaveLength(0);
    expect(el.querySelectorAll("div.nb-math-display > span.nb-mathml > math")).toHaveLength(
      CORPUS.length,
    );
    expect(violations(el)).toEqual([]);
  });

  test("inline math typesets inside its paragraph; currency stays text", () => {
    const el = renderMarkdown("It costs $5 and $10, so $x^2$ and \\(\\frac{a}{b}\\) hold.", math);
    expect(el.querySelectorAll("p > span.nb-mathml > math")).toHaveLength(2);
    expect(el.querySelector("math")?.getAttribute("display")).toBeNull();
    expect(el.textContent).toContain("It costs $5 and $10, so ");
  });

  test("a parse error shows the TeX as text, with an error class and the message", () => {
    const el = renderMarkdown("Broken: $\\frac{1}{$ and $$\\begin{x}$$", math);
    const errors = [...el.querySelectorAll("code.nb-math-error")];
    expect(errors.map((e) => e.textContent)).toEqual(["\\frac{1}{", "\\begin{x}"]);
    expect(errors[0].getAttribute("title")).toMatch(/ParseError/);
    expect(el.querySelector("math, [style]")).toBeNull();
  });
});

describe("hostile math", () => {
  test("\\href, \\url, \\html*, \\includegraphics end as inert text", () => {
    const el = renderMarkdown(HOSTILE_MATH.slice(0, 4).join("\n\n"), math);
    expect(el.querySelectorAll("math").length).toBeGreaterThanOrEqual(4);
    expect(el.querySelector("[href], img, [class*='x'], [id]")).toBeNull();
    const text = el.textContent ?? "";
    for (const cmd of ["\\href", "\\url", "\\htmlClass", "\\includegraphics"]) {
      expect(text).toContain(cmd);
    }
    expect(violations(el)).toEqual([]);
  });

  test("expansion and sizes are bounded", () => {
    const el = renderMarkdown(HOSTILE_MATH[6], math);
    expect(el.querySelectorAll("code.nb-math-error").length).toBeGreaterThanOrEqual(1);
    const big = renderMarkdown("$\\rule{100000em}{100000em}$", math);
    for (const s of big.querySelectorAll("[width], [height]")) {
      for (const v of [s.getAttribute("width"), s.getAttribute("height")]) {
        if (v?.endsWith("em")) expect(Number.parseFloat(v)).toBeLessThanOrEqual(20);
      }
    }
  });

  const ALL = [...HOSTILE_MATH, ...HOSTILE];
  ALL.forEach((src, n) => {
    test(`#${n + 1} streamed char by char with math on stays inert at every prefix`, () => {
      expectInertAtEveryPrefix(src, math);
    }, 60_000); // checking the DOM after each character: seconds for the longest, on 2 cores
  });

  test("MathML mXSS and foreign markup handed to the MathML allow-list are inert", () => {
    const attacks = [
      '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
      '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img src=x onerror=alert(1)>">',
      '<math><semantics><mi>x</mi><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></semantics></math>',
      '<math href="javascript:alert(1)"><mi xlink:href="javascript:alert(1)" style="background:url(https://beacon.test/s)">x</mi></math>',
      '<math><maction actiontype="statusline"><mi>x</mi><mtext>y</mtext></maction></math>',
      '<math><mtext><img src=x onerror=alert(1)></mtext><mi class="jp-x" id="y" data-commandlinker-command="z">x</mi></math>',
      '<math><annotation encoding="text/html"><img src=x onerror=alert(1)></annotation></math>',
      "<math><mo><style>@import url(https://beacon.test/i.css)</style></mo></math>",
      '<svg><math><mi><img src=x onerror="window.__pwned=1"></mi></math></svg>',
    ];
    for (const html of attacks) {
      const frag = math.purify(html);
      const box = document.createElement("div");
      box.className = "nba-md";
      const span = document.createElement("span");
      span.className = "nb-mathml";
      span.append(frag);
      box.append(span);
      expect(
        box.querySelector("img, style, svg, textarea, table, mglyph, maction"),
        html,
      ).toBeNull();
      expect(violations(box), html).toEqual([]);
    }
    expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined();
  });
});
