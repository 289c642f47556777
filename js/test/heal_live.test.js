// Healing of the live block (issue 17): no raw markdown syntax while a block streams.
import { expect, test, vi } from "vitest";
import { healLive, OPEN_MATH } from "../src/markdown/heal.js";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";

/** The live block's HTML after streaming `src` in one flush. @param {string} src */
function live(src) {
  const s = new StreamingMarkdown();
  s.append(src);
  s.flush();
  return s.liveEl;
}

test.each([
  ["| a | b |", ["a", "b"]],
  ["| a | b |\n|", ["a", "b"]],
  ["| a | b |\n|--", ["a", "b"]],
  ["| a | b |\n|---|:-", ["a", "b"]],
  ["| a | b |\n|:", ["a", "b"]],
  ["| a | b |\n| :-- |", ["a", "b"]],
  ["| format | size (M", ["format", "size (M"]],
])("a table header %j shows as a table head at once", (src, heads) => {
  const el = live(`Intro.\n\n${src}`);
  expect([...el.querySelectorAll("thead th")].map((th) => th.textContent)).toEqual(heads);
  expect(el.textContent).not.toContain("|");
});

test("a lone `|` after a blank line (a table's start) does not flash", () => {
  expect(live("- a list\n\n|").textContent?.trim()).toBe("a list");
  expect(live("- a list\n\n| ").textContent?.trim()).toBe("a list");
});

test.each([
  ["see [the docs", "see the docs"],
  ["see [the docs]", "see the docs"],
  ["see [the docs](https://exa", "see the docs"],
  ["see [the docs][d", "see the docs"],
])("%j shows its link text without brackets", (src, text) => {
  expect(live(src).textContent?.trim()).toBe(text);
});

test.each([
  ["- [", 0],
  ["- [ ", 0],
  ["- [x", 0],
  ["- a\n- [ ]", 1],
  ["- a\n- [x]", 1],
])("a half-typed task box %j is a list item, a checkbox once complete", (src, boxes) => {
  const el = live(src);
  expect(el.querySelectorAll("input[type=checkbox]")).toHaveLength(boxes);
  expect(el.textContent).not.toMatch(/[[\]]/);
});

test.each([
  ["```py\nx = 1\n`"],
  ["```py\nx = 1\n``"],
  ["~~~\nx = 1\n~~"],
  ["- a\n  ```\n  x\n  `"],
])("a half-typed closing fence %j is not code content", (src) => {
  const code = live(src).querySelector("pre code");
  expect(code?.textContent?.trim()).toBe(src.includes("x = 1") ? "x = 1" : "x");
});

test.each([
  ["Intro\n\n#"],
  ["Intro\n\n1"],
  ["Intro\n\n-"],
  ["Intro\n\n>"],
  ["a\\"],
  ["Intro\n\n- a\n  -"],
])("a lone marker %j does not flash as text", (src) => {
  const el = live(src);
  expect(el.textContent).not.toMatch(/[#>\\]|\b1\b|-/);
});

test("an open display formula shows its TeX as plain text in the math placeholder", () => {
  for (const src of [
    "Euler:\n\n$$\ne^{i\\pi} + 1 = x_1 * y_2",
    "Euler:\n\n\\[\ne^{i\\pi} + 1 = x_1 * y_2",
  ]) {
    const el = live(src);
    const box = el.querySelector("div.nb-math.nb-math-display.nb-math-open > code.nb-math");
    expect(box?.textContent).toBe("e^{i\\pi} + 1 = x_1 * y_2");
    expect(el.querySelector("em, strong")).toBeNull();
    expect(el.textContent).not.toContain("$$");
    expect(el.textContent).not.toContain("\\[");
  }
});

test("an open inline formula (pandoc's opening rule) shows its TeX as plain text", () => {
  const el = live("so $x_1 + y_1 *");
  expect(el.querySelector("code.nb-math.nb-math-open")?.textContent).toBe("x_1 + y_1 *");
  expect(el.querySelector("em")).toBeNull();
  expect(el.textContent).not.toContain("$");
  // Money is not a formula: "$5" opens nothing.
  expect(live("it costs $5 and").querySelector(".nb-math")).toBeNull();
  expect(healLive("a closed $x$ and").math).toBeNull();
  expect(healLive(`text ${OPEN_MATH}`).text).not.toContain(OPEN_MATH);
});

test("heal does not touch code blocks that are already closed", () => {
  expect(healLive("```\na * b\n```\n\ntext **b").text).toBe("```\na * b\n```\n\ntext **b**");
});

test("the live render's cost is bounded: a slow render shrinks the parsed window", () => {
  const src = "_a_ ".repeat(2250);
  const s = new StreamingMarkdown();
  let now = 0;
  // Every render "takes" 10 ms: the window shrinks to its minimum.
  const clock = vi.spyOn(performance, "now").mockImplementation(() => (now += 10));
  try {
    for (let i = 0; i < src.length; i += 500) {
      s.append(src.slice(i, i + 500));
      s.flush();
    }
    expect(s.window).toBe(256);
    // The head went past its deadline: shown as plain text (no emphasis parsed).
    expect(s.liveEl.textContent?.length).toBeGreaterThan(src.length - 600);
    expect(s.liveEl.querySelector("em")).toBeNull();
  } finally {
    clock.mockRestore();
  }
  // The final and the whole render on a clock that stands still: a busy machine stalls past
  // a render's deadline, which shows that render as plain text.
  const still = vi.spyOn(performance, "now").mockReturnValue(0);
  try {
    s.setFinal(true);
    s.flush();
    expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  } finally {
    still.mockRestore();
  }
});

test("a long code block stays code when only its end is parsed", () => {
  const src = `Intro\n\n\`\`\`python\n${"x = 1  # _a_ **b**\n".repeat(400)}`;
  const s = new StreamingMarkdown();
  let now = 0;
  const clock = vi.spyOn(performance, "now").mockImplementation(() => (now += 10));
  try {
    for (let i = 0; i < src.length; i += 700) {
      s.append(src.slice(i, i + 700));
      s.flush();
    }
  } finally {
    clock.mockRestore();
  }
  expect(s.window).toBe(256);
  expect(s.liveEl.querySelector("pre code")?.textContent).toContain("x = 1  # _a_ **b**");
  expect(s.liveEl.querySelector("em, strong")).toBeNull();
});

test("quotes nested thousands deep render without a stack overflow", () => {
  const src = `${"> ".repeat(5000)}deep\n\nafter`;
  const s = new StreamingMarkdown();
  // No deadline passes (a busy machine would show a render past it as plain text).
  const still = vi.spyOn(performance, "now").mockReturnValue(0);
  try {
    for (let i = 0; i < src.length; i += 1000) {
      s.append(src.slice(i, i + 1000));
      s.flush();
    }
    s.setFinal(true);
    s.flush();
    expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  } finally {
    still.mockRestore();
  }
  expect(s.el.querySelectorAll("blockquote").length).toBeLessThanOrEqual(16);
  expect(s.el.textContent).toContain("after");
});

test.each([["- **Phase 2**\n  1."], ["- a\n    1)"], ["Steps:\n\n1. a\n2."]])(
  "a lone nested or dotted list marker %j does not flash as the text before it",
  (src) => {
    expect(live(src).textContent).not.toMatch(/[12][.)]/);
  },
);

test.each([
  ["The error is $", "The error is"],
  ["Costs (\n\n$", ""],
  ["a\n\n$$", ""],
])("a trailing `$` that may open a formula %j waits for what follows it", (src, text) => {
  expect(live(src).textContent?.replace(/\s+/g, " ").trim()).toBe(text.replace(/\n\n.*/, ""));
});

test("money that closes is a formula, and TeX after a `$` before a digit opens one", () => {
  const closed = live("is $0.5$.");
  expect(closed.querySelector("code.nb-math:not(.nb-math-open)")?.textContent).toBe("0.5");
  expect(closed.textContent).not.toContain("$");
  const open = live("the difference is $0.8 \\pm 1.9");
  expect(open.querySelector(".nb-math-open")?.textContent).toBe("0.8 \\pm 1.9");
  expect(open.textContent).not.toContain("$");
  // Money stays text.
  expect(live("It costs $5 and $10 per month").textContent).toContain("$5 and $10");
});

test("TeX's `_` in a closed `$$` formula is not healed as emphasis", () => {
  const el = live("by\n\n$$\nw_{t+1} = w_t\n$$");
  expect(el.querySelector("code.nb-math")?.textContent).toBe("w_{t+1} = w_t");
  expect(el.textContent?.replace(/w_\{t\+1\} = w_t/, "")).not.toContain("_");
});

test("a page stalled past the deadline still shows a short text as markdown", () => {
  // A collection or a busy CPU: every clock read is a second later than the one before.
  let now = 0;
  const clock = vi.spyOn(performance, "now").mockImplementation(() => (now += 1000));
  try {
    const src = "It is **18°C** in _Paris_, see [the map](https://example.org).\n\n- one\n- two";
    expect(renderMarkdown(src).innerHTML).toContain("<strong>18°C</strong>");
    const s = new StreamingMarkdown();
    for (const ch of src) {
      s.append(ch);
      s.flush();
    }
    expect(s.el.querySelector("em")?.textContent).toBe("Paris");
    expect(s.el.querySelectorAll("li").length).toBe(2);
  } finally {
    clock.mockRestore();
  }
});
