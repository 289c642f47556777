// An evaluation's previews without their markdown: tests/fixtures/plain_text.json's cases, also
// read by tests/test_evaluate_static.py (the static copy's `plain`), and the one pass it makes
// over hostile text.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { numbers, plain, TEXT } from "../src/widget/evaluation/rows.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = JSON.parse(
  readFileSync(join(HERE, "../../tests/fixtures/plain_text.json"), "utf8"),
);

describe("plain_text.json", () => {
  test.each(FIXTURE.cases)("%j → %j", (text, shown) => {
    expect(plain(text)).toBe(shown);
  });
});

/**
 * `plain(text)`, and how many characters its searches read: each regex match from where it
 * starts to where it ends (to the text's end when none), each `indexOf` from where it starts to
 * what it finds. Its own loop reads each character once; a search per character would read the
 * rest of the text each time. (Backtracking inside one match is not counted: `plain` has no
 * pattern that backtracks.)
 * @param {string} text
 */
function searched(text) {
  const { exec } = RegExp.prototype;
  const { indexOf } = String.prototype;
  let read = 0;
  /** @this {RegExp} @param {string} s */
  RegExp.prototype.exec = function (s) {
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const found = exec.call(this, s);
    read += (found ? found.index + found[0].length : String(s).length) - from;
    return found;
  };
  /** @this {string} @param {string} search @param {number} [from] */
  String.prototype.indexOf = function (search, from = 0) {
    const at = indexOf.call(this, search, from);
    read += (at < 0 ? this.length : at) - from;
    return at;
  };
  try {
    return { shown: plain(text), read };
  } finally {
    RegExp.prototype.exec = exec;
    String.prototype.indexOf = indexOf;
  }
}

describe("a preview", () => {
  test("hostile text: one pass, however many brackets, stars or pipes", () => {
    for (const text of [`${"[".repeat(20000)}](`, "*a".repeat(20000), "](".repeat(20000)]) {
      const { shown, read } = searched(text);
      expect(shown.length).toBeLessThanOrEqual(text.length);
      expect(read).toBeGreaterThanOrEqual(text.length); // the last pass, over spaces, is seen
      expect(read).toBeLessThanOrEqual(8 * text.length); // 4 here; a search per character: 10,000
    }
  });

  test("the input and output cells show their text without markdown", () => {
    const r = {
      i: 0,
      name: "paris",
      input: "# Weather?",
      output: "## A scripted answer\n**Mild**",
    };
    expect(TEXT.input(r)).toBe("paris: Weather?");
    expect(TEXT.output(r)).toBe("A scripted answer Mild");
    expect(TEXT.output({ i: 1, error: "it **broke**" })).toBe("it broke");
    expect(numbers({ i: 0, latency_s: 61, output_tokens: 2000 })).toBe("1 m 01 s\n2,000 tok");
  });
});
