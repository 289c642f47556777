// Where the kernel cannot call a tool again, the panel says so in one line instead of a Re-run
// button, and keeps Copy as code: why is the run's `can_rerun` when it is a string (a stream's, a
// recording's tools), or the call's own `no_rerun` (a hosted tool in a run that can re-run the
// others). The line is text, never markup.
import { afterEach, describe, expect, test } from "vitest";
import { RerunBox } from "../src/panels/rerun.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountLanes, mountView } from "./mount.js";

const ac = new AbortController();
/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const el of [...document.body.children]) el.remove();
});

const STREAM = "Re-run: nbagent cannot reach this tool (read from a stream)";
const HOSTED = "Re-run: nbagent cannot reach this tool (the model's provider runs it)";

/** @param {unknown} canRerun the run's `can_rerun`: true, false, or why not */
function box(canRerun) {
  const sent = /** @type {object[]} */ ([]);
  const actions = {
    send: (/** @type {object} */ m) => sent.push(m),
    canRerun: () => canRerun,
  };
  const b = new RerunBox("c1", actions, ac.signal);
  document.body.append(b.el);
  return { b, sent };
}

/** @param {HTMLElement} el */
const shown = (el) => !el.hidden;

describe("a tool the kernel cannot reach", () => {
  test("a run that cannot reach its tools says why where Re-run would be", () => {
    const { b } = box("read from a stream");
    b.update(toolBlock());
    const note = /** @type {HTMLElement} */ (b.bar.querySelector(".nba-rerun-note"));
    expect(note.textContent).toBe(STREAM);
    expect(shown(b.bar)).toBe(true);
    expect(shown(b.open)).toBe(false);
    expect(shown(b.copy)).toBe(true);
  });

  test("in a run that can re-run, a call it cannot reach (a hosted tool) has the line", () => {
    const { b } = box(true);
    b.update(toolBlock({ no_rerun: "the model's provider runs it" }));
    expect(shown(b.open)).toBe(false);
    expect(b.note.textContent).toBe(HOSTED);
  });

  test("the call's own reason wins over the run's", () => {
    const { b } = box("replayed from a recording");
    b.update(toolBlock({ no_rerun: "the model's provider runs it" }));
    expect(b.note.textContent).toBe(HOSTED);
  });

  test("a call it can reach has the button and no line", () => {
    const { b, sent } = box(true);
    b.update(toolBlock());
    expect(shown(b.open)).toBe(true);
    expect(b.note.textContent).toBe("");
    b.open.click();
    b.run.click();
    expect(sent).toEqual([{ type: "rerun", id: "c1", args: { city: "Paris" } }]);
  });

  test("a run that says nothing (false: a saved view, a viewer) has neither", () => {
    const { b } = box(false);
    b.update(toolBlock());
    expect(shown(b.open)).toBe(false);
    expect(b.note.textContent).toBe("");
  });

  test("the line is text: markup in it stays as typed", () => {
    const { b } = box('<img src=x onerror="globalThis.pwned = 1">');
    b.update(toolBlock({ no_rerun: "<b>bold</b>" }));
    expect(b.note.textContent).toBe("Re-run: nbagent cannot reach this tool (<b>bold</b>)");
    expect(b.el.querySelector("img, b")).toBeNull();
  });

  test("a run's view reads why from the widget's can_rerun", () => {
    const w = mountView(cleanups, { can_rerun: "read from a stream" });
    const state = runningState([toolBlock()], { status: "completed", end_reason: "completed" });
    w.snapshot({ ...state, ended_at: 2 });
    const note = () => w.el.querySelector(".nba-tool .nba-rerun-note")?.textContent;
    const open = () => /** @type {HTMLElement} */ (w.el.querySelector(".nba-rerun-open"));
    expect(note()).toBe(STREAM);
    expect(open().hidden).toBe(true);
    w.model.set("can_rerun", true); // the kernel reached the tools after all: the button, no line
    w.frame();
    expect(note()).toBe("");
    expect(open().hidden).toBe(false);
  });

  test("a lane says why from its metadata", () => {
    const w = mountLanes(cleanups);
    const { blocks: _, ...run } = runningState();
    w.send({
      meta: [[0, { title: "a", can_rerun: "replayed from a recording" }]],
      lanes: [
        [
          0,
          [
            ["r", { ...run, status: "completed" }],
            ["+", toolBlock()],
          ],
        ],
      ],
    });
    const note = w.el.querySelector(".nba-rerun-note");
    expect(note?.textContent).toBe(
      "Re-run: nbagent cannot reach this tool (replayed from a recording)",
    );
  });
});
