// A transcript view mounted by hand for tests: the widget's initialize, then a view with a
// frame queue the test runs (`frame()`), fed through the fake model's messages.

import { afterEach } from "vitest";
import { LanesView } from "../src/view/lanes_view.js";
import { readPayload, renderSaved } from "../src/view/saved.js";
import { TranscriptView } from "../src/view/view.js";
import widget, { laneSetFor, storeFor } from "../src/widget/index.js";
import { FakeModel } from "./fake-model.js";

/**
 * Mount initialize + render with a manual frame queue.
 * @param {(() => void)[]} cleanups where the test's teardown finds what to undo
 * @param {Record<string, unknown>} [traits]
 */
export function mountView(cleanups, traits = {}) {
  const model = new FakeModel(traits);
  const el = document.createElement("div");
  document.body.append(el);
  const stopInit = /** @type {() => void} */ (
    widget.initialize({ model: /** @type {any} */ (model) })
  );
  /** @type {FrameRequestCallback[]} */
  let frames = [];
  const mk = () => {
    // Reuse index.js's store through render(), but with a controllable frame queue.
    const v = new TranscriptView(
      storeFor(/** @type {any} */ (model)),
      /** @type {any} */ (model),
      el,
      {
        raf: (cb) => frames.push(cb),
        cancelRaf: () => {},
        soon: (cb) => void frames.push(cb), // leading-edge renders too: run by frame()
      },
    );
    cleanups.push(() => v.destroy());
    return v;
  };
  const view = mk();
  cleanups.push(stopInit, () => el.remove());
  let seq = 0;
  return {
    model,
    el,
    view,
    mk,
    /** push one ops message and render the frame */
    ops(/** @type {any[]} */ list) {
      model.msg({ type: "ops", seq: ++seq, now: Date.now() / 1000, ops: list });
      this.frame();
    },
    snapshot(/** @type {any} */ state) {
      seq = Math.max(seq, 1);
      model.msg({ type: "snapshot", seq, now: Date.now() / 1000, state });
      this.frame();
    },
    frame() {
      const f = frames;
      frames = [];
      for (const cb of f) cb(0);
    },
  };
}

/**
 * A lanes widget (initialize + a view with a manual frame queue); `send` pushes a lanes
 * message and renders the frame.
 * @param {(() => void)[]} cleanups where the test's teardown finds what to undo
 * @param {string} [layout] the `arrangement` trait
 * @param {Record<string, unknown>} [traits]
 * @param {{get_model(id: string): Promise<any>}} [manager] the model's `widget_manager`
 */
export function mountLanes(cleanups, layout = "lanes", traits = {}, manager = undefined) {
  const model = new FakeModel({ arrangement: layout, snapshot: { seq: 0, lanes: [] }, ...traits });
  /** @type {any} */ (model).widget_manager = manager;
  const el = document.createElement("div");
  document.body.append(el);
  const stopInit = /** @type {() => void} */ (
    widget.initialize({ model: /** @type {any} */ (model) })
  );
  /** @type {FrameRequestCallback[]} */
  let frames = [];
  const view = new LanesView(
    laneSetFor(/** @type {any} */ (model)),
    /** @type {any} */ (model),
    el,
    {
      raf: (cb) => frames.push(cb),
      cancelRaf: () => {},
      soon: (cb) => void frames.push(cb),
    },
  );
  cleanups.push(
    () => view.destroy(),
    stopInit,
    () => el.remove(),
  );
  let seq = 0;
  return {
    model,
    el,
    view,
    /** @param {Record<string, any>} body */
    send(body) {
      model.msg({ seq: ++seq, now: Date.now() / 1000, lanes: [], ...body });
      this.frame();
    },
    frame() {
      const f = frames;
      frames = [];
      for (const cb of f) cb(0);
    },
  };
}

/**
 * The list a test's mounts push their undoing to, undone (last first) after each test.
 * @returns {(() => void)[]}
 */
export function undoneAfterEach() {
  /** @type {(() => void)[]} */
  const cleanups = [];
  afterEach(() => {
    for (const f of cleanups.splice(0).reverse()) f();
  });
  return cleanups;
}

/**
 * The element `sel` finds in `root`, or the test fails saying which.
 * @param {ParentNode} root @param {string} sel
 */
export function q(root, sel) {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`no ${sel}`);
  return /** @type {HTMLElement} */ (el);
}

/**
 * A saved output's payload drawn as a notebook reopened with no kernel shows it, undone by the
 * test's teardown.
 * @param {(() => void)[]} cleanups where the test's teardown finds what to undo
 * @param {unknown} payload the output's transcript payload (nbagent/widget/output.py)
 * @param {import("../src/markdown/page.js").Page} [page] what the page's views share
 */
export function mountPayload(cleanups, payload, page = undefined) {
  const el = document.createElement("div");
  document.body.append(el);
  const unrender = renderSaved(el, readPayload(payload), page);
  cleanups.push(() => {
    unrender();
    el.remove();
  });
  return el;
}

/**
 * One run's saved state drawn as a notebook reopened with no kernel shows it (one run, one
 * model id), undone by the test's teardown.
 * @param {(() => void)[]} cleanups where the test's teardown finds what to undo
 * @param {Record<string, unknown>} state the run's saved state
 */
export function mountSaved(cleanups, state) {
  return mountPayload(cleanups, { version: 1, layout: "single", model_id: "m", runs: [{ state }] });
}
