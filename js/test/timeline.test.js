// The timeline: tests/fixtures/timeline.json's rows (also read by tests/test_timeline.py), the
// status line's toggle, live updates and lanes.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test, vi } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import {
  hasTiming,
  rowCells,
  timelineAxis,
  timelineLegend,
  timelineRows,
} from "../src/panels/timeline.js";
import { runningState } from "./fake-model.js";
import { mountLanes, mountView } from "./mount.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** @type {{name: string, state: any, now: number | null, rows: any[], cells: any[], axis: any}[]} */
const CASES = JSON.parse(readFileSync(join(HERE, "../../tests/fixtures/timeline.json"), "utf8"));

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
});

const q = (/** @type {Element} */ el, /** @type {string} */ s) =>
  /** @type {HTMLElement} */ (el.querySelector(s));

describe("rows, as in Python", () => {
  test.each(CASES.map((c) => [c.name, c]))("%s", (_, c) => {
    const rows = timelineRows(c.state, c.now);
    expect(rows).toEqual(c.rows);
    expect(rows.map(rowCells)).toEqual(c.cells);
    expect(rows.length ? timelineAxis(rows) : null).toEqual(c.axis);
    // The legend's words, as the static copy's (nbagent/transcript/export/timeline.py).
    const { keys, note } = timelineLegend(rows);
    const faded = note.startsWith("faded: ") ? [note.split(" · ")[0]] : [];
    expect(rows.length ? [...keys.map(([, words]) => words), ...faded] : []).toEqual(c.legend);
  });

  test("the legend names the kinds of bars shown, failed ones, and faded ones", () => {
    /** @param {Partial<import("../src/panels/timeline.js").Row>} r */
    const row = (r) => /** @type {import("../src/panels/timeline.js").Row} */ (r);
    const done = timelineLegend([row({ kind: "model", state: "done" })]);
    expect(done).toEqual({
      keys: [["model", "model call"]],
      note: "after each bar: its time, tokens in and out, cost (where known)",
    });
    const all = timelineLegend([
      row({ kind: "agent", state: "done" }),
      row({ kind: "tool", state: "error" }),
      row({ kind: "model", state: "cancelled" }),
    ]);
    expect(all.keys.map(([, words]) => words)).toEqual([
      "model call",
      "tool call",
      "sub-agent",
      "failed",
    ]);
    expect(all.note).toMatch(/^faded: still running or stopped · /);
  });

  test("only a state with timed steps or calls has a timeline", () => {
    const timed = CASES.filter((c) => hasTiming(c.state)).map((c) => c.name);
    expect(timed).toEqual(CASES.filter((c) => c.rows.length).map((c) => c.name));
  });
});

/** The fixture's weather demo stopped while its two tool calls run, re-timed to `t0`. */
function parallelState(/** @type {number} */ t0) {
  const c = CASES.find((x) => x.name === "weather demo, parallel tools running");
  const state = structuredClone(c?.state);
  const shift = t0 - state.started_at;
  /** @param {any} o */
  const move = (o) => {
    for (const k of ["started_at", "ended_at", "args_done_at", "first_token_at"])
      if (typeof o[k] === "number") o[k] += shift;
  };
  move(state);
  for (const s of state.steps) move(s);
  for (const b of state.blocks) move(b);
  return state;
}

/** @param {Element} bar the bar's place on the axis, in percent */
const box = (bar) => ({
  left: parseFloat(bar.getAttribute("x") ?? ""),
  width: parseFloat(bar.getAttribute("width") ?? ""),
});

describe("the view", () => {
  test("the toggle shows the bars, keeps the choice for a new view, and a live bar grows", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(2_000_000_000_000);
    const now = Date.now() / 1000;
    const w = mountView(cleanups);
    w.snapshot(parallelState(now - 2));
    const toggle = q(w.el, ".nba-status > .nba-timeline-toggle");
    expect(toggle.nextElementSibling?.className).toBe("nba-details-toggle");
    expect(toggle.hidden).toBe(false);
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    const timeline = q(w.el, ".nba-timeline");
    expect(timeline.hidden).toBe(true);
    // Between the transcript and the footer.
    expect(timeline.previousElementSibling?.className).toBe("nba-body");
    expect(timeline.nextElementSibling?.className).toContain("nba-footer");

    toggle.click();
    w.frame();
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(timeline.hidden).toBe(false);
    const rows = [...timeline.querySelectorAll(".nba-tl-row")];
    expect(rows.map((r) => r.className)).toEqual([
      "nba-tl-row nba-tl-model nba-tl-done",
      "nba-tl-row nba-tl-tool nba-tl-running",
      "nba-tl-row nba-tl-tool nba-tl-running",
    ]);
    expect(q(rows[0], ".nba-tl-label").textContent).toBe("demo-model");
    expect(q(rows[0], ".nba-tl-nums").textContent).toBe("1.69 s · in 334 · out 48 tokens");
    expect(rows[0].getAttribute("title")).toBe(
      "demo-model (done) 0.00 s → 1.69 s · in 334 · out 48 tokens",
    );
    // The legend: what each colour is, for the rows shown, and what the numbers are.
    const legend = q(timeline, ".nba-tl-legend");
    expect(legend.previousElementSibling?.className).toBe("nba-tl-rows");
    expect([...legend.querySelectorAll(".nba-tl-key")].map((k) => k.className)).toEqual([
      "nba-tl-key nba-tl-model",
      "nba-tl-key nba-tl-tool",
    ]);
    expect(legend.textContent).toBe(
      " model call tool call" +
        "faded: still running or stopped · after each bar: its time, tokens in and out, cost (where known)",
    );
    // Each swatch is a bar of its kind's colour (the stylesheet's rule for the row's bar).
    expect(legend.querySelectorAll(".nba-tl-key .nba-tl-track > .nba-tl-bar").length).toBe(2);
    const [a, b] = rows.slice(1).map((r) => box(q(r, ".nba-tl-bar")));
    expect(a.left < b.left + b.width && b.left < a.left + a.width).toBe(true); // overlap
    expect(violations(w.el)).toEqual([]); // no inline style, only the timeline's own SVG
    expect([...timeline.querySelectorAll(".nba-tl-ticks text")].map((t) => t.textContent)).toEqual([
      "0.0 s",
      "0.5 s",
      "1.0 s",
      "1.5 s",
      "2.0 s",
    ]);

    // Time passes with no event: the next frame draws the running calls longer.
    const before = box(q(rows[1], ".nba-tl-bar"));
    vi.setSystemTime(Date.now() + 3000);
    w.frame();
    const after = box(q(rows[1], ".nba-tl-bar"));
    expect(after.width).toBeGreaterThan(before.width);
    // No tokens, no cost: left out (the legend says "where known"), not dashes.
    expect(q(rows[1], ".nba-tl-nums").textContent).toMatch(/^3\.\d\d s$/);

    // A result comes: that call stops; a re-created view keeps the reader's choice.
    const ended = Date.now() / 1000;
    w.ops([{ op: "set", i: 1, set: { state: "done", ended_at: ended, duration_s: 0.5 } }]);
    expect(rows[1].className).toBe("nba-tl-row nba-tl-tool nba-tl-done");
    expect(q(rows[1], ".nba-tl-nums").textContent).toBe("0.50 s");
    // One call still runs: the legend still explains the faded bar; once none does, not.
    expect(q(timeline, ".nba-tl-note").textContent).toMatch(/^faded: still running/);
    w.view.destroy();
    const again = w.mk();
    w.frame();
    expect(q(again.root, ".nba-timeline").hidden).toBe(false);
    expect(q(again.root, ".nba-timeline-toggle").getAttribute("aria-pressed")).toBe("true");
  });

  test("a plain text stream offers no timeline", () => {
    const w = mountView(cleanups);
    const plain = CASES.find((c) => c.name === "plain text: no timing rows")?.state;
    w.snapshot(plain);
    expect(q(w.el, ".nba-timeline-toggle").hidden).toBe(true);
    expect(q(w.el, ".nba-timeline").hidden).toBe(true);
  });
});

describe("lanes", () => {
  test("each lane's status line has its own toggle and timeline", () => {
    const { model, el, frame } = mountLanes(cleanups);
    const weather = CASES[0].state;
    model.msg({
      type: "snapshot",
      seq: 1,
      now: Date.now() / 1000,
      lanes: [
        { meta: { title: "a" }, state: weather },
        { meta: { title: "b" }, state: { ...runningState(), status: "completed" } },
      ],
    });
    frame();
    const lanes = el.querySelectorAll(".nba-lanes > .nba-lane");
    expect(lanes.length).toBe(2);
    expect(q(lanes[1], ".nba-timeline-toggle").hidden).toBe(true); // nothing timed
    q(lanes[0], ".nba-timeline-toggle").click();
    frame();
    expect(q(lanes[0], ".nba-timeline").hidden).toBe(false);
    expect(lanes[0].querySelectorAll(".nba-tl-row").length).toBe(4);
    expect(q(lanes[1], ".nba-timeline").hidden).toBe(true);
  });
});
