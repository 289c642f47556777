import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { OUTPUT_EVENT, PayloadError, readPayload, renderSaved } from "../src/saved.js";
import { connect, Store } from "../src/store.js";
import { TranscriptView } from "../src/view.js";
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
  });

  test.each([
    [null, "not a JSON object"],
    [{ version: 2, runs: [] }, "version 2 is not 1"],
    [{ version: 1 }, "has no runs"],
    [{ version: 1, runs: [{ state: {} }] }, "run 1 of the transcript has no state"],
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

  test("stacks every run, each with its prompt as a user bubble", () => {
    const el = mountSaved(
      payload(
        [
          { title: "A", prompt: "first <b>question</b>", state: finished() },
          { title: null, prompt: "second", state: finished({ title: "from state" }) },
        ],
        "chat",
      ),
    );
    const roots = [...el.querySelectorAll(".nbagent")];
    expect(roots.length).toBe(2);
    expect(roots.map((r) => r.querySelector(".nba-prompt")?.textContent)).toEqual([
      "first <b>question</b>",
      "second",
    ]);
    expect(roots[0].querySelector(".nba-prompt b")).toBeNull(); // text, never markup
    expect(roots.map((r) => r.querySelector(".nba-title")?.textContent)).toEqual([
      "A",
      "from state",
    ]);
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
  test("an output message is kept by the store; a view in the document offers it once", () => {
    const model = new FakeModel({ snapshot: { seq: 1, state: finished() } });
    const store = new Store();
    cleanups.push(connect(store, /** @type {any} */ (model)));
    expect(model.sent).toEqual([{ type: "output" }]); // a late page asks for it
    /** @type {FrameRequestCallback[]} */
    let frames = [];
    const raf = (/** @type {FrameRequestCallback} */ cb) => frames.push(cb);
    const runFrames = () => {
      const due = frames;
      frames = [];
      for (const cb of due) cb(0);
    };
    const el = document.createElement("div"); // not in the document yet
    const view = new TranscriptView(store, /** @type {any} */ (model), el, {
      raf,
      cancelRaf: () => {},
      soon: (cb) => void frames.push(cb),
    });
    cleanups.push(() => view.destroy());
    /** @type {unknown[]} */
    const got = [];
    const listen = (/** @type {Event} */ e) => got.push(/** @type {CustomEvent} */ (e).detail);
    document.body.addEventListener(OUTPUT_EVENT, listen);
    cleanups.push(() => document.body.removeEventListener(OUTPUT_EVENT, listen));
    const data = { "text/html": "<p>x</p>" };
    model.msg({ type: "output", data });
    expect(store.output).toBe(data);
    runFrames(); // renders; the view is still detached: it waits
    runFrames();
    expect(got).toEqual([]);
    document.body.append(el);
    cleanups.push(() => el.remove());
    runFrames();
    expect(got).toEqual([{ data }]);
    model.msg({ type: "output", data }); // the same data again: not offered again
    runFrames();
    runFrames();
    expect(got.length).toBe(1);
    model.msg({ type: "output", data: "not an object" });
    expect(store.output).toBe(data);
  });
});
