// nbagent's renderers for JupyterLab 4 and Notebook 7 (a mime extension): a run's output
// (renderer.js: the transcript payload of nbagent/widget/output.py) and an evaluation's
// (evaluation.js: nbagent/evaluation/board.py). Each shows the live widget while its model
// lives and the saved copy, drawn by nbagent's own view, without a kernel.

import { labPage } from "./chunks.js";
import { EVALUATION_MIME, EvaluationRenderer } from "./evaluation.js";
import { endOfStatus, TRANSCRIPT_MIME, TranscriptRenderer } from "./renderer.js";

export { endOfStatus };

/**
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IExtension} IExtension
 */

/**
 * What the saved views of this page share (js/src/markdown/page.js): made here, where the extension
 * begins, and handed to each renderer.
 */
const page = labPage();

/** @type {IExtension[]} */
const extensions = [
  {
    id: "nbagent:transcript",
    description: "Shows nbagent runs: the live widget, or the saved transcript without a kernel.",
    rendererFactory: {
      // Safe: the saved transcript is sanitized like the widget; the live widget (code) is
      // only used for trusted outputs.
      safe: true,
      mimeTypes: [TRANSCRIPT_MIME],
      defaultRank: -20,
      createRenderer: () => new TranscriptRenderer(page),
    },
    rank: -20,
    dataType: "json",
  },
  {
    id: "nbagent:evaluation",
    description: "Shows nbagent evaluations: the live table, or the saved one without a kernel.",
    rendererFactory: {
      safe: true, // every saved value goes in as text
      mimeTypes: [EVALUATION_MIME],
      defaultRank: -20,
      createRenderer: () => new EvaluationRenderer(page),
    },
    rank: -20,
    dataType: "json",
  },
];

export default extensions;
