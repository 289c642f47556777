// Streaming realistic answers one character per message: no frame shows markdown syntax
// (a backtick, `**`, a table's `|`, a list marker) that the finished render does not show.
import { readFileSync } from "node:fs";
import { expect, test, vi } from "vitest";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";

const ANSWERS = readFileSync(`${__dirname}/../../benchmarks/markdown_answers.md`, "utf8")
  .split("<!-- next answer -->")
  .slice(1)
  .map((a) => `${a.replace(/^\n+|\n+$/g, "")}\n`);

/**
 * Visible text without whitespace, copy buttons or TeX (as benchmarks/markdown_stream.js): the
 * text nodes outside those, read in place. Cloning the render to remove them, every frame, cost
 * a third of these tests' time.
 */
function visible(/** @type {Element} */ el) {
  const walker = el.ownerDocument.createTreeWalker(
    el,
    NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
    (n) =>
      n.nodeType === Node.ELEMENT_NODE
        ? /** @type {Element} */ (n).matches("button, .nb-math")
          ? NodeFilter.FILTER_REJECT // and everything inside it
          : NodeFilter.FILTER_SKIP
        : NodeFilter.FILTER_ACCEPT,
  );
  let text = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) text += /** @type {Text} */ (n).data;
  return text.replace(/[\s\u200b]+/g, "");
}

/**
 * The frames of `src` streamed one character per flush whose visible text is not a prefix of
 * the final render's, with the source so far. `window`: the live block is parsed only in its
 * last `window` characters (what a slow render leaves, streaming.js), the rest as its head.
 * @param {string} src @param {number} window
 */
function rawFrames(src, window) {
  const final = visible(renderMarkdown(src));
  const s = new StreamingMarkdown();
  const raw = [];
  for (let i = 1; i < src.length; i++) {
    s.append(src[i - 1]);
    s.window = Math.min(s.window, window);
    s.flush();
    const t = visible(s.el);
    if (!final.startsWith(t)) {
      let k = 0;
      while (t[k] === final[k]) k++;
      raw.push([src.slice(0, i).slice(-40), t.slice(k - 20, k + 20)]);
    }
  }
  return raw;
}

/**
 * A hang's budget, for one answer streamed a character a frame (every frame renders the live
 * block, sanitized, in jsdom): 1–8 s on a quiet machine, 70 s at load 13 on two cores, 145 s
 * beside 8 busy loops on a two-core machine other jobs shared.
 */
const BUDGET_MS = 300_000;

const find = (/** @type {string} */ start) => {
  const a = ANSWERS.find((x) => x.startsWith(start));
  if (!a) throw new Error(`no answer ${start}`);
  return a;
};
const LISTS = [
  "Thanks for sharing the code!", // numbered list, inline code, fences in items
  "Here's how the query works", // numbered SQL walkthrough, **`code`** in items
  "It sounds like the container", // troubleshooting, YAML fences in a numbered list
  "Sure, here's a breakdown", // nested lists
  "Great question! Here's how", // a how-to
  "Here's a side-by-side comparison", // two tables
];

test.each(LISTS)(
  "%s…: no raw syntax while parsed whole",
  (start) => {
    // No deadline ever passes: the live block is parsed whole.
    const clock = vi.spyOn(performance, "now").mockReturnValue(0);
    try {
      expect(rawFrames(find(start), Infinity)).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  },
  BUDGET_MS,
);

test.each(LISTS)(
  "%s…: no raw syntax while only the live block's end is parsed",
  (start) => {
    // A slow machine: the live block's head is rendered once, in pieces, not shown as text.
    const clock = vi.spyOn(performance, "now").mockReturnValue(0);
    try {
      expect(rawFrames(find(start), 256)).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  },
  BUDGET_MS,
);

test("a copy made while the live block has a head streams on like the original", () => {
  const src = find("Thanks for sharing the code!");
  const clock = vi.spyOn(performance, "now").mockReturnValue(0);
  try {
    const s = new StreamingMarkdown();
    const half = Math.floor(src.length / 2);
    for (let i = 0; i < half; i += 7) {
      s.append(src.slice(i, Math.min(i + 7, half)));
      s.window = Math.min(s.window, 256);
      s.flush();
    }
    expect(s.cut).toBeGreaterThan(0);
    const c = s.clone();
    expect(c.el.innerHTML).toBe(s.el.innerHTML);
    for (const m of [s, c]) {
      m.append(src.slice(half, half + 300));
      m.flush();
    }
    expect(c.el.innerHTML).toBe(s.el.innerHTML);
    for (const m of [s, c]) {
      m.append(src.slice(half + 300));
      m.setFinal(true);
      m.flush();
    }
    expect(c.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
    expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  } finally {
    clock.mockRestore();
  }
});
