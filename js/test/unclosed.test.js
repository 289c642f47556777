import { Marked } from "marked";
import { describe, expect, test } from "vitest";
import { hideUnclosed } from "../src/markdown.js";

// marked as it is, and with the runs that cannot be closed hidden from its emphasis scan.
const plain = new Marked({ gfm: true });
const hiding = new Marked({ gfm: true, hooks: { emStrongMask: hideUnclosed } });

/** A seeded generator (mulberry32): the same texts on every run. @param {number} seed */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every kind of neighbour marked's emphasis rules tell apart, and what it masks itself.
const ALPHABET = ["*", "*", "_", "_", "a", "b", " ", ".", "~", "`", "[", "]", "(", ")", "\\", "é", "😀", "\n", "+", "<"];

describe("runs of * and _ that cannot be closed, hidden from marked's emphasis scan", () => {
  test("change nothing marked renders: 20,000 random texts", () => {
    const next = random(29);
    let differ = 0;
    /** @type {string[]} */
    const examples = [];
    for (let n = 0; n < 20_000; n++) {
      const len = 1 + Math.floor(next() * 14);
      let text = "";
      for (let i = 0; i < len; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
      const want = plain.parseInline(text);
      if (hiding.parseInline(text) !== want) {
        differ++;
        if (examples.length < 5) examples.push(text);
      }
    }
    expect(examples).toEqual([]);
    expect(differ).toBe(0);
  });

  test.each([
    ["**_a ", "**_a"],
    ["_a_b ", "_a_b"],
  ])("%j repeated: what marked renders, each run hidden", (unit) => {
    const text = unit.repeat(500);
    expect(hiding.parseInline(text)).toBe(plain.parseInline(text));
    const masked = hideUnclosed(text);
    expect(masked).not.toMatch(/[*_]/);
  });

  test("a run that may close stays, with every run before it", () => {
    expect(hideUnclosed("_a*_b*_ _x")).toBe("_a*_b*_ +x");
    expect(hideUnclosed("**a** **b")).toBe("**a** ++b");
    expect(hideUnclosed("snake_case_name")).toBe("snake+case+name");
  });
});
