// Issue 37: no text freezes the page. Every family of repeated openers in the hostile corpus
// (tests/fixtures/hostile_repeat.json), at each size, is rendered whole and streamed (by
// characters and by 50-character messages), alone and after a table header, in a worker with
// a watchdog: a render that does not finish fails with the step it was in. Nothing here
// asserts a duration (benchmarks/hostile.py reports them).
import { afterAll, describe, expect, test } from "vitest";
import { CORPUS, expand, Renderer } from "./hostile.js";

/** A hang's budget, for one text rendered three times on a loaded machine. */
const BUDGET_MS = 120_000;
/** Frames per stream, at cuts spread over the text (every phase of a repeated unit). */
const FRAMES = 24;
const renderer = new Renderer();
afterAll(() => renderer.close());

describe.each(CORPUS.families)("$name", (family) => {
  test.each(CORPUS.sizes)(
    "%i characters: whole and streamed, alone and after a table header",
    async (size) => {
      for (const header of ["", CORPUS.header]) {
        const text = header + expand(family, size);
        const where = `${family.name}, ${size} characters${header ? " after a table header" : ""}`;
        const r = await renderer.render(text, FRAMES, BUDGET_MS).catch((e) => {
          renderer.restart();
          throw new Error(`${where}: ${e.message}`);
        });
        expect(r.done, where).toBe(true);
      }
    },
    2 * BUDGET_MS + 10_000,
  );
});
