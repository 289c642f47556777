// The runs' states an output left to its widget's model, read back from the notebook's saved
// widget state as data (js/src/base/saved_state.js): the shapes `jupyter execute` saves, and every
// malformed one refused (null) rather than thrown or half drawn.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { fillFromWidgetState, WIDGET_STATE_MIME } from "../src/base/saved_state.js";
import { readPayload, renderSaved } from "../src/view/saved.js";
import { runningState } from "./fake-model.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const HOSTILE = JSON.parse(readFileSync(join(HERE, "../../tests/fixtures/hostile.json"), "utf8"));

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** @param {string} text */
const done = (text) =>
  runningState([{ type: "text", id: "m1", text }], {
    status: "completed",
    end_reason: "completed",
  });

/** An output's payload whose states are in the model `id` (the kernel's final update). */
const inModel = (id = "w1", runs = 1, layout = "single") => ({
  version: 1,
  layout,
  model_id: id,
  title: null,
  runs: Array.from({ length: runs }, (_, i) => ({ title: `run ${i}`, prompt: null, state: null })),
});

/** @param {Record<string, unknown>} models the saved traits by model id */
const widgets = (models) => ({
  [WIDGET_STATE_MIME]: {
    version_major: 2,
    version_minor: 0,
    state: Object.fromEntries(
      Object.entries(models).map(([id, state]) => [
        id,
        { model_name: "AnyModel", model_module: "anywidget", state },
      ]),
    ),
  },
});

describe("the saved widget state as the runs' states", () => {
  test("a single run: the widget's snapshot", () => {
    const state = done("It is **18°C** in Paris.");
    const filled = fillFromWidgetState(
      inModel(),
      widgets({ w1: { snapshot: { seq: 9, state }, _esm: "globalThis.__pwned = 1" } }),
    );
    expect(filled?.runs).toEqual([{ title: "run 0", prompt: null, state }]);
    const payload = readPayload(filled);
    expect(payload.inModel).toBe(false);
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(renderSaved(el, payload), () => el.remove());
    expect(el.querySelector(".nba-text strong")?.textContent).toBe("18°C");
    expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined(); // saved code never runs
  });

  test("lanes and a chat: each LaneState the widget lists, in its order", () => {
    const a = done("first");
    const b = done("second");
    const filled = fillFromWidgetState(
      inModel("w2", 2, "chat"),
      widgets({
        w2: { lanes: ["IPY_MODEL_l2", "IPY_MODEL_l1"] },
        l1: { lane: { seq: 1, meta: {}, state: b } },
        l2: { lane: { seq: 1, meta: {}, state: a } },
      }),
    );
    expect(filled?.runs.map((/** @type {any} */ r) => r.state)).toEqual([a, b]);
    expect(filled?.runs.map((/** @type {any} */ r) => r.title)).toEqual(["run 0", "run 1"]);
  });

  test("a chat: each turn from the widget's keys lane0, lane1..., later cells' after", () => {
    const a = done("first");
    const b = done("second");
    const filled = fillFromWidgetState(
      inModel("w2", 1, "chat"),
      widgets({
        w2: {
          lane0: { seq: 1, meta: {}, state: a },
          lane1: { seq: 3, meta: { prompt: "again?" }, state: b },
          lane3: { seq: 5, meta: {}, state: done("not after a gap") },
          last: "IPY_MODEL_l9",
        },
      }),
    );
    expect(filled?.runs).toEqual([
      { title: "run 0", prompt: null, state: a },
      { title: null, prompt: "again?", state: b },
    ]);
  });

  test("a chat saved as a chain: each LaneState from the widget's last, by its prev", () => {
    const a = done("first");
    const b = done("second");
    const filled = fillFromWidgetState(
      inModel("w2", 2, "chat"),
      widgets({
        w2: { last: "IPY_MODEL_l2", lanes: [] },
        l1: { lane: { seq: 1, meta: {}, state: a }, prev: null },
        l2: { lane: { seq: 3, meta: {}, state: b }, prev: "IPY_MODEL_l1" },
      }),
    );
    expect(filled?.runs.map((/** @type {any} */ r) => r.state)).toEqual([a, b]);
  });

  test("a chat that went on in later cells: its output's turns, then the chain's others", () => {
    const a = done("first");
    const b = done("second");
    const filled = fillFromWidgetState(
      inModel("w2", 1, "chat"),
      widgets({
        w2: { last: "IPY_MODEL_l2" },
        l1: { lane: { seq: 1, meta: {}, state: a }, prev: null },
        l2: { lane: { seq: 3, meta: { prompt: "again?" }, state: b }, prev: "IPY_MODEL_l1" },
      }),
    );
    expect(filled?.runs).toEqual([
      { title: "run 0", prompt: null, state: a },
      { title: null, prompt: "again?", state: b },
    ]);
  });

  test.each([
    ["no widget state", inModel(), undefined],
    [
      "a chain that loops",
      inModel("w1", 2),
      widgets({
        w1: { last: "IPY_MODEL_l1" },
        l1: { lane: { state: done("x") }, prev: "IPY_MODEL_l1" },
      }),
    ],
    ["a chain to nothing", inModel("w1", 1), widgets({ w1: { last: "IPY_MODEL_zz" } })],
    ["no such model", inModel("gone"), widgets({ w1: { snapshot: { state: done("x") } } })],
    ["a state that is not an object", inModel(), widgets({ w1: { snapshot: { state: "x" } } })],
    ["no snapshot and no lanes", inModel(), widgets({ w1: { title: "t" } })],
    [
      "fewer states than runs",
      inModel("w1", 2),
      widgets({ w1: { snapshot: { state: done("x") } } }),
    ],
    ["a ref that is not a string", inModel("w1", 1), widgets({ w1: { lanes: [7] } })],
    ["a ref to nothing", inModel("w1", 1), widgets({ w1: { lanes: ["IPY_MODEL_zz"] } })],
    [
      "a ref to the prototype",
      inModel("w1", 1),
      widgets({ w1: { lanes: ["IPY_MODEL___proto__"] } }),
    ],
    ["a model that is not an object", inModel(), { [WIDGET_STATE_MIME]: { state: { w1: [] } } }],
    ["no model id", { ...inModel(), model_id: null }, widgets({ w1: { snapshot: {} } })],
    ["not a payload", "x", widgets({})],
  ])("%s: null", (_name, raw, saved) => {
    expect(fillFromWidgetState(raw, saved)).toBeNull();
  });

  test("hostile text in every saved field draws inert", () => {
    for (const text of HOSTILE) {
      const state = runningState(
        [
          { type: "text", id: "m1", text },
          { type: "thinking", id: "t1", text },
          {
            type: "tool",
            id: "c1",
            name: text,
            arguments: text,
            args: { text },
            state: "done",
            result: text,
            display: [{ data: { "text/html": text, "text/markdown": text, "text/plain": text } }],
          },
        ],
        { status: "completed", title: text, error: { message: text } },
      );
      const filled = fillFromWidgetState(inModel(), widgets({ w1: { snapshot: { state } } }));
      const el = document.createElement("div");
      document.body.append(el);
      const unrender = renderSaved(el, readPayload(filled));
      expect(violations(el), text).toEqual([]);
      unrender();
      el.remove();
    }
    expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined();
  });
});
