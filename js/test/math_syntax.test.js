// Math syntax (math_syntax.js): which text becomes a placeholder. No math chunk here: the
// placeholders keep their TeX.

import { Marked } from "marked";
import { describe, expect, test } from "vitest";
import { renderMarkdown } from "../src/markdown/markdown.js";
import { mathExtensions } from "../src/markdown/math_syntax.js";
import { randomText, rng } from "./random.js";

/** @param {string} src */
const inline = (src) =>
  [...renderMarkdown(src).querySelectorAll("p code.nb-math:not(.nb-math-display)")].map(
    (c) => c.textContent,
  );

/** @param {string} src */
const display = (src) =>
  [...renderMarkdown(src).querySelectorAll(".nb-math-display code.nb-math")].map(
    (c) => c.textContent,
  );

describe("$…$ with pandoc's rules", () => {
  test("currency stays text", () => {
    const el = renderMarkdown("it costs $5 and $10, or $20.");
    expect(el.querySelector("code")).toBeNull();
    expect(el.textContent?.trim()).toBe("it costs $5 and $10, or $20.");
  });
  test("inline formulas", () => {
    expect(inline("Let $x_1 + y$ be, and $\\alpha$.")).toEqual(["x_1 + y", "\\alpha"]);
    expect(inline("a $x$, b")).toEqual(["x"]);
  });
  test("the opening $ is followed by a non-space, the closing one preceded by one", () => {
    expect(inline("a $ x$ b")).toEqual([]);
    expect(inline("a $x $ b")).toEqual([]);
  });
  test("the closing $ is not followed by a digit", () => {
    expect(inline("from $x$5 on")).toEqual([]);
  });
  test("escaped dollars stay dollars, inside and outside math", () => {
    const el = renderMarkdown("price \\$5 and \\$10");
    expect(el.querySelector("code")).toBeNull();
    expect(el.textContent?.trim()).toBe("price $5 and $10");
    expect(inline("$a \\$ b$")).toEqual(["a \\$ b"]);
  });
  test("math is not markdown: its _ and * stay", () => {
    const el = renderMarkdown("$a_1 * b_2 * c$ and $x^*$");
    expect(el.querySelector("em, strong")).toBeNull();
    expect(inline("$a_1 * b_2 * c$ and $x^*$")).toEqual(["a_1 * b_2 * c", "x^*"]);
  });
  test("code spans keep their dollars", () => {
    expect(inline("`$x$` and $y$")).toEqual(["y"]);
  });
});

describe("\\(…\\), $$…$$ and \\[…\\]", () => {
  test("\\(…\\) inline", () => {
    expect(inline("Euler \\(e^{i\\pi}+1=0\\).")).toEqual(["e^{i\\pi}+1=0"]);
  });
  test("$$…$$ in a line is display math that stays in its paragraph", () => {
    const el = renderMarkdown("so $$\\sum_i x_i$$ holds");
    const c = el.querySelector("p > code.nb-math.nb-math-display");
    expect(c?.textContent).toBe("\\sum_i x_i");
  });
  test("$$ and \\[ blocks are display math, not code blocks", () => {
    const src = "Before\n\n$$\n\\frac{1}{2}\n$$\n\n\\[\nx^2\n\\]\n\n$$a+b$$\n\nafter";
    expect(display(src)).toEqual(["\\frac{1}{2}", "x^2", "a+b"]);
    const el = renderMarkdown(src);
    expect(el.querySelector("pre, button")).toBeNull();
    for (const d of el.querySelectorAll("div.nb-math")) {
      expect(d.className).toBe("nb-math nb-math-display");
      expect(d.children.length).toBe(1);
    }
  });
  test("a display block interrupts a paragraph at a line start", () => {
    expect(display("text\n\\[\nx\n\\]\nmore")).toEqual(["x"]);
    expect(display("text\n$$\ny\n$$")).toEqual(["y"]);
  });
  test("\\[ inside a line is an escaped bracket: no math, no line break", () => {
    const el = renderMarkdown("a\\[b and c\\]d");
    expect(el.querySelector("code, br, .nb-math")).toBeNull();
    expect(el.innerHTML).toContain("<p>a[b and c]d</p>");
  });
  test("the TeX is escaped text in the placeholder", () => {
    const el = renderMarkdown('$x<img src=x onerror="window.__pwned=1">$');
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("code.nb-math")?.textContent).toBe(
      'x<img src=x onerror="window.__pwned=1">',
    );
  });
});

// The patterns the scanners replaced (issue 37: backtracking, up to exponential), kept here as
// the reference on short texts, where they cost nothing. `\(…\)` follows the export's rule
// (nbagent/transcript/export/math_syntax.py: the first `\)`), which the pattern did not always.
const REFERENCE = {
  DOLLAR: /^\$(?![\s$])((?:[^\s\\$]|\\[\s\S]|\s+(?![\s$]))+)\$(?!\d)/,
  DOUBLE: /^\$\$(?!\$)((?:[^\\$\n]|\\[\s\S]|\n(?![ \t]*\n)|\$(?!\$))+?)\$\$/,
  PAREN: /^\\\(([\s\S]+?)\\\)/,
  BLOCK_DOLLARS: /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/,
  BLOCK_BRACKETS: /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/,
};

/** The extensions as they were, on the reference patterns. */
const referenceExtensions = mathExtensions().map((ext) => ({
  ...ext,
  /** @param {string} src */
  tokenizer(src) {
    const R = REFERENCE;
    if (ext.level === "block") {
      const m = R.BLOCK_DOLLARS.exec(src) ?? R.BLOCK_BRACKETS.exec(src);
      if (m?.[1].trim()) return { type: "mathBlock", raw: m[0], text: m[1].trim() };
      return undefined;
    }
    let m = R.DOUBLE.exec(src);
    if (m?.[1].trim()) return { type: "mathInline", raw: m[0], text: m[1].trim(), display: true };
    m = R.PAREN.exec(src) ?? R.DOLLAR.exec(src);
    if (m?.[1].trim()) return { type: "mathInline", raw: m[0], text: m[1].trim() };
    return undefined;
  },
}));

describe("the scanners agree with the patterns they replaced", () => {
  const ours = new Marked({ gfm: true, extensions: mathExtensions() });
  const reference = new Marked({ gfm: true, extensions: referenceExtensions });
  // Pieces of one kind of delimiter each (dense enough for several formulas and near-formulas
  // per paragraph), then all together.
  const PIECES = {
    dollars: ["$", "$", "$$", "a", " ", "\\", "5"],
    parens: ["\\(", "\\)", "a", "\\", " ", ")"],
    blocks: ["$$", "\\[", "\\]", "\n", "  ", "a", "\\"],
    all: ["$", "$a", "a$", "$$", "a", " ", "\\", "\\(", "\\)", "\\[", "\\]", "\n", "5", "`"],
  };
  for (const [kind, pieces] of Object.entries(PIECES)) {
    test(`on 10,000 random texts of ${kind}`, () => {
      const r = rng(37);
      for (let n = 0; n < 10_000; n++) {
        const src = randomText(pieces, r);
        expect(ours.parse(src), JSON.stringify(src)).toBe(reference.parse(src));
      }
    });
  }
});

test("the inline start looks ahead a bounded window: a long text is cut, not searched whole", () => {
  const inline = /** @type {any} */ (mathExtensions()[1]);
  // Searching the whole rest at every inline token was quadratic (8 KB of `**_a `).
  expect(inline.start("a ".repeat(2000))).toBe(511);
  expect(inline.start(`${"a ".repeat(100)}$x$`)).toBe(200);
  expect(inline.start(`${"a ".repeat(300)}$x$`)).toBe(511);
  // Whatever the cuts, the formulas come out the same.
  const src = `${"word **b** _c_ ".repeat(80)}$x^2$ and ${"more text ".repeat(60)}\\(y\\)`;
  const el = renderMarkdown(src);
  expect([...el.querySelectorAll("code.nb-math")].map((c) => c.textContent)).toEqual(["x^2", "y"]);
});
