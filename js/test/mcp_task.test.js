// An MCP call answered with a task (its block's `meta.task`, nbagent/mcp_client/_tasks.py): the
// tool panel says the task's id, status and message as they change, a bar while it goes on
// (not once its run ended), what nbagent skipped of the server's text, and all of it as text.
import { afterEach, describe, expect, test } from "vitest";
import { taskWords } from "../src/panels/task_view.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

/** @param {ParentNode} root @param {string} sel */
function q(root, sel) {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`no ${sel}`);
  return /** @type {HTMLElement} */ (el);
}

const HOSTILE = '<img src=x onerror="globalThis.pwned=1">';

describe("an MCP call's task", () => {
  test("in words", () => {
    expect(taskWords({ id: "t-1", status: "input_required", message: "who approves?" })).toBe(
      "task t-1 · input required: who approves?",
    );
    expect(taskWords({ id: "t-1", status: "completed" })).toBe("task t-1 · completed");
    expect(taskWords({ status: "working", message: 3 })).toBe("task · working");
  });

  test("is shown in its panel as it changes, its bar only while it goes on", () => {
    const w = mountView(cleanups);
    const task = { id: "task-build-1", status: "working", message: "step 1 of 3" };
    w.snapshot(runningState([toolBlock({ state: "running", result: undefined, meta: { task } })]));
    const line = q(w.el, ".nba-task");
    expect(line.hidden).toBe(false);
    expect(line.dataset.status).toBe("working");
    expect(q(line, ".nba-task-words").textContent).toBe("task task-build-1 · working: step 1 of 3");
    expect(q(line, ".nba-task-bar").hidden).toBe(false);
    expect(q(line, ".nba-task-skipped").hidden).toBe(true);

    const later = { ...task, message: "step 3 of 3" };
    w.ops([{ op: "set", i: 0, set: { meta: { task: later } } }]);
    expect(q(line, ".nba-task-words").textContent).toBe("task task-build-1 · working: step 3 of 3");

    const done = { id: task.id, status: "completed", message: "built" };
    w.ops([{ op: "set", i: 0, set: { meta: { task: done }, state: "done", result: "built" } }]);
    expect(q(line, ".nba-task-words").textContent).toBe("task task-build-1 · completed: built");
    expect(line.dataset.status).toBe("completed");
    expect(q(line, ".nba-task-bar").hidden).toBe(true);
  });

  test("a stopped run's task shows no bar; a plain call has no task line", () => {
    const w = mountView(cleanups);
    const task = { id: "t", status: "working" };
    w.snapshot(runningState([toolBlock({ meta: { task } })], { status: "cancelled" }));
    expect(q(w.el, ".nba-task-bar").hidden).toBe(true);
    const v = mountView(cleanups);
    v.snapshot(runningState([toolBlock()]));
    expect(q(v.el, ".nba-task").hidden).toBe(true);
  });

  test("hostile text stays text, and what was skipped is said", () => {
    const w = mountView(cleanups);
    const task = {
      id: HOSTILE,
      status: `working"><b>x</b>`,
      message: HOSTILE,
      skipped: ["a task snapshot with 'paused' skipped (not a status of MCP tasks)"],
    };
    w.snapshot(runningState([toolBlock({ state: "running", meta: { task } })]));
    const line = q(w.el, ".nba-task");
    expect(line.querySelector("img, b")).toBeNull();
    expect(line.dataset.status).toBe("workingbxb"); // only the letters a status has
    expect(q(line, ".nba-task-words").textContent).toContain(HOSTILE);
    expect(q(line, ".nba-task-skipped").textContent).toBe(
      "skipped: a task snapshot with 'paused' skipped (not a status of MCP tasks)",
    );
    expect(/** @type {any} */ (globalThis).pwned).toBeUndefined();
  });
});
