// Loading the math chunk on first use (math.js): placeholders show their TeX until it comes,
// then the frozen ones are typeset; the source is asked once. (The code model's Blob URL
// import is tested in Chromium: tests/browser/test_math.py.)
import { expect, test, vi } from "vitest";
import { StreamingMarkdown } from "../src/markdown/markdown.js";
import { newTypesetter } from "../src/markdown/math.js";
import chunk from "../src/markdown/math_chunk.js";

// Each test has a typesetter of its own (a page's, as js/src/widget/index.js makes it), so
// that none leans on what another left in it (tests may run shuffled).

test("the chunk loads on the first formula, once; waiting placeholders are typeset", async () => {
  const math = newTypesetter();
  /** @type {(r: any) => void} */
  let arrive = () => {};
  const source = vi.fn(() => new Promise((resolve) => (arrive = resolve)));
  math.provide(() => Promise.reject(new Error("an older source gives way to the newest")));
  math.provide(/** @type {any} */ (source));

  const plain = new StreamingMarkdown(math);
  plain.set("No math here, it costs $5.", true);
  plain.flush();
  expect(source).not.toHaveBeenCalled(); // nothing to typeset: nothing loaded

  const a = new StreamingMarkdown(math);
  a.set("First $x^2$ here.\n\n$$\n\\frac{1}{2}\n$$\n\nlive $y$", false);
  a.flush();
  const b = new StreamingMarkdown(math);
  b.set("Other \\(z\\).", true);
  b.flush();
  expect(source).toHaveBeenCalledTimes(1);
  expect(math.ready()).toBe(false);
  // Until the chunk arrives, the TeX shows as plain placeholders.
  expect(a.frozenEl.querySelector("code.nb-math")?.textContent).toBe("x^2");
  expect(a.el.querySelector("math")).toBeNull();

  arrive(chunk);
  await math.load();
  await math.settled(); // new formulas past the time budget come on the next task
  expect(math.ready()).toBe(true);
  expect(a.frozenEl.querySelectorAll("code.nb-math")).toHaveLength(0);
  expect(a.frozenEl.querySelectorAll("math")).toHaveLength(2);
  expect(b.el.querySelectorAll("math")).toHaveLength(1);
  // The live block is typeset on its next flush.
  a.append(" more");
  a.flush();
  await math.settled();
  expect(a.liveEl.querySelector("math")).not.toBeNull();
  expect(source).toHaveBeenCalledTimes(1);
});

test("new formulas past the time budget wait for the next task; cached ones never wait", async () => {
  const math = newTypesetter();
  math.use(chunk);
  const before = new StreamingMarkdown(math);
  before.set("First $x^2$ here.", true);
  before.flush();
  await math.settled();
  expect(before.el.querySelectorAll("math")).toHaveLength(1);
  math.setBudget(0); // the first new formula of a call renders, the others wait
  const s = new StreamingMarkdown(math);
  s.set("$a_1$ $a_2$ $a_3$ and $x^2$ again", true);
  s.flush();
  // $x^2$ is cached (typeset above): done at once, like the first new one.
  expect(s.el.querySelectorAll("math")).toHaveLength(2);
  expect([...s.el.querySelectorAll("code.nb-math")].map((c) => c.textContent)).toEqual([
    "a_2",
    "a_3",
  ]);
  await math.settled();
  expect(s.el.querySelectorAll("math")).toHaveLength(4);
  expect(s.el.querySelector("code.nb-math")).toBeNull();
});
