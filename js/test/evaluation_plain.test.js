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

describe("a preview", () => {
  test("hostile text: one pass, however many brackets, stars or pipes", () => {
    for (const text of [`${"[".repeat(20000)}](`, "*a".repeat(20000), "](".repeat(20000)]) {
      const t0 = performance.now();
      expect(plain(text).length).toBeLessThanOrEqual(text.length);
      expect(performance.now() - t0).toBeLessThan(2000); // quadratic: minutes
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
