// The live widget in nbagent's renderer (renderer.js): the notebook's own widget-view renderer
// for the payload's model, made once per model id (in an output area, from its rendermime; in
// Voilà, from the app's widget manager: plugin.js) and made again once the kernel is ready when
// the widget manager came later. The renderer shows it in place of the saved transcript once it
// draws a live view (`arrange`).

import { ancestorProperty, isObject } from "./hosts.js";
import { appRendermime } from "./plugin.js";

const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/**
 * @typedef {import("./renderer.js").TranscriptRenderer} TranscriptRenderer
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IMimeModel} IMimeModel
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IRenderer} IRenderer
 * @typedef {{createRenderer(mimeType: string): IRenderer, getFactory(mimeType: string): unknown}}
 *   RendererSource the notebook's rendermime
 * @typedef {import("./kernel_watch.js").Session} Session
 */

/**
 * Start the live widget for the renderer's payload's model, once per model id.
 * @param {TranscriptRenderer} r
 */
export function connectLive(r) {
  /** @type {string | null | undefined} */
  const modelId = r.payload?.model_id;
  // An untrusted output shows the saved transcript only: a live widget runs code.
  if (!modelId || !r.model?.trusted || r.tried === modelId) return;
  r.tried = modelId; // once: a model not found now will not be found later
  /** @type {RendererSource | null} */
  const rendermime = ancestorProperty(r, "rendermime");
  if (rendermime === null) {
    // Not in an output area (Voilà): the app's widget manager knows the widget view.
    r.seeking = true;
    const found = (/** @type {RendererSource | null} */ source) => {
      r.seeking = false;
      if (source !== null && !r.isDisposed && r.payload?.model_id === modelId)
        startLive(r, modelId, source);
      r.arrange();
    };
    appRendermime().then(found, () => found(null));
    return;
  }
  startLive(r, modelId, rendermime);
  // The widget manager registers its renderer once the kernel is ready, and hands itself
  // only to the output area's own renderers: one made before then (a notebook reopened)
  // would wait forever, so it is made again from the new factory.
  /** @type {Session | null} */
  const session = ancestorProperty(r, "sessionContext");
  r.kernel.watch(session);
  const retry = () => {
    const live = r.live;
    if (live?.modelId !== modelId || r.state !== "pending") return;
    if (rendermime.getFactory(WIDGET_VIEW_MIME) !== live.factory) startLive(r, modelId, rendermime);
  };
  session?.ready.then(
    () => setTimeout(retry),
    () => {},
  );
}

/**
 * Render the widget view of `modelId` with the notebook's widget-view renderer, hidden until it
 * shows a live view (the renderer's `arrange`).
 * @param {TranscriptRenderer} r
 * @param {string} modelId
 * @param {RendererSource} rendermime
 */
function startLive(r, modelId, rendermime) {
  r.drop();
  const factory = rendermime.getFactory(WIDGET_VIEW_MIME);
  if (!factory || r.model === null) return; // no widget manager (no ipywidgets)
  const renderer = /** @type {import("@lumino/widgets").Panel} */ (
    /** @type {unknown} */ (rendermime.createRenderer(WIDGET_VIEW_MIME))
  );
  const observer = new MutationObserver(() => r.arrange());
  observer.observe(renderer.node, { childList: true, attributes: true });
  r.live = { modelId, renderer, observer, factory };
  r.state = "pending";
  r.liveBox.addWidget(renderer);
  const view = isObject(r.model.data[WIDGET_VIEW_MIME])
    ? { ...r.model.data[WIDGET_VIEW_MIME], model_id: modelId }
    : { version_major: 2, version_minor: 1, model_id: modelId };
  // A copy: the widget renderer blanks `model_id` in its data when its view is disposed.
  /** @type {IMimeModel} */
  const viewModel = {
    trusted: true,
    data: { [WIDGET_VIEW_MIME]: view },
    metadata: {},
    setData() {},
  };
  const done = () => r.arrange();
  /** @type {IRenderer} */ (/** @type {unknown} */ (renderer))
    .renderModel(viewModel)
    .then(done, done);
}
