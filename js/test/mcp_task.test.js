// An MCP call answered with a task (its block's `meta.task`, nbagent/mcp_client/_tasks.py): the
// tool panel says the task in the kernel's words as it changes, a bar while it goes on (not
// once its run ended), what nbagent skipped of the server's text, and all of it as text.
import { describe, expect, test } from "vitest";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

const cleanups = undoneAfterEach();

const HOSTILE = '<img src=x onerror="globalThis.pwned=1">';

/** @param {string} id @param {string} status @param {string} [message] */
function task(id, status, message) {
  const text = `task ${id} · ${status.replace(/_/g, " ")}${message ? `: ${message}` : ""}`;
  return { id, status, ...(message ? { message } : {}), text };
}

describe("an MCP call's task", () => {
  test("is shown in its panel as it changes, its bar only while it goes on", () => {
    const w = mountView(cleanups);
    const first = task("task-build-1", "working", "step 1 of 3");
    w.snapshot(
      runningState([toolBlock({ state: "running", result: undefined, meta: { task: first } })]),
    );
    const line = q(w.el, ".nba-task");
    expect(line.textContent).toBe("task task-build-1 · working: step 1 of 3");
    expect(line.classList.contains("nba-task-going")).toBe(true);

    const asking = task("task-build-1", "input_required", "who approves?");
    w.ops([{ op: "set", i: 0, set: { meta: { task: asking } } }]);
    expect(line.textContent).toBe("task task-build-1 · input required: who approves?");
    expect(line.classList.contains("nba-task-going")).toBe(true);

    const done = task("task-build-1", "completed", "built");
    w.ops([{ op: "set", i: 0, set: { meta: { task: done }, state: "done", result: "built" } }]);
    expect(line.textContent).toBe("task task-build-1 · completed: built");
    expect(line.classList.contains("nba-task-going")).toBe(false);
  });

  test("a stopped run's task shows no bar; a plain call's line is empty", () => {
    const w = mountView(cleanups);
    const going = task("t", "working");
    w.snapshot(runningState([toolBlock({ meta: { task: going } })], { status: "cancelled" }));
    expect(q(w.el, ".nba-task").classList.contains("nba-task-going")).toBe(false);
    const v = mountView(cleanups);
    v.snapshot(runningState([toolBlock()]));
    expect(q(v.el, ".nba-task").childNodes).toHaveLength(0); // :empty, hidden by panels.css
  });

  test("hostile text stays text, and what was skipped is said", () => {
    const w = mountView(cleanups);
    const shown = {
      ...task(HOSTILE, "working", HOSTILE),
      skipped: ["a task snapshot with 'paused' skipped (not a status of MCP tasks)"],
    };
    w.snapshot(runningState([toolBlock({ state: "running", meta: { task: shown } })]));
    const line = q(w.el, ".nba-task");
    expect(line.querySelector("img")).toBeNull();
    expect(line.textContent).toBe(
      `task ${HOSTILE} · working: ${HOSTILE}\n` +
        "skipped: a task snapshot with 'paused' skipped (not a status of MCP tasks)",
    );
    const odd = { text: { not: "text" }, status: ["working"] };
    w.ops([{ op: "set", i: 0, set: { meta: { task: odd } } }]);
    expect(line.textContent).toBe("[object Object]");
    expect(/** @type {any} */ (globalThis).pwned).toBeUndefined();
  });
});
