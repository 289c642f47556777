import { describe, expect, test, vi } from "vitest";
import {
  morph,
  purify,
  renderMarkdown,
  StreamingMarkdown,
  warmUp,
} from "../src/markdown/markdown.js";
import { newPage } from "../src/markdown/page.js";
import { rng } from "./random.js";
import { streamAppends } from "./streamed.js";

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

describe("appended deltas equal whole-document rendering", () => {
  for (const [name, src] of Object.entries(SAMPLES)) {
    test(`${name}: char by char and random splits`, () => {
      const whole = renderMarkdown(src).innerHTML;
      const every = Array.from({ length: src.length }, (_, i) => i + 1);
      expect(streamAppends(src, every).el.innerHTML).toBe(whole);
      const r = rng(name.length * 104729);
      const cuts = [];
      for (let i = 0; i < src.length; i += 1 + Math.floor(r() * 12)) cuts.push(i);
      expect(streamAppends(src, cuts).el.innerHTML).toBe(whole);
    });
  }

  test("a \\r\\n line break split between two deltas is one line break", () => {
    const src = "a\r\nb\r\n\r\n- c\r- d\r\n";
    const whole = renderMarkdown(src).innerHTML;
    for (let cut = 1; cut < src.length; cut++) {
      expect(streamAppends(src, [cut]).el.innerHTML).toBe(whole);
    }
    const s = streamAppends(src, [2]);
    expect(s.src).toBe("a\nb\n\n- c\n- d\n");
  });

  test("only the unfrozen tail is kept for parsing", () => {
    const s = new StreamingMarkdown();
    s.append("First paragraph.\n\nSecond paragraph.\n\nThird, still");
    s.flush();
    expect(s.tail).toBe("Third, still");
    expect(s.frozenEnd + s.tail.length).toBe(s.src.length);
  });

  test("set() and append() can be mixed", () => {
    const src = SAMPLES.mixed;
    const s = new StreamingMarkdown();
    s.set(src.slice(0, 40), false);
    s.flush();
    s.append(src.slice(40, 90));
    s.flush();
    s.set(src, true);
    s.flush();
    expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  });
});

describe("the live block is patched, not rebuilt", () => {
  test("nodes that did not change are kept", () => {
    const s = new StreamingMarkdown();
    s.append("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |");
    s.flush();
    const firstRow = s.liveEl.querySelector("tbody tr");
    s.append(" 4 |\n| 5 | 6 |");
    s.flush();
    expect(s.liveEl.querySelector("tbody tr")).toBe(firstRow);
    expect(s.liveEl.querySelectorAll("tbody tr")).toHaveLength(3);
  });

  test("morph makes the children equal to the fragment's", () => {
    const cases = [
      ["<p>a <b>b</b></p><ul><li>x</li></ul>", "<p>a <b>bc</b> d</p><ul><li>x</li><li>y</li></ul>"],
      ["<p>a</p><p>b</p><p>c</p>", "<p>a</p>"],
      ["<ol><li>x</li></ol>", '<ol start="2"><li>x</li></ol>'],
      ["<p>text</p>", "<pre><code>text\n</code></pre>"],
      ["", "<h2>t</h2>"],
      ['<a href="https://a.example/">x</a>', '<a href="https://b.example/">x</a>'],
    ];
    for (const [before, after] of cases) {
      const el = document.createElement("div");
      el.append(purify(before));
      morph(el, purify(after));
      const want = document.createElement("div");
      want.append(purify(after));
      expect(el.innerHTML).toBe(want.innerHTML);
    }
  });
});

test("warmUp renders off the page and only once", () => {
  const before = document.body.innerHTML;
  const flush = vi.spyOn(StreamingMarkdown.prototype, "flush");
  const page = newPage();
  warmUp(page);
  const first = flush.mock.calls.length;
  warmUp(page);
  expect(first).toBeGreaterThan(0);
  expect(flush.mock.calls.length).toBe(first);
  expect(document.body.innerHTML).toBe(before);
  flush.mockRestore();
});
