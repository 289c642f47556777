// marked's scans for emphasis closers are metered (js/src/markdown/markdown.js, issue 29): a
// paragraph of openers that never close costs linear time, and what renders does not change.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { emphasisMeter, renderMarkdown, setEmphasisScans } from "../src/markdown/markdown.js";

const SCANS = 16; // markdown.js EMPHASIS_SCANS
const ALLOWANCE = 32_768; // and SCAN_ALLOWANCE
/** @param {string} unit @param {number} size */
const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
/** Paragraphs of emphasis markers that make marked's closer scans quadratic. @param {number} size */
const hostile = (size) => ({
  "**_a ": fill("**_a ", size),
  "_a_b ": fill("_a_b ", size),
  "_**a_**b ": fill("_**a_**b ", size),
  "*a ... then a closer": `${fill("*a ", size - 8)}_**_**é`,
  "~a ": fill("~a ", size),
});
const ANSWERS = readFileSync(`${__dirname}/../../benchmarks/markdown_answers.md`, "utf8")
  .split("<!-- next answer -->")
  .slice(1);

/** @param {string} src */
const html = (src) => renderMarkdown(src).innerHTML;

afterEach(() => setEmphasisScans(SCANS));
// What renders is compared metered and unmetered: the lexing deadline (lex_budget.js, a clock)
// stays out of it. A loaded machine took past 250 ms to lex 8 KB of `*a* ` unmetered, and that
// render fell back to plain text; the scans alone are measured here.
beforeAll(() => vi.useFakeTimers({ toFake: ["performance"] }));
afterAll(() => vi.useRealTimers());

test.each(Object.entries(hostile(2048)))(
  "%j repeated: quadratic unmetered, and metered",
  (name, src) => {
    setEmphasisScans(Number.POSITIVE_INFINITY);
    html(src);
    if (name !== "~a ") expect(emphasisMeter().spent).toBeGreaterThan(50 * src.length);
    setEmphasisScans(SCANS);
    html(src);
    const { spent, limit } = emphasisMeter();
    expect(limit).toBe(SCANS * src.length + ALLOWANCE);
    expect(spent).toBeLessThanOrEqual(limit + src.length); // the last scan may finish
  },
);

test.each(Object.entries(hostile(8192)))("%j, 8 KB: bounded", (_, src) => {
  html(src);
  const { spent, limit } = emphasisMeter();
  expect(spent).toBeLessThanOrEqual(limit + src.length);
});

test.each([
  ["*a* , 8 KB", fill("*a* ", 8192)],
  ["**b** _c_ ~d~ , 8 KB", fill("**b** _c_ ~d~ ", 8192)],
  ["nested, 8 KB", fill("***a** b* _c **d** e_ ", 8192)],
  // marked's scans are quadratic here too (32 times the text at 1 KB, 64 at 2 KB)
  ["*args prose, 1 KB", fill("my_var_name with *args and **kwargs, then *one* ", 1024)],
])("%j, emphasis that closes: renders as unmetered", (_, src) => {
  setEmphasisScans(Number.POSITIVE_INFINITY);
  const unmetered = html(src);
  setEmphasisScans(SCANS);
  expect(html(src)).toBe(unmetered);
  const { spent, limit } = emphasisMeter();
  expect(spent).toBeLessThan(limit);
});

test("realistic answers never reach the meter: each renders as unmetered", () => {
  for (const answer of ANSWERS) {
    setEmphasisScans(Number.POSITIVE_INFINITY);
    const unmetered = html(answer);
    setEmphasisScans(SCANS);
    expect(html(answer)).toBe(unmetered);
  }
  expect(ANSWERS.length).toBeGreaterThanOrEqual(30);
});
