import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { LaneSet } from "../src/store/lanes.js";
import { Store } from "../src/store/store.js";
import { connect } from "../src/store/sync.js";
import {
  HOST_EVENT,
  OUTPUT_EVENT,
  PayloadError,
  readPayload,
  renderSaved,
  TRANSCRIPT_MIME,
} from "../src/view/saved.js";
import { TranscriptView } from "../src/view/view.js";
import { FakeModel, runningState } from "./fake-model.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const HOSTILE = JSON.parse(readFileSync(join(HERE, "../../tests/fixtures/hostile.json"), "utf8"));

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** @param {Record<string, any>} [extra] */
function finished(extra = {}) {
  return runningState(
    [
      { type: "thinking", id: "t1", text: "let me think", started_at: 1000, ended_at: 1001 },
      {
        type: "tool",
        id: "c1",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
        args: { city: "Paris" },
        state: "done",
        result: "18°C",
        duration_s: 0.3,
      },
      { type: "text", id: "m1", text: "It is **18°C** in Paris." },
    ],
    { status: "completed", end_reason: "completed", ended_at: 1002, ...extra },
  );
}

/** @param {any[]} runs */
const payload = (runs, layout = "single") => ({ version: 1, layout, model_id: "abc", runs });

/** @param {any} data */
function mountSaved(data) {
  const el = document.createElement("div");
  document.body.append(el);
  const unrender = renderSaved(el, readPayload(data));
  cleanups.push(() => {
    unrender();
    el.remove();
  });
  return el;
}

describe("readPayload", () => {
  test("keeps what the view needs and fills what is missing", () => {
    const p = readPayload({ version: 1, runs: [{ state: { blocks: [null, { type: "text" }] } }] });
    expect(p.layout).toBe("single");
    expect(p.model_id).toBeNull();
    expect(p.runs[0]).toEqual({ title: null, prompt: null, state: { blocks: [{ type: "text" }] } });
    expect(p.inModel).toBe(false);
  });

  test("states left to the widget's model (the kernel's display update) read as inModel", () => {
    const runs = [{ title: "a", prompt: null, state: null }];
    const p = readPayload({ version: 1, model_id: "m1", runs });
    expect(p.inModel).toBe(true);
    expect(p.runs).toEqual([]);
    // Without a model to hold them, a missing state is an error, as before.
    expect(() => readPayload({ version: 1, model_id: null, runs })).toThrow("has no state");
  });

  test.each([
    [null, "not a JSON object"],
    [{ version: 2, runs: [] }, "version 2 is not 1"],
    [{ version: 1 }, "has no runs"],
    [{ version: 1, runs: [{ state: {} }] }, "run 1 of the transcript has no state"],
    [{ version: 1, model_id: "m", runs: [{ state: null }, { state: {} }] }, "run 1 of"],
  ])("rejects %j", (data, message) => {
    expect(() => readPayload(data)).toThrow(PayloadError);
    expect(() => readPayload(data)).toThrow(message);
  });
});

describe("renderSaved", () => {
  test("renders a run with the widget's own markup: title, panels, markdown, status", () => {
    const el = mountSaved(payload([{ title: "Weather", prompt: null, state: finished() }]));
    const root = /** @type {HTMLElement} */ (el.querySelector(".nbagent"));
    expect(root.querySelector(".nba-title")?.textContent).toBe("Weather");
    const panels = [...root.querySelectorAll("details.nba-panel")];
    expect(panels.map((p) => p.className)).toEqual([
      "nba-panel nba-thinking",
      "nba-panel nba-tool nba-done",
    ]);
    // Collapsed once answered, like the live widget; the user can open them.
    expect(panels.map((p) => /** @type {HTMLDetailsElement} */ (p).open)).toEqual([false, false]);
    expect(root.querySelector(".nba-tool-name")?.textContent).toBe("get_weather");
    expect(root.querySelector(".nba-text strong")?.textContent).toBe("18°C");
    expect(root.querySelector(".nba-status-label")?.textContent).toBe("completed");
    const stop = /** @type {HTMLButtonElement} */ (root.querySelector(".nba-stop"));
    expect(stop.hidden).toBe(true);
    expect(root.querySelector(".nba-prompt")).toBeNull();
  });

  test("a chat shows its turns under their prompts, without an input box", () => {
    const el = mountSaved(
      payload(
        [
          { title: "A", prompt: "first <b>question</b>", state: finished() },
          { title: null, prompt: "second", state: finished({ title: "from state" }) },
        ],
        "chat",
      ),
    );
    const turns = [...el.querySelectorAll(".nba-turns > .nba-turn")];
    expect(turns.length).toBe(2);
    expect(turns.map((t) => t.querySelector(".nba-prompt")?.textContent)).toEqual([
      "first <b>question</b>",
      "second",
    ]);
    expect(turns[0].querySelector(".nba-prompt b")).toBeNull(); // text, never markup
    expect(turns.map((t) => t.querySelector(".nbagent > .nba-title")?.textContent)).toEqual([
      "A",
      "from state",
    ]);
    expect(el.querySelector(".nba-chat-text")).toBeNull();
  });

  test("lanes sit side by side, each under its name", () => {
    const el = mountSaved(
      payload(
        [
          { title: "big", prompt: null, state: finished() },
          { title: "small", prompt: null, state: finished() },
        ],
        "lanes",
      ),
    );
    const lanes = [...el.querySelectorAll(".nba-lanes > .nba-lane")];
    expect(lanes.map((l) => l.querySelector(".nba-title")?.textContent)).toEqual(["big", "small"]);
  });

  test("a run saved mid-stream says it never ended instead of spinning", () => {
    const el = mountSaved(payload([{ title: null, prompt: null, state: runningState() }]));
    const label = el.querySelector(".nba-status-label")?.textContent ?? "";
    expect(label).toContain("saved before this run ended");
    expect(/** @type {HTMLElement} */ (el.querySelector(".nba-stop")).hidden).toBe(true);
    expect(
      /** @type {HTMLElement} */ (el.querySelector(".nba-footer > .nba-status .nba-spinner"))
        .hidden,
    ).toBe(true);
  });

  test("hostile text in every field stays text", () => {
    const state = runningState(
      [
        { type: "thinking", id: "t", text: HOSTILE[7] },
        {
          type: "tool",
          id: "c",
          name: HOSTILE[0],
          arguments: HOSTILE[4],
          state: "error",
          is_error: true,
          result: HOSTILE[6],
        },
        ...HOSTILE.map((/** @type {string} */ text, /** @type {number} */ i) => ({
          type: "text",
          id: `m${i}`,
          text,
        })),
      ],
      { status: "error", error: { message: HOSTILE[1] }, title: HOSTILE[8] },
    );
    const el = mountSaved(payload([{ title: HOSTILE[5], prompt: HOSTILE[2], state }]));
    expect(violations(el)).toEqual([]);
    expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined();
    expect(el.querySelector(".nba-prompt")?.textContent).toBe(HOSTILE[2]);
  });
});

describe("the run's output data", () => {
  /** A finished run's view, detached, with a manual frame queue. */
  function finishedView() {
    const model = new FakeModel({ snapshot: { seq: 3, state: finished() } });
    const store = new Store();
    cleanups.push(connect(store, /** @type {any} */ (model)));
    /** @type {FrameRequestCallback[]} */
    let frames = [];
    const el = document.createElement("div");
    const view = new TranscriptView(store, /** @type {any} */ (model), el, {
      raf: (cb) => frames.push(cb),
      cancelRaf: () => {},
      soon: (cb) => void frames.push(cb),
    });
    cleanups.push(() => view.destroy());
    const runFrames = () => {
      const due = frames;
      frames = [];
      for (const cb of due) cb(0);
    };
    return { model, store, el, runFrames };
  }

  test("with no host that saves it, nothing is asked of the kernel", () => {
    const { model, el, runFrames } = finishedView();
    document.body.append(el);
    cleanups.push(() => el.remove());
    runFrames();
    runFrames();
    expect(model.sent).toEqual([]);
  });

  test("a host claims it: the view asks once, then hands the kernel's answer up once", () => {
    const { model, store, el, runFrames } = finishedView();
    /** @type {unknown[]} */
    const got = [];
    const claim = (/** @type {Event} */ e) => e.preventDefault();
    const take = (/** @type {Event} */ e) => got.push(/** @type {CustomEvent} */ (e).detail);
    document.body.addEventListener(HOST_EVENT, claim);
    document.body.addEventListener(OUTPUT_EVENT, take);
    cleanups.push(() => {
      document.body.removeEventListener(HOST_EVENT, claim);
      document.body.removeEventListener(OUTPUT_EVENT, take);
    });
    runFrames(); // detached: it waits for the document
    expect(model.sent).toEqual([]);
    document.body.append(el);
    cleanups.push(() => el.remove());
    runFrames();
    expect(model.sent).toEqual([{ type: "output", have: [] }]);
    const head = { version: 1, layout: "single", model_id: "m1", title: null, html: "", text: "" };
    const part = { title: "T", prompt: null, html: "<p>done</p>", text: "done" };
    model.msg({ type: "output", seq: 3, head, parts: [[0, 3, part]] });
    const data = {
      [TRANSCRIPT_MIME]: {
        version: 1,
        layout: "single",
        model_id: "m1",
        title: null,
        runs: [{ title: "T", prompt: null, state: store.state }],
      },
      "text/html": "<p>done</p>",
      "text/plain": "done",
    };
    expect(store.output).toEqual({ seq: 3, data });
    runFrames();
    expect(got).toEqual([{ data }]);
    model.msg({ type: "output", head: "not an object", parts: [], seq: 3 });
    runFrames();
    runFrames();
    expect(got.length).toBe(1);
    expect(model.sent.length).toBe(1);
    // The state changed after the end (a tool re-run): asked again, for the new state, saying
    // which static part it holds; the answer's new part replaces it.
    model.msg({ type: "ops", seq: 4, ops: [["r", { activity: "re-run" }]] });
    runFrames();
    expect(model.sent[1]).toEqual({ type: "output", have: [[0, 3]] });
    model.msg({ type: "output", seq: 4, head, parts: [[0, 4, { ...part, text: "again" }]] });
    runFrames();
    expect(got.length).toBe(2);
    expect(/** @type {any} */ (got[1]).data["text/plain"]).toBe("again");
    expect(/** @type {any} */ (got[1]).data[TRANSCRIPT_MIME].runs[0].state.activity).toBe("re-run");
  });

  test("lanes: the answer carries the parts not held; the states are the lanes' own", () => {
    const set = new LaneSet();
    const lane = (/** @type {string} */ text) => ({
      meta: { title: null, prompt: text },
      state: runningState([{ type: "text", id: "m", text }], { status: "completed" }),
    });
    set.load({ seq: 5, lanes: [lane("one"), lane("two")] });
    const head = {
      version: 1,
      layout: "chat",
      model_id: "m",
      title: "C",
      html: "<h>C</h>\n",
      text: "C\n\n",
    };
    const part = (/** @type {string} */ t) => ({
      title: null,
      prompt: t,
      html: `<p>${t}</p>`,
      text: t,
    });
    expect(set.outputRequest()).toEqual({ type: "output", have: [] });
    set.setOutput({
      type: "output",
      seq: 5,
      head,
      parts: [
        [0, 2, part("one")],
        [1, 5, part("two")],
      ],
    });
    expect(set.output?.data["text/html"]).toBe("<h>C</h>\n<p>one</p>\n<p>two</p>");
    expect(set.output?.data["text/plain"]).toBe("C\n\none\n\ntwo");
    set.load({ seq: 9, lanes: [lane("one"), lane("two"), lane("three")] });
    expect(set.outputRequest()).toEqual({
      type: "output",
      have: [
        [0, 2],
        [1, 5],
      ],
    });
    set.setOutput({ type: "output", seq: 9, head, parts: [[2, 9, part("three")]] });
    const payload = /** @type {any} */ (set.output?.data[TRANSCRIPT_MIME]);
    expect(payload.runs.map((/** @type {any} */ r) => r.prompt)).toEqual(["one", "two", "three"]);
    expect(payload.runs[2].state).toEqual(set.lanes[2].store.state);
    // A part neither held nor sent: no output, and nothing held (the next request asks all).
    set.load({ seq: 10, lanes: [lane("one"), lane("two"), lane("three"), lane("four")] });
    set.setOutput({ type: "output", seq: 10, head, parts: [] });
    expect(set.output?.seq).toBe(9);
    expect(set.outputRequest()).toEqual({ type: "output", have: [] });
  });
});
