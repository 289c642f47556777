// What one formula may cost a frame (issue 29): a long formula is typeset in a task of its
// own, after the frame that shows it; one too long is not typeset at all.
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";
import { newTypesetter } from "../src/markdown/math.js";
import chunk from "../src/markdown/math_chunk.js";

/** @type {string[]} */
const typeset = [];
/** This file's typesetter (a page's, as js/src/widget/index.js makes it). */
const math = newTypesetter();

beforeAll(() => {
  // What a frame places is counted here, not timed: the lexing deadline (lex_budget.js) and the
  // typesetting budget (typeset.js) are clocks, and a loaded machine ran past the first (the
  // block of formulas rendered as plain text, none placed).
  vi.useFakeTimers({ toFake: ["performance"] });
  math.use({
    ...chunk, // its syntax and typesetting, with a renderer that counts what it typesets
    toMathML(tex) {
      typeset.push(tex);
      return { mathml: '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>' };
    },
  });
});

afterAll(() => vi.useRealTimers());

/** A formula of about `n` characters. @param {number} n @param {string} name */
const formula = (n, name) => `${name} ${"+ x_{1}".repeat(Math.ceil(n / 7))}`;

test("a short formula is typeset in the frame that shows it", () => {
  const el = renderMarkdown(`Then $${formula(100, "short")}$ holds.`, math);
  expect(el.querySelector("math")).not.toBeNull();
  expect(typeset.some((t) => t.startsWith("short"))).toBe(true);
});

test("a long formula is typeset after the frame, in a task of its own", async () => {
  const el = renderMarkdown(
    `$$\n${formula(1000, "long")}\n$$\n\nand $${formula(100, "next")}$`,
    math,
  );
  // The frame: the long one still shows its TeX, the short one after it is typeset.
  expect(typeset.some((t) => t.startsWith("long"))).toBe(false);
  expect(el.querySelector("code.nb-math")?.textContent).toContain("long");
  expect(el.querySelectorAll("math")).toHaveLength(1);
  await math.settled();
  expect(typeset.some((t) => t.startsWith("long"))).toBe(true);
  expect(el.querySelectorAll("math")).toHaveLength(2);
  expect(el.querySelector("code.nb-math")).toBeNull();
});

test("a formula too long to typeset shows its TeX, and says why", async () => {
  const tex = formula(5000, "huge");
  const el = renderMarkdown(`$$\n${tex}\n$$`, math);
  await math.settled();
  expect(typeset.some((t) => t.startsWith("huge"))).toBe(false);
  const error = el.querySelector("code.nb-math-error");
  expect(error?.textContent).toBe(tex);
  expect(error?.getAttribute("title")).toMatch(/too long to typeset/);
});

/** 60 formulas, typeset once so that the next render takes them from the cache. */
async function sixtyFormulas(/** @type {string} */ name) {
  const src = Array.from({ length: 60 }, (_, i) => `$${name}_{${i}}$`).join(" and ");
  renderMarkdown(src, math);
  await math.settled();
  return src;
}

test("a block of many formulas places 24 in its frame and the rest in later tasks", async () => {
  const el = renderMarkdown(await sixtyFormulas("m"), math);
  expect(el.querySelectorAll("math")).toHaveLength(24);
  await math.settled();
  expect(el.querySelectorAll("math")).toHaveLength(60);
  expect(el.querySelector("code.nb-math")).toBeNull();
});

test("a live block places all its formulas in each frame (it keeps them: no flicker)", async () => {
  const s = new StreamingMarkdown(math);
  s.append(`${await sixtyFormulas("l")} and more`);
  s.flush();
  expect(s.el.querySelectorAll(".nba-live math")).toHaveLength(60);
});
