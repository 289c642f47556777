// An evaluation's output (nbagent/evaluation/board.py, EVALUATION_MIME) in JupyterLab and
// Notebook 7: the live widget while its model lives (renderer.js), else the saved table drawn
// by the evaluation widget's own view (js/src/widget/evaluation/) from the output's payload, or,
// when the payload left it to the widget's saved state (`jupyter execute`), from the notebook's
// `metadata.widgets`. A row opens its case's saved transcript (js/src/view/saved.js). The saved
// table is data: nothing saved runs, trusted or not; Stop, Re-run and ratings are not offered.

import { readOnlyModel } from "../../src/base/read_only.js";
import { WIDGET_STATE_MIME } from "../../src/base/saved_state.js";
import * as caseCode from "../../src/widget/evaluation/detail.js";
import evaluationView from "../../src/widget/evaluation/index.js";
import { ancestorProperty } from "./hosts.js";
import { isObject, PayloadError, renderSaved, TranscriptRenderer } from "./renderer.js";

export const EVALUATION_MIME = "application/vnd.nbagent.evaluation+json";

/** The traits of the saved table the view reads (a payload's, or a saved model's). */
const TRAITS = ["title", "columns", "baseline", "snapshot", "transcripts"];

/**
 * @param {unknown} raw the output's EVALUATION_MIME
 * @returns {Record<string, any>}
 */
export function readEvaluation(raw) {
  if (!isObject(raw)) throw new PayloadError("the evaluation is not a JSON object");
  if (raw.version !== 1) {
    const version = JSON.stringify(raw.version);
    throw new PayloadError(`evaluation version ${version} is not 1: a newer nbagent saved it`);
  }
  if (raw.model_id !== null && typeof raw.model_id !== "string")
    throw new PayloadError("the evaluation's model_id is not a string");
  return raw;
}

/**
 * The traits of model `id` in the notebook's saved widget state, or null.
 * @param {unknown} widgets the notebook's `metadata.widgets`
 * @param {unknown} id
 * @returns {Record<string, any> | null}
 */
export function savedTraits(widgets, id) {
  const saved = isObject(widgets) ? widgets[WIDGET_STATE_MIME] : null;
  const models = isObject(saved) && isObject(saved.state) ? saved.state : null;
  if (models === null || typeof id !== "string" || !Object.hasOwn(models, id)) return null;
  const model = models[id];
  return isObject(model) && isObject(model.state) ? model.state : null;
}

/**
 * A read-only model of a saved table: what the evaluation view reads, no kernel behind it.
 * @param {Record<string, any>} source the payload, or the saved model's traits
 * @param {import("../../src/markdown/page.js").Page} [page] what the page's saved views share
 */
export function savedEvaluationModel(source, page) {
  /** @type {Record<string, unknown>} */
  const traits = { title: "", columns: [], baseline: "", snapshot: {}, transcripts: [] };
  for (const key of TRAITS) if (key in source) traits[key] = source[key];
  Object.assign(traits, { opened: {}, page_actions: false, code: "" });
  return readOnlyModel(traits, {
    /** @param {HTMLElement} el @param {object} state */
    mountCase: (el, state) =>
      renderSaved(
        el,
        {
          version: 1,
          layout: "single",
          model_id: null,
          title: null,
          runs: [{ title: null, prompt: null, state: /** @type {any} */ (state) }],
          inModel: false,
        },
        page,
      ),
  });
}

export class EvaluationRenderer extends TranscriptRenderer {
  /** @param {import("../../src/markdown/page.js").Page} [page] */
  constructor(page) {
    super(page);
    this.mime = EVALUATION_MIME;
    this.addClass("nba-evaluation-renderer");
  }

  /** @param {unknown} raw */
  readPayload(raw) {
    return readEvaluation(raw);
  }

  /** @param {any} payload */
  running(payload) {
    return payload.snapshot?.header?.status === "running";
  }

  /**
   * The saved table, or the output's escaped `text/html` copy when it cannot be drawn.
   * @param {any} payload
   * @returns {() => void}
   */
  renderSavedView(payload) {
    let source = payload;
    if (payload.in_model === true) {
      const notebook = ancestorProperty(this, "context")?.model;
      const widgets = notebook?.getMetadata?.("widgets") ?? notebook?.metadata?.widgets;
      source = savedTraits(widgets, payload.model_id);
      if (source === null) return this.renderCopy();
    }
    try {
      const done = evaluationView.render({
        model: /** @type {any} */ (savedEvaluationModel(source, this.page)),
        el: this.saved.node,
        caseCode, // this extension's own: a saved table has no code model to send it
      });
      return typeof done === "function" ? done : () => {};
    } catch (e) {
      this.saved.node.replaceChildren();
      console.warn("nbagent: cannot draw this saved evaluation:", e);
      return this.renderCopy();
    }
  }
}
