import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { purify, renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";
import { expectInertAtEveryPrefix } from "./streamed.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const HOSTILE = JSON.parse(readFileSync(join(HERE, "../../tests/fixtures/hostile.json"), "utf8"));

describe("sanitizer allow-list on the hostile inputs", () => {
  test("rendering.md §5's ten and more: at least 40", () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(40);
  });
  HOSTILE.forEach((/** @type {string} */ src, /** @type {number} */ n) => {
    test(`#${n + 1} streamed char by char stays safe at every step`, () => {
      expectInertAtEveryPrefix(src);
    });
  });

  test("model HTML is shown as text", () => {
    const el = renderMarkdown(HOSTILE[0]);
    expect(el.textContent).toContain('<img src=x onerror="window.__pwned=1">');
    expect(el.querySelector("img")).toBeNull();
  });

  test("images become links; links with dangerous hrefs become text; links open safely", () => {
    const el = renderMarkdown(
      "![alt](https://x.test/a.png) [ok](https://ok.test) [m](mailto:a@b.c) [h](#top) [bad](javascript:alert(1))",
    );
    const links = [...el.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "https://x.test/a.png",
      "https://ok.test",
      "mailto:a@b.c",
      "#top",
    ]);
    // Outside the link rule: the link's text, no anchor (issue 17).
    expect(el.textContent).toContain(" bad");
    expect(links[0].textContent).toBe("[image: alt]");
    for (const a of links.slice(0, 4)) {
      expect(a.target).toBe("_blank");
      expect(a.rel).toBe("noopener noreferrer nofollow");
    }
  });

  test("markup that leaves no body gives an empty fragment, never null", () => {
    for (const html of ["<frameset><frame src=javascript:alert(1)>", "<html><frameset>"]) {
      const frag = purify(html);
      expect(frag?.nodeType, html).toBe(Node.DOCUMENT_FRAGMENT_NODE);
      expect(frag.querySelector("frame, frameset"), html).toBeNull();
    }
  });

  test("task list checkboxes survive, other inputs do not", () => {
    const frag = purify(
      '<ul><li><input type="checkbox" checked disabled> a</li></ul><input type="text"><input>',
    );
    const inputs = frag.querySelectorAll("input");
    expect(inputs.length).toBe(1);
    expect(inputs[0].getAttribute("type")).toBe("checkbox");
  });

  test("data-, style, aria attributes and svg are removed", () => {
    const frag = purify(
      '<p data-commandlinker-command="x" style="color:red" aria-label="y">p</p><svg><a href="#">x</a></svg>',
    );
    const d = document.createElement("div");
    d.append(frag);
    expect(d.innerHTML).toBe("<p>p</p>");
  });
});

describe("markdown details", () => {
  test("frozen code blocks are highlighted and get a copy button; an open fence is plain", () => {
    const s = new StreamingMarkdown();
    s.set("```python\ndef f():\n    return 1\n", false);
    s.flush();
    expect(s.el.querySelector(".nba-hl-k")).toBeNull();
    expect(s.el.querySelector(".nba-copy")).toBeNull();
    expect(s.el.querySelector("pre")?.textContent).toContain("def f():");
    s.set("```python\ndef f():\n    return 1\n```\n\nafter", false);
    s.flush();
    const box = s.el.querySelector(".nba-frozen .nba-code");
    expect(box?.querySelector(".nba-hl-k")?.textContent).toBe("def");
    expect(box?.querySelector("button.nba-copy")?.textContent).toBe("Copy");
    expect(box?.querySelector("pre")?.textContent).toBe("def f():\n    return 1\n");
  });

  test("TeX becomes math placeholders (without the math chunk: shown as TeX)", () => {
    const el = renderMarkdown("Inline \\(a+b\\) here.\n\n$$\n\\frac{1}{2}\n$$\n\n\\[\nx^2\n\\]");
    expect(el.querySelector("p code.nb-math")?.textContent).toBe("a+b");
    const sel = "div.nb-math.nb-math-display > code.nb-math";
    const blocks = [...el.querySelectorAll(sel)].map((c) => c.textContent);
    expect(blocks).toEqual(["\\frac{1}{2}", "x^2"]);
    expect(el.querySelector("pre, button")).toBeNull(); // display math is no code block
  });

  test("an open $$ block stays live until it closes", () => {
    const s = new StreamingMarkdown();
    s.set("$$\nx\n\ny", false);
    s.flush();
    expect(s.frozenEl.textContent).toBe("");
    s.set("$$\nx\n\ny\n$$\n\nnext", false);
    s.flush();
    expect(s.frozenEl.querySelector("div.nb-math-display")).not.toBeNull();
  });

  test("late reference definitions re-render the document at the end", () => {
    const s = new StreamingMarkdown();
    const src = "See [docs][x].\n\nMore text.\n\n[x]: https://example.com";
    for (let i = 1; i <= src.length; i++) {
      s.set(src.slice(0, i), false);
      s.flush();
    }
    s.set(src, true);
    s.flush();
    expect(s.el.querySelector("a")?.getAttribute("href")).toBe("https://example.com");
  });

  test("frozen blocks are grouped in chunks of 32", () => {
    const src = Array.from({ length: 70 }, (_, i) => `para ${i}`).join("\n\n");
    const el = renderMarkdown(src);
    expect([...el.querySelectorAll(".nba-chunk")].map((c) => c.children.length)).toEqual([
      32, 32, 6,
    ]);
  });
});

test("table alignment and list start survive the URI allow-list", () => {
  const el = renderMarkdown("3. c\n4. d\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |");
  expect(el.querySelector("ol")?.getAttribute("start")).toBe("3");
  expect(el.querySelector("th")?.getAttribute("align")).toBe("center");
  expect(renderMarkdown("- [x] done").querySelector("input")?.getAttribute("type")).toBe(
    "checkbox",
  );
});
