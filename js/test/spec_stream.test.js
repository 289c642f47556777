// Every CommonMark and GFM spec example, streamed in random 1–7-character chunks and
// character by character, ends with exactly the DOM of the whole-document render. (629 of GFM's
// 673 examples are CommonMark's text again: those stream character by character once, as
// CommonMark's, the same input to the same renderer.)
import { describe, expect, test } from "vitest";
import { renderMarkdown } from "../src/markdown/markdown.js";
import { rng } from "./random.js";
import commonmark from "./spec/commonmark-0.31.2.json";
import gfm from "./spec/gfm-85d8952.json";
import { parts } from "./spec/parts.js";
import { streamAppends } from "./streamed.js";

/** @param {string} src @param {number[]} cuts */
const streamed = (src, cuts) => streamAppends(src, cuts).el.innerHTML;

/** @param {string} src @param {() => number} r */
const randomCuts = (src, r) => {
  const cuts = [];
  for (let i = 1 + Math.floor(r() * 7); i < src.length; i += 1 + Math.floor(r() * 7)) cuts.push(i);
  return cuts;
};

/** @param {string} src */
const everyChar = (src) => Array.from({ length: src.length }, (_, i) => i + 1);

/**
 * The most examples a test streams: a part each (under a second), so that a test's budget holds
 * on a loaded machine: the whole spec in one took 15–18 s, past its 240 s at 8 busy loops; whole
 * sections, 67–86 s there for the longest.
 */
const PART = 12;

/** The texts CommonMark's examples stream character by character. */
const commonmarkTexts = new Set(commonmark.map((ex) => ex.markdown));

for (const [name, examples, streamedByChar] of [
  ["CommonMark 0.31.2", commonmark, new Set()],
  ["GFM 0.29", gfm, commonmarkTexts],
]) {
  describe(`${name}: streamed render equals whole render`, () => {
    test.each(parts(examples, PART))(
      "%s: every example, random 1–7-character chunks and character by character",
      (_name, part) => {
        /** @type {string[]} */
        const failed = [];
        for (const ex of part) {
          const whole = renderMarkdown(ex.markdown).innerHTML;
          const r = rng(ex.number * 7919 + 1);
          if (streamed(ex.markdown, randomCuts(ex.markdown, r)) !== whole)
            failed.push(`${ex.number} chunks`);
          if (
            !streamedByChar.has(ex.markdown) &&
            streamed(ex.markdown, everyChar(ex.markdown)) !== whole
          )
            failed.push(`${ex.number} chars`);
        }
        expect(failed).toEqual([]);
      },
    );
  });
}

test("CRLF line endings: a sample of examples streamed with \\r\\n equals the whole render", () => {
  /** @type {number[]} */
  const failed = [];
  for (const ex of commonmark.filter((_, i) => i % 5 === 0)) {
    const src = ex.markdown.replace(/\n/g, "\r\n");
    const whole = renderMarkdown(src).innerHTML;
    if (whole !== renderMarkdown(ex.markdown).innerHTML) failed.push(-ex.number);
    if (streamed(src, everyChar(src)) !== whole) failed.push(ex.number);
  }
  expect(failed).toEqual([]);
}, 120_000);
