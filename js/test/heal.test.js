import { expect, test } from "vitest";
import { highlight } from "../src/base/highlight.js";
import { dropHalfLinks, heal, TABLE_DELIM } from "../src/markdown/heal.js";
import { randomText, rng } from "./random.js";

test.each([
  ["Hello **wor", "Hello **wor**"],
  ["Hello *wor", "Hello *wor*"],
  ["Hello _wor", "Hello _wor_"],
  ["a ~~del", "a ~~del~~"],
  ["use `co", "use `co`"],
  ["**bold and `code", "**bold and `code`**"],
  ["**bold *em", "**bold *em***"],
  ["done **", "done "],
  ["snake_case_name", "snake_case_name"],
  ["* item\n* item **b", "* item\n* item **b**"],
  ["see [the docs](https://exa", "see the docs"],
  ["pic ![alt](https://x/p.pn", "pic "],
  ["pic ![al", "pic "],
  ["```py\nx = **y", "```py\nx = **y"],
  ["**a**\n\n*b", "**a**\n\n*b*"],
  ["escaped \\*star", "escaped \\*star"],
  ["`a` and **b", "`a` and **b**"],
])("heal(%j) = %j", (src, want) => {
  expect(heal(src)).toBe(want);
});

test("highlighter keeps the text and marks tokens", () => {
  const code = "def f(x):\n    # c\n    return 'a' + 42 if True else None";
  const html = highlight(code, "python");
  const d = document.createElement("div");
  d.innerHTML = html;
  expect(d.textContent).toBe(code);
  expect([...d.querySelectorAll(".nba-hl-k")].map((e) => e.textContent)).toEqual([
    "def",
    "return",
    "if",
    "else",
  ]);
  expect(d.querySelector(".nba-hl-c")?.textContent).toBe("# c");
  expect(d.querySelector(".nba-hl-s")?.textContent).toBe("'a'");
  expect(d.querySelector(".nba-hl-n")?.textContent).toBe("42");
  expect([...d.querySelectorAll(".nba-hl-l")].map((e) => e.textContent)).toEqual(["True", "None"]);
  for (const [lang, src] of [
    ["js", "const a = `t`; // c\n/* b */ let x = null;"],
    ["ts", "interface A { x: number }"],
    ["json", '{"a": [1, true, null], "b": "<s>"}'],
    ["bash", 'echo "hi" # c\nls $HOME'],
    ["sql", "SELECT a FROM t WHERE b = 'x' -- c"],
    ["unknown", "<b>&</b>"],
  ]) {
    d.innerHTML = highlight(src, lang);
    expect(d.textContent).toBe(src);
    expect(d.querySelector("b")).toBeNull();
  }
});

// The patterns issue 37 replaced (quadratic and exponential), kept as the reference on short
// texts, where they cost nothing.
const REFERENCE = {
  IMAGE: /!\[[^\]\n]*(?:\]\([^)\n]*)?$/,
  LINK: /\[([^\]\n]*)\]\([^)\n]*$/,
  TABLE_DELIM: /^ {0,3}\|?[ \t]*:?-*:?[ \t]*(?:\|[ \t]*:?-*:?[ \t]*)*\|?[ \t]*$/,
};

test("half-written links and images: the scanner agrees with the patterns it replaced", () => {
  const r = rng(37);
  const pieces = ["![", "[", "]", "](", "][", "(", ")", "a", "\n", "!"];
  for (let n = 0; n < 20_000; n++) {
    const src = randomText(pieces, r);
    const expected = src.replace(REFERENCE.IMAGE, "").replace(REFERENCE.LINK, "$1");
    expect(dropHalfLinks(src), JSON.stringify(src)).toBe(expected);
  }
});

test("delimiter rows: the pattern accepts what the one it replaced did", () => {
  const r = rng(37);
  const pieces = ["|", " ", "\t", ":", "-", "--", "x", "    "];
  for (let n = 0; n < 20_000; n++) {
    const line = randomText(pieces, r);
    expect(TABLE_DELIM.test(line), JSON.stringify(line)).toBe(REFERENCE.TABLE_DELIM.test(line));
  }
});
