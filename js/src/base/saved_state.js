// The runs' states an output left to its widget's model (a notebook run by `jupyter execute`:
// nbagent/widget/output.py), read back from the notebook's saved widget state (`metadata.widgets`)
// as data, so that nbagent's saved view draws them trusted or not. Only the JSON of the
// states is read: nothing saved with the widget (its code, its loader) runs.
// Not part of the widget bundle: nbagent's JupyterLab renderer (js/lab) imports it.

import { isObject } from "./wire.js";

/** The saved widget state's key in `metadata.widgets`. */
export const WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json";
const MODEL_REF = "IPY_MODEL_";

/**
 * The transcript payload `raw` with each run's state taken from the saved widget state, as
 * `tests/commit_notebook.py` fills it: an `AgentWidget`'s `snapshot.state`, or the `state` of
 * each lane a lanes widget keeps in its keys `lane0`, `lane1`... (notebooks saved before: the
 * `lane.state` of each LaneState it chains from its `last`, each one's `prev`, or lists in
 * `lanes`). Null when the saved state does not hold exactly
 * one state per run (no such model, a count that differs, a state that is not an object).
 * @param {unknown} raw the output's `application/vnd.nbagent.transcript+json`
 * @param {unknown} widgets the notebook's `metadata.widgets`
 * @returns {Record<string, any> | null}
 */
export function fillFromWidgetState(raw, widgets) {
  if (!isObject(raw) || !Array.isArray(raw.runs) || typeof raw.model_id !== "string") return null;
  const saved = isObject(widgets) ? widgets[WIDGET_STATE_MIME] : null;
  const models = isObject(saved) && isObject(saved.state) ? saved.state : null;
  if (models === null) return null;
  /** @param {unknown} id @returns {Record<string, any> | null} */
  const traits = (id) => {
    if (typeof id !== "string" || !Object.hasOwn(models, id)) return null;
    const model = models[id];
    return isObject(model) && isObject(model.state) ? model.state : null;
  };
  const own = traits(raw.model_id);
  if (own === null) return null;
  /** @param {unknown} ref @returns {Record<string, any> | null} */
  const referenced = (ref) =>
    typeof ref === "string" && ref.startsWith(MODEL_REF)
      ? traits(ref.slice(MODEL_REF.length))
      : null;
  /** @type {unknown[]} */
  let states;
  /** @type {any[]} The runs: the output's, and a chain's lanes after them (see below). */
  let runs = raw.runs;
  /** @type {any[]} Lane n in the model's key `lane{n}`. */
  const keyed = [];
  for (let n = 0; isObject(own[`lane${n}`]); n++) keyed.push(own[`lane${n}`]);
  if (isObject(own.snapshot)) states = [own.snapshot.state];
  else if (keyed.length || typeof own.last === "string") {
    // Or, saved before, the lanes chained from the newest (each LaneState's `prev`), oldest
    // first; a ref to nothing or a cycle ends the chain (a count then differs: null).
    /** @type {any[]} */
    const lanes = keyed;
    const seen = new Set();
    for (let ref = keyed.length ? null : own.last; typeof ref === "string" && !seen.has(ref); ) {
      seen.add(ref);
      const lane = referenced(ref);
      lanes.unshift(lane?.lane);
      ref = lane?.prev;
    }
    states = lanes.map((lane) => lane?.state);
    // A chat's turns of later cells have outputs of their own there (nbagent/runtime/views.py,
    // `_copy_apart`): the widget's output lists the turns of its cell only, its model all.
    runs = [
      ...runs,
      ...lanes.slice(runs.length).map((lane) => {
        const meta = isObject(lane?.meta) ? lane.meta : {};
        const text = (/** @type {unknown} */ v) => (typeof v === "string" ? v : null);
        return { title: text(meta.title), prompt: text(meta.prompt), state: null };
      }),
    ];
  } else if (Array.isArray(own.lanes)) {
    states = own.lanes.map((ref) => referenced(ref)?.lane?.state);
  } else return null;
  if (states.length !== runs.length || !states.every(isObject)) return null;
  return {
    ...raw,
    runs: runs.map((run, i) => ({ ...(isObject(run) ? run : {}), state: states[i] })),
  };
}
