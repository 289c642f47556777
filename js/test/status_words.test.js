// The status line's words for a paused run and what tok/s is made of (the cases shared with
// Python are in formats.test.js): a paused run says so, its clock stopped.

import { afterEach, describe, expect, test, vi } from "vitest";
import { elapsed, generationS } from "../src/base/numbers.js";
import { detailLines, statusLabel, statusParts } from "../src/panels/status_words.js";
import { runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
});

const q = (/** @type {Element} */ el, /** @type {string} */ s) =>
  /** @type {HTMLElement} */ (el.querySelector(s));

/** A run that streamed 40 tokens from 0.5 s to 1.5 s in, then paused 3 s in. */
const paused = () =>
  runningState([{ type: "text", id: "a", text: "x".repeat(40) }], {
    first_token_at: 1000.5,
    deltas: 40,
    generating_s: 1,
    generating_since: null,
    paused_s: 0,
    paused_since: 1003,
  });

describe("a paused run", () => {
  test("says paused, and its clock and generation stop where it paused", () => {
    const s = paused();
    expect(statusLabel(s)).toBe("paused");
    expect(statusParts(s, 1003.5)).toEqual(["first token 0.50 s", "≈ 40.0 tok/s", "3.0 s"]);
    expect(statusParts(s, 1600)).toEqual(statusParts(s, 1003.5)); // ten minutes on
    expect(elapsed(s, 1600)).toBe(3);
    // A stretch of generation open when it paused stops there too.
    const mid = { ...s, generating_s: 0.5, generating_since: 1002.5 };
    expect(generationS(mid, 1600)).toBe(1);
  });

  test("a call waiting for an answer names it; once answered, the wait is not run time", () => {
    const call = { type: "tool", id: "c1", name: "delete_file", arguments: "{}", state: "paused" };
    const s = { ...paused(), blocks: [...paused().blocks, call] };
    expect(statusLabel(s)).toBe("paused before delete_file");
    const answered = {
      ...s,
      blocks: [...paused().blocks, { ...call, state: "running" }],
      paused_s: 30,
      paused_since: null,
    };
    expect(statusLabel(answered)).toBe("running");
    expect(elapsed(answered, 1034)).toBe(4);
  });

  test("the footer: no spinner, the label and a clock that does not move", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1003_500);
    const w = mountView(cleanups);
    w.snapshot(paused());
    const footer = q(w.el, ".nba-footer");
    const line = () => [q(footer, ".nba-status-label"), q(footer, ".nba-status-parts")];
    expect(line().map((e) => e.textContent)).toEqual([
      "paused",
      "first token 0.50 s · ≈ 40.0 tok/s · 3.0 s",
    ]);
    expect(footer.classList.contains("nba-paused")).toBe(true);
    expect(q(footer, ".nba-spinner").hidden).toBe(true);
    vi.setSystemTime(1063_500); // a minute on
    w.ops([{ op: "run", set: { activity: null } }]);
    expect(q(footer, ".nba-status-parts").textContent).toBe(
      "first token 0.50 s · ≈ 40.0 tok/s · 3.0 s",
    );
    // It goes on: the minute it waited is kept out of its clock.
    w.ops([{ op: "run", set: { paused_s: 60.5, paused_since: null } }]);
    expect(line().map((e) => e.textContent)).toEqual([
      "running",
      "first token 0.50 s · ≈ 40.0 tok/s · 3.0 s",
    ]);
    expect(footer.classList.contains("nba-paused")).toBe(false);
    expect(q(footer, ".nba-spinner").hidden).toBe(false);
  });
});

describe("the details say what tok/s is made of", () => {
  test("tokens counted by the server, estimated from chunks, or none", () => {
    const s = paused();
    expect(detailLines(s, 1003.5)[1]).toBe(
      "≈ 40 output tokens (one per streamed chunk) in 1.00 s of generation",
    );
    const counted = { ...s, usage: { ...s.usage, output_tokens: 38 } };
    expect(detailLines(counted, 1003.5)[1]).toBe("38 output tokens in 1.00 s of generation");
    expect(detailLines(runningState(), 1001)[1]).toBe("no output");
    expect(detailLines(s, 1003.5).join(" ")).not.toMatch(/delta/);
  });
});
