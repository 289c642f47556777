// A tool call paused before it runs (issue 19, P): the panel offers the block's `actions`,
// keeps bad JSON local, sends `pause_answer`, disables its buttons until the state changes,
// shows a code hint when nbagent cannot resume the call, and, saved, no live buttons.
import { describe, expect, test } from "vitest";
import { useAnswerChunk } from "../src/base/answer.js";
import answerChunk from "../src/panels/answer_chunk.js";
import { readPayload, renderSaved } from "../src/view/saved.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

// The answers' code (a lazy chunk in a page: js/src/panels/pause.js) is here at once.
useAnswerChunk(answerChunk);

const cleanups = undoneAfterEach();

const ACTIONS = ["run", "edit", "mock", "deny"];

/** @param {Record<string, unknown>} extra */
const paused = (extra = {}) =>
  toolBlock({
    state: "paused",
    result: null,
    is_error: false,
    pause: { actions: ACTIONS, origin: "breakpoint", hint: null, schema: null },
    ...extra,
  });

/** @param {ParentNode} root */
const shownButtons = (root) =>
  [...root.querySelectorAll(".nba-pause-bar:not([hidden]) button")]
    .filter((b) => !(/** @type {HTMLElement} */ (b).hidden))
    .map((b) => b.textContent);

const answers = (/** @type {any} */ w) => w.model.sent.filter((m) => m.type === "pause_answer");

describe("a paused tool call", () => {
  test("a viewer of a served app sees it wait for the author, with no buttons", () => {
    const w = mountView(cleanups, { page_actions: false });
    w.snapshot(runningState([paused()]));
    const panel = q(w.el, ".nba-tool");
    expect(q(panel, ".nba-meta").textContent).toContain(
      "paused — waiting for the notebook's author",
    );
    expect(q(panel, ".nba-pause-head").textContent).toContain("waiting for the notebook's author");
    expect(shownButtons(panel)).toEqual([]);
    expect(q(panel, ".nba-pause-hint").hidden).toBe(true);
  });

  test("opens, says it waits, and offers the block's actions only", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([paused()]));
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    expect(panel.open).toBe(true);
    expect(panel.classList.contains("nba-paused")).toBe(true);
    expect(q(panel, ".nba-meta").textContent).toContain("paused — waiting for you");
    expect(q(panel, ".nba-state svg").getAttribute("class")).toContain("nba-icon-pause");
    expect(q(panel, ".nba-pause-head").textContent).toContain("waiting for you");
    expect(shownButtons(panel)).toEqual(["Run", "Edit arguments", "Mock result", "Deny"]);
    w.ops([{ op: "set", i: 0, set: { pause: { actions: ["run", "deny"], origin: "vercel-ui" } } }]);
    expect(shownButtons(panel)).toEqual(["Run", "Deny"]);
    expect(q(panel, ".nba-pause-head").textContent).toContain("(vercel-ui)");
  });

  test("a question asked mid-call says so, and its answer starts from the kernel's fields", () => {
    const w = mountView(cleanups);
    const pause = {
      actions: ["edit", "deny"],
      origin: null,
      head: "The server asks: Who is asking? (Edit arguments: the answer; Deny: decline)",
      fill: { name: null, tea: false },
    };
    w.snapshot(runningState([paused({ args: { city: "Oslo" }, pause })]));
    const panel = q(w.el, ".nba-tool");
    expect(q(panel, ".nba-pause-head").textContent).toBe(`${pause.head} — waiting for you`);
    expect(shownButtons(panel)).toEqual(["Edit arguments", "Deny"]);
    q(panel, ".nba-pause-edit").click();
    const input = /** @type {HTMLTextAreaElement} */ (q(panel, ".nba-pause-input"));
    expect(JSON.parse(input.value)).toEqual({ name: null, tea: false });
    input.value = '{"name": "Ada"}';
    q(panel, ".nba-pause-submit").click();
    expect(answers(w)).toEqual([
      { type: "pause_answer", id: "c1", action: "run", args: { name: "Ada" } },
    ]);
  });

  test("Run sends the answer and disables the buttons until the state changes", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([paused()]));
    const run = /** @type {HTMLButtonElement} */ (q(w.el, ".nba-pause-run"));
    run.click();
    expect(answers(w)).toEqual([{ type: "pause_answer", id: "c1", action: "run" }]);
    expect(run.disabled).toBe(true);
    expect(/** @type {HTMLButtonElement} */ (q(w.el, ".nba-pause-deny")).disabled).toBe(true);
    w.ops([{ op: "set", i: 0, set: { pause: { ...paused().pause, error: "city: required" } } }]);
    expect(run.disabled).toBe(false);
    expect(q(w.el, ".nba-pause-error").textContent).toBe("city: required");
    expect(q(w.el, ".nba-pause-error").hidden).toBe(false);
  });

  test("Edit arguments: bad JSON is shown at once and nothing is sent; good JSON runs", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([paused()]));
    q(w.el, ".nba-pause-edit").click();
    const input = /** @type {HTMLTextAreaElement} */ (q(w.el, ".nba-pause-input"));
    expect(JSON.parse(input.value)).toEqual({ city: "Paris" });
    expect(input.getAttribute("aria-label")).toBe("Arguments (JSON)");
    input.value = "{city: 'Oslo'}";
    input.dispatchEvent(new Event("input"));
    expect(q(w.el, ".nba-pause-error").textContent).toContain("Not valid JSON");
    q(w.el, ".nba-pause-submit").click();
    input.value = "[1]";
    q(w.el, ".nba-pause-submit").click();
    expect(q(w.el, ".nba-pause-error").textContent).toContain("JSON object");
    expect(answers(w)).toEqual([]);
    input.value = '{"city": "Oslo"}';
    input.dispatchEvent(new Event("input"));
    expect(q(w.el, ".nba-pause-error").hidden).toBe(true);
    q(w.el, ".nba-pause-submit").click();
    expect(answers(w)).toEqual([
      { type: "pause_answer", id: "c1", action: "run", args: { city: "Oslo" } },
    ]);
  });

  test("Mock result and Deny send the typed text", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([paused()]));
    q(w.el, ".nba-pause-mock").click();
    const input = /** @type {HTMLTextAreaElement} */ (q(w.el, ".nba-pause-input"));
    expect(input.value).toBe("");
    input.value = "sunny";
    q(w.el, ".nba-pause-submit").click();
    w.ops([{ op: "set", i: 0, set: { pause: { ...paused().pause, error: "x" } } }]);
    q(w.el, ".nba-pause-deny").click();
    input.value = " too slow ";
    q(w.el, ".nba-pause-submit").click();
    expect(answers(w)).toEqual([
      { type: "pause_answer", id: "c1", action: "mock", result: "sunny" },
      { type: "pause_answer", id: "c1", action: "deny", reason: "too slow" },
    ]);
  });

  test("with no actions, the hint is a code box with Copy, and no buttons", async () => {
    const w = mountView(cleanups);
    const hint = "run.resume(approve=True) <img src=x>";
    w.snapshot(runningState([paused({ pause: { actions: [], origin: "langgraph", hint } })]));
    expect(shownButtons(w.el)).toEqual([]);
    expect(q(w.el, ".nba-pause-bar").hidden).toBe(true);
    expect(q(w.el, ".nba-pause-hint code").textContent).toBe(hint);
    expect(w.el.querySelector("img")).toBeNull();
    /** @type {string[]} */
    const copied = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (/** @type {string} */ t) => void copied.push(t) },
    });
    q(w.el, ".nba-pause-copy").click();
    await new Promise((r) => setTimeout(r, 0));
    expect(copied).toEqual([hint]);
  });

  test("answered: how it went on, and the arguments the model asked for", () => {
    const w = mountView(cleanups);
    const answer = { action: "run", edited: true };
    w.snapshot(
      runningState([
        paused({
          state: "done",
          pause: null,
          answer,
          args: { city: "Oslo" },
          asked_args: { city: "Paris" },
          result: "4",
        }),
      ]),
    );
    expect(q(w.el, ".nba-pause-answer").textContent).toBe(
      'Run with edited arguments; asked: {"city":"Paris"}',
    );
    expect(q(w.el, ".nba-pause-bar").hidden).toBe(true);
    expect(q(w.el, ".nba-pause-head").hidden).toBe(true);
  });

  test("a saved notebook shows how calls were answered, and no live buttons", () => {
    const el = document.createElement("div");
    document.body.append(el);
    const denied = paused({
      state: "done",
      pause: null,
      answer: { action: "deny", edited: false, reason: "no" },
      denied: true,
      result: "The user denied this call: no",
    });
    // Saved while the second call waited: no kernel can answer it, it ended with the page.
    const state = runningState([denied, paused({ id: "c2" })]);
    const stop = renderSaved(el, readPayload({ version: 1, runs: [{ title: null, state }] }));
    cleanups.push(stop, () => el.remove());
    expect(q(el, ".nba-pause-answer").textContent).toBe("Denied: no");
    expect(shownButtons(el)).toEqual([]);
    const panels = el.querySelectorAll(".nba-tool");
    expect(panels[1].classList.contains("nba-cancelled")).toBe(true);
    expect(q(panels[1], ".nba-meta").textContent).not.toContain("waiting");
    expect(q(panels[1], ".nba-pause").hidden).toBe(true);
  });
});
