// One formatting in Python and JS: tests/fixtures/formats.json's cases, also read by
// tests/test_formats.py.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  formatCost,
  formatDuration,
  formatElapsed,
  formatRate,
  formatTokens,
  usageDetails,
  usageText,
} from "../src/base/format.js";
import { detailLines, statusLabel, statusParts } from "../src/panels/status_words.js";
import { stepLines } from "../src/panels/step_lines.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = JSON.parse(readFileSync(join(HERE, "../../tests/fixtures/formats.json"), "utf8"));

describe("formats.json", () => {
  test.each(FIXTURE.duration)("duration %s → %s", (s, expected) => {
    expect(formatDuration(s)).toBe(expected);
  });
  test.each(FIXTURE.elapsed)("elapsed %s → %s", (s, expected) => {
    expect(formatElapsed(s)).toBe(expected);
  });
  test.each(FIXTURE.tokens)("tokens %s (estimated %s) → %s", (n, estimated, expected) => {
    expect(formatTokens(n, estimated)).toBe(expected);
  });
  test.each(FIXTURE.rate)("rate %s (estimated %s) → %s", (rate, estimated, expected) => {
    expect(formatRate(rate, estimated)).toBe(expected);
  });
  test.each(FIXTURE.cost)("cost %s → %s", (usd, expected) => {
    expect(formatCost(usd)).toBe(expected);
  });
  test.each(FIXTURE.usage_text)("usage text %j → %s", (u, expected) => {
    expect(usageText(u)).toBe(expected);
  });
  test.each(FIXTURE.usage_details)("usage details %j → %s", (u, expected) => {
    expect(usageDetails(u)).toBe(expected);
  });
  test.each(FIXTURE.status.map((c) => [c.name, c]))("footer: %s", (_name, c) => {
    expect(statusLabel(c.state)).toBe(c.label);
    expect(statusParts(c.state, c.now)).toEqual(c.parts);
    expect(stepLines(c.state)).toEqual(c.steps);
    expect(detailLines(c.state, c.now)).toEqual(c.details);
  });
});
