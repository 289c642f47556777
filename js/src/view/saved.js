// A saved output's transcript payload (nbagent/widget/output.py), shown without a kernel by the
// widget's own store and view: same markup, same sanitizer, same look as the live widget.
// Not part of the widget bundle: nbagent's JupyterLab renderer (js/lab) imports it.
// Twin: nbagent/widget/output.py

import { h } from "../base/format.js";
import { closePending } from "../base/kernel_end.js";
import { readOnlyModel } from "../base/read_only.js";
import { isObject } from "../base/wire.js";
import { newPage } from "../markdown/page.js";
import { LaneSet } from "../store/lanes.js";
import { Store } from "../store/store.js";
import { LanesView } from "./lanes_view.js";
import { TranscriptView } from "./view.js";

export { HOST_EVENT, OUTPUT_EVENT, TRANSCRIPT_MIME } from "../store/offer.js";

/**
 * @typedef {import("../store/store.js").State} State
 * @typedef {import("../markdown/page.js").Page} Page
 * @typedef {{title: string | null, prompt: string | null, state: State}} SavedRun
 * @typedef {{version: 1, layout: string, model_id: string | null, title: string | null,
 *   runs: SavedRun[], inModel: boolean}} Payload
 *   `inModel`: the runs' states are not in the output but in the widget's model (the
 *   kernel's display update at a run's end, nbagent/widget/output.py): `runs` is then empty, and
 *   without that model the output's `text/html` copy is what can be shown.
 */

/** Thrown by `readPayload` for data that is not a payload nbagent can show. */
export class PayloadError extends Error {}

/** @param {unknown} v */
const optionalString = (v) => (typeof v === "string" ? v : null);

/**
 * The payload in an output's data, checked: what the view needs has the right types.
 * @param {unknown} data
 * @returns {Payload}
 */
export function readPayload(data) {
  if (!isObject(data)) throw new PayloadError("the transcript is not a JSON object");
  if (data.version !== 1) {
    throw new PayloadError(
      `transcript version ${JSON.stringify(data.version)} is not 1: a newer nbagent saved it`,
    );
  }
  if (!Array.isArray(data.runs)) throw new PayloadError("the transcript has no runs");
  const model_id = optionalString(data.model_id);
  const inModel =
    model_id !== null && data.runs.length > 0 && data.runs.every((r) => r?.state === null);
  const runs = (inModel ? [] : data.runs).map((run, i) => {
    if (!isObject(run) || !isObject(run.state) || !Array.isArray(run.state.blocks)) {
      throw new PayloadError(`run ${i + 1} of the transcript has no state`);
    }
    const blocks = run.state.blocks.filter(isObject);
    return {
      title: optionalString(run.title),
      prompt: optionalString(run.prompt),
      state: /** @type {State} */ ({ ...run.state, blocks }),
    };
  });
  return {
    version: 1,
    layout: optionalString(data.layout) ?? "single",
    model_id,
    title: optionalString(data.title),
    runs,
    inModel,
  };
}

/**
 * A run's MCP apps in a saved view (panels/app_frame.js): in a trusted notebook each as it was,
 * sandboxed as live, told there is no kernel (`kernel: false`: its requests answered "no
 * kernel"); in an untrusted one none of its code, its call's panel a line naming it.
 * @param {unknown} apps the run's `apps`
 * @param {boolean} trusted
 */
function savedApps(apps, trusted) {
  if (!isObject(apps)) return undefined;
  return Object.fromEntries(
    Object.entries(apps).map(([uri, e]) => [
      uri,
      { ...(trusted && isObject(e) ? e : {}), kernel: false },
    ]),
  );
}

/**
 * A state saved while its run was still streaming never ends: say so, instead of a spinner
 * and a Stop button that would wait forever.
 * @param {State} saved
 * @param {boolean} [trusted] whether the notebook is (its MCP apps run: `savedApps`)
 * @returns {State}
 */
function settled(saved, trusted = false) {
  const state = { ...saved, apps: savedApps(saved.apps, trusted) };
  if (state.status !== "running") return state;
  const blocks = structuredClone(state.blocks ?? []);
  closePending(blocks, state.ended_at ?? null);
  return {
    ...state,
    blocks,
    status: "error",
    end_reason: null,
    activity: null,
    error: { message: "the notebook was saved before this run ended" },
  };
}

/**
 * The traits a widget view reads, for a view with no model behind it.
 * @param {string | null} title
 * @param {Record<string, unknown>} [more]
 */
function savedModel(title, more = {}) {
  return readOnlyModel({ title: title ?? "", show_thinking: true, can_rerun: false, ...more });
}

/**
 * One run: its prompt as a user bubble (when set) above the widget's view of its state.
 * @param {HTMLElement} el
 * @param {SavedRun} run
 * @param {Page} page
 * @param {boolean} trusted
 * @returns {TranscriptView}
 */
function renderRun(el, run, page, trusted) {
  const store = new Store();
  store.load({ seq: 0, state: settled(run.state, trusted) });
  const view = new TranscriptView(store, savedModel(run.title), el, { offersOutput: false, page });
  if (run.prompt) {
    const bubble = h("div", "nba-prompt", run.prompt);
    bubble.setAttribute("aria-label", "prompt");
    view.root.insertBefore(bubble, view.scroller);
  }
  return view;
}

/**
 * Render a payload into `el`: one run as the widget shows it; lanes side by side and chat
 * turns under their prompts as the widget of several runs shows them (without its input box).
 * Returns the cleanup.
 * @param {HTMLElement} el
 * @param {Payload} payload
 * @param {Page} [page] what the page's views share (page.js)
 * @param {boolean} [trusted] whether the notebook is trusted: its MCP apps run, sandboxed
 * @returns {() => void}
 */
export function renderSaved(el, payload, page = newPage(), trusted = false) {
  if (payload.layout === "lanes" || payload.layout === "chat") {
    const set = new LaneSet();
    set.load({
      seq: 0,
      lanes: payload.runs.map((run) => ({
        meta: { title: run.title, prompt: run.prompt, can_rerun: false },
        state: settled(run.state, trusted),
      })),
    });
    const model = savedModel(payload.title, { arrangement: payload.layout, read_only: true });
    const view = new LanesView(set, model, el, { offersOutput: false, page });
    return () => view.destroy();
  }
  const views = payload.runs.map((run) => renderRun(el, run, page, trusted));
  return () => {
    for (const view of views) view.destroy();
  };
}
