import { describe, expect, test } from "vitest";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown.js";

const SAMPLES = {
  paragraphs:
    "Hello **world**, this is *markdown*.\n\nSecond paragraph with `code` and a [link](https://example.com).\n\nThird\nline two.",
  lists: "- one\n- two\n  - nested\n- three\n\n1. first\n2. second\n3. third\n\nafter",
  looseList: "- a\n\n- b\n\n  continued\n\n- c\n\ntext",
  tasks: "- [ ] todo\n- [x] done\n",
  fences:
    'Intro:\n\n```python\ndef f(x):\n    # comment\n    return x * 2  # "str"\n```\n\n~~~js\nconst a = `t`;\n~~~\n\n```\nplain\n```\nend',
  table: "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | **4** |\n\nafter table",
  setext: "Title\n=====\n\nSub\n---\n\ntext\n***\n",
  headings: "# H1\n## H2 with `code`\n### H3\ntext",
  blockquote: "> quoted\n> more\n>\n> - list in quote\n\n> another\nlazy",
  refs: 'See [docs][x] and [y].\n\n[x]: https://example.com/x\n[y]: https://example.com/y "Y"\n',
  math: "Euler: \\(e^{i\\pi}+1=0\\).\n\n$$\n\\frac{1}{2}\n$$\n\n\\[\nx^2\n\\]\n\ndone",
  html: 'Hello <b>bold</b> <img src=x onerror="window.__pwned=1">\n\n<div>\nblock\n</div>\n\nafter',
  mixed:
    '# Report\n\nSome **bold** and _em_ and ~~del~~.\n\n1. a\n2. b\n\n```json\n{"a": 1, "b": [true, null]}\n```\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n> note\n\nfin',
  indented: "para\n\n    indented code\n    more\n\nafter",
};

/** @param {string} src @param {number[]} cuts */
function stream(src, cuts) {
  const s = new StreamingMarkdown();
  for (const c of cuts) {
    s.set(src.slice(0, c), false);
    s.flush();
  }
  s.set(src, true);
  s.flush();
  return s.el;
}

function rng(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe("block freezing equals whole-document rendering", () => {
  for (const [name, src] of Object.entries(SAMPLES)) {
    test(`${name}: char by char`, () => {
      const cuts = Array.from({ length: src.length }, (_, i) => i + 1);
      expect(stream(src, cuts).innerHTML).toBe(renderMarkdown(src).innerHTML);
    });
    test(`${name}: random splits`, () => {
      const r = rng(name.length * 7919);
      for (let trial = 0; trial < 5; trial++) {
        const cuts = [];
        for (let i = 0; i < src.length; i += 1 + Math.floor(r() * 12)) cuts.push(i);
        expect(stream(src, cuts).innerHTML).toBe(renderMarkdown(src).innerHTML);
      }
    });
  }
});
