// Issue 17's reported bugs: what freezing may commit, links, images in links, empty fences.
import { expect, test } from "vitest";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";

/**
 * Stream `parts` one flush each (a pause between them), then finish.
 * @param {string[]} parts
 */
function pausedStream(parts) {
  const s = new StreamingMarkdown();
  for (const p of parts) {
    s.append(p);
    s.flush();
  }
  s.setFinal(true);
  s.flush();
  return s;
}

test("a loose ordered list paused after `2` stays one list", () => {
  const s = pausedStream(["1. a\n\n2", ". b\n"]);
  expect(s.el.querySelectorAll("ol")).toHaveLength(1);
  expect(s.el.innerHTML).toBe(renderMarkdown("1. a\n\n2. b\n").innerHTML);
});

test("a list is not frozen while its next item is half-typed", () => {
  const s = new StreamingMarkdown();
  s.append("- a\n\n-");
  s.flush();
  expect(s.frozenEl.textContent).toBe("");
  s.append(" b\n\npara\n\nmore");
  s.flush();
  // The paragraph after a blank line ended the list: now it is final.
  expect(s.frozenEl.querySelectorAll("li")).toHaveLength(2);
});

test("a table is not frozen while rows may still come", () => {
  const s = pausedStream(["| a | b |\n|---|---|\n| 1 | 2 |\n|", " 3 | 4 |\n"]);
  expect(s.el.querySelectorAll("table")).toHaveLength(1);
  expect(s.el.querySelectorAll("tbody tr")).toHaveLength(2);
});

test("a setext heading paused before its underline", () => {
  const src = "Title\n---\n\ntext";
  const s = pausedStream(["Title\n", "-", "--\n\ntext"]);
  expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  expect(s.el.querySelector("h2")?.textContent).toBe("Title");
});

test.each([
  ["split over lines", "See [foo].\n\n[foo]:\nhttps://example.com/x\n"],
  ["with an escaped ]", "See [a\\]b].\n\n[a\\]b]: https://example.com/x\n"],
  ["inside a quote", "See [foo].\n\n> [foo]: https://example.com/x\n"],
  ["title on the next line", "See [foo].\n\n[foo]: https://example.com/x\n  'T'\n"],
])("a reference definition %s resolves at the end", (_, src) => {
  const every = [...src];
  const s = pausedStream(every);
  expect(s.el.querySelector("a")?.getAttribute("href")).toBe("https://example.com/x");
  expect(s.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
});

test("a definition already frozen resolves references in the live block and earlier blocks", () => {
  const s = new StreamingMarkdown();
  s.append("Before [x].\n\n[x]: https://example.com/x\n\nLive [x] still");
  s.flush();
  const hrefs = [...s.el.querySelectorAll("a")].map((a) => a.getAttribute("href"));
  expect(hrefs).toEqual(["https://example.com/x", "https://example.com/x"]);
});

test.each([["[x]()"], ["[x](<>)"], ["[x](/relative)"], ["[x](javascript:alert(1))"]])(
  "%s is text, not an anchor",
  (src) => {
    const el = renderMarkdown(src);
    expect(el.querySelector("a")).toBeNull();
    expect(el.textContent?.trim()).toBe("x");
  },
);

test("an image inside a link keeps the link, with the image as text inside it", () => {
  const el = renderMarkdown("[![badge](https://img.test/b.svg)](https://example.com/)");
  const links = el.querySelectorAll("a");
  expect(links).toHaveLength(1);
  expect(links[0].getAttribute("href")).toBe("https://example.com/");
  expect(links[0].textContent).toBe("[image: badge]");
  expect(links[0].querySelector("a")).toBeNull();
});

test("an empty code fence is an empty code block", () => {
  const el = renderMarkdown("```\n```\n");
  expect(el.querySelector("pre code")?.textContent).toBe("");
  expect(el.querySelector(".nba-copy")).not.toBeNull();
});

// The display-math tokenizer (js/src/markdown/math_syntax.js, helper B) must only start `\[` at a
// line start.
test("`a\\[b` renders as `a[b`, without a line break", () => {
  expect(renderMarkdown("a\\[b").querySelector("p")?.innerHTML).toBe("a[b");
});
