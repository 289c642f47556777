import { afterEach, expect, test } from "vitest";
import { runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

test("a note shows its title and text as text, live, with its level", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([{ op: "add", block: { type: "text", id: "m1", text: "Booked." } }]);
  w.ops([
    {
      op: "add",
      block: {
        type: "note",
        id: "a2a:question",
        kind: "question",
        level: "info",
        title: "Input required",
        text: "For <b>how</b> many?",
      },
    },
  ]);
  const note = /** @type {HTMLElement} */ (w.el.querySelector(".nba-note"));
  expect(note.tagName).toBe("DIV");
  expect(note.querySelector("b")?.textContent).toBe("Input required");
  expect(note.textContent).toBe("Input requiredFor <b>how</b> many?");
  expect(note.className).toBe("nba-note nba-note-info");
  w.ops([{ op: "set", i: 1, set: { level: "warning", title: "Authentication required" } }]);
  expect(note.className).toBe("nba-note nba-note-warning");
  expect(note.querySelector("b")?.textContent).toBe("Authentication required");
});

test("a compaction's summary streams in under its title; an unknown level is info", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  const block = {
    type: "note",
    id: "c1",
    kind: "compaction",
    level: "info",
    title: "Compacting context",
    text: "",
    status: "in_progress",
  };
  w.ops([{ op: "add", block }]);
  w.ops([{ op: "append", i: 0, key: "text", text: "Kept: the plan" }]);
  w.ops([{ op: "append", i: 0, key: "text", text: " and the test." }]);
  w.ops([{ op: "set", i: 0, set: { title: "Context compacted", status: "completed" } }]);
  const note = /** @type {HTMLElement} */ (w.el.querySelector(".nba-note"));
  expect(note.querySelector("b")?.textContent).toBe("Context compacted");
  expect(note.textContent).toBe("Context compactedKept: the plan and the test.");
  w.ops([{ op: "set", i: 0, set: { level: "x nba-stop" } }]); // a hostile saved state
  expect(note.className).toBe("nba-note nba-note-info");
});
