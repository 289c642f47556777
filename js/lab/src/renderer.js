// nbagent's renderer for JupyterLab 4 and Notebook 7 of nbagent/output.py's mimetype
// (index.js registers it; evaluation.js draws an evaluation with it). It ranks above the
// widget view: while the widget's model lives in the notebook's widget manager it shows the
// live widget (the widget-view renderer, as a child); when the model is gone (no kernel, no
// saved widget state) it shows the saved transcript with the widget's own store and view
// (js/src/view/saved.js), not "Error displaying widget". Nothing is fetched: the code is in this
// extension, math too (KaTeX, a webpack chunk of its own, fetched on the first formula).
// The kernel cannot update an output once its cell has finished: when the live widget's run
// ends, this renderer claims its output data (HOST_EVENT), the widget asks the kernel for it
// and hands it up (OUTPUT_EVENT), and the renderer writes it into the output model, so a
// notebook saved from the browser keeps the final transcript. Voilà renders each output on
// its own, from its JSON: nothing to write back; its widget manager (plugin.js) has the
// widget-view renderer.

import { JSONExt } from "@lumino/coreutils";
import { Panel, Widget } from "@lumino/widgets";
import { KERNEL_END_EVENT } from "../../src/base/kernel_end.js";
import { fillFromWidgetState } from "../../src/base/saved_state.js";
import { newPage } from "../../src/markdown/page.js";
import {
  HOST_EVENT,
  OUTPUT_EVENT,
  PayloadError,
  readPayload,
  renderSaved,
  TRANSCRIPT_MIME,
} from "../../src/view/saved.js";
import "../../src/widget/styles.js";
import "./chunks.js";
import { ancestorProperty, endOfStatus, isObject, liveState } from "./hosts.js";
import { KernelWatch } from "./kernel_watch.js";
import { connectLive } from "./live_widget.js";

/** The output data the live widget may replace besides its own (never the widget view). */
const WRITABLE = ["text/html", "text/plain"];

/**
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IMimeModel} IMimeModel
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IRenderer} IRenderer
 * @typedef {import("@jupyterlab/rendermime-interfaces").IRenderMime.IExtension} IExtension
 * @typedef {import("../../src/view/saved.js").Payload} Payload
 * @typedef {import("./live_widget.js").RendererSource} RendererSource
 * @typedef {"pending" | "live" | "gone"} LiveState
 *   pending: the widget manager has not answered yet; gone: no model (or its view was closed)
 * @typedef {import("../../src/base/kernel_end.js").PageEnd} PageEnd
 */

/** @implements {IRenderer} */
export class TranscriptRenderer extends Panel {
  /** @param {import("../../src/markdown/page.js").Page} [page] what its page's views share (index.js) */
  constructor(page = newPage()) {
    super();
    /** The output data this renderer draws. */
    this.mime = TRANSCRIPT_MIME;
    this.addClass("nba-renderer");
    this.page = page;
    /** Where the saved transcript is drawn (rendered only when it is shown). */
    this.saved = new Widget();
    /** Holds the notebook's widget-view renderer: shown only once its view is live. */
    this.liveBox = new Panel();
    this.saved.addClass("nba-saved");
    this.liveBox.addClass("nba-live");
    this.addWidget(this.saved);
    this.addWidget(this.liveBox);
    /** @type {IMimeModel | null} the output model (OutputArea passes a new one on updates) */
    this.model = null;
    /** @type {any} the payload's JSON as last rendered (to skip identical re-renders) */
    this.raw = undefined;
    /** Whether the output was trusted when last rendered (its saved view's apps run). */
    this.drawnTrusted = false;
    /** @type {any} the checked payload (`Payload` for a transcript) */
    this.payload = null;
    /** @type {(() => void) | null} cleanup of the drawn saved transcript */
    this.unrender = null;
    /** @type {{modelId: string, renderer: Panel, observer: MutationObserver, factory: unknown} | null} */
    this.live = null;
    /** @type {LiveState} */
    this.state = "gone";
    /** @type {string | null} the model id a live widget was last tried for */
    this.tried = null;
    /** Looking for the app's widget view renderer (Voilà): pending, not gone. */
    this.seeking = false;
    /** The notebook's kernel, watched for its end: the live widget's runs end with it. */
    this.kernel = new KernelWatch((reason) => this.endRuns(reason));
    // The live widget's run ended: claim its output data (it then asks the kernel), write it.
    // Only an output model that can be written (Voilà's is the output's plain JSON).
    this.liveBox.node.addEventListener(HOST_EVENT, (e) => {
      if (typeof this.model?.setData === "function") e.preventDefault();
    });
    this.liveBox.node.addEventListener(OUTPUT_EVENT, (e) =>
      this.write(/** @type {CustomEvent} */ (e)),
    );
  }

  /**
   * Called on creation and again after every change of the output (JupyterLab re-renders
   * after `setData` and after a display update): idempotent.
   * @param {IMimeModel} model
   */
  async renderModel(model) {
    this.model = model;
    const raw = model.data[this.mime];
    // The same transcript again (the output became trusted, or the live widget wrote it
    // back) keeps its drawing; whether the live widget applies may have changed.
    const same =
      this.raw !== undefined &&
      JSONExt.deepEqual(/** @type {any} */ (raw), this.raw) &&
      this.drawnTrusted === this.trusted();
    this.drawnTrusted = this.trusted();
    if (!same) {
      this.raw = /** @type {any} */ (raw);
      this.clearSaved(); // drawn again when it shows
      if (!this.read(raw)) return;
    }
    if (!this.isAttached) return; // onAfterAttach goes on from here
    connectLive(this);
    this.arrange();
  }

  /**
   * Check the payload; show why when it cannot be shown.
   * @param {unknown} raw
   * @returns {boolean} whether it can be shown
   */
  read(raw) {
    try {
      this.payload = this.readPayload(raw);
      return true;
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.payload = null;
      this.drop();
      const message = document.createElement("pre");
      message.textContent = `nbagent: cannot show this output: ${err.message}`;
      this.saved.node.append(message);
      this.saved.setHidden(false);
      this.liveBox.setHidden(true);
      return false;
    }
  }

  /**
   * The payload in the output's data, checked (`PayloadError` when it cannot be shown).
   * @param {unknown} raw
   * @returns {any}
   */
  readPayload(raw) {
    return readPayload(raw);
  }

  /**
   * Whether the payload shows something still running (the live widget's "Loading widget..."
   * then stays rather than the saved copy flashing by).
   * @param {any} payload
   */
  running(payload) {
    return payload.runs.some((/** @type {any} */ r) => r.state.status === "running");
  }

  /** @param {import("@lumino/messaging").Message} msg */
  onAfterAttach(msg) {
    super.onAfterAttach(msg);
    connectLive(this); // the output area (and its rendermime) is known once attached
    this.arrange();
  }

  dispose() {
    if (this.isDisposed) return;
    this.kernel.watch(null);
    this.drop();
    this.clearSaved();
    super.dispose();
  }

  /**
   * Tell every nbagent view of the live widget (each lane's too) that its kernel ended.
   * @param {PageEnd} reason
   */
  endRuns(reason) {
    for (const root of this.liveBox.node.querySelectorAll(".nbagent")) {
      root.dispatchEvent(new CustomEvent(KERNEL_END_EVENT, { detail: { reason } }));
    }
  }

  /** Show the live widget or the saved transcript, whichever applies now. */
  arrange() {
    if (this.isDisposed || this.payload === null) return;
    const live = this.live;
    this.state = live !== null ? liveState(live.renderer) : this.seeking ? "pending" : "gone";
    if (live !== null && this.state === "gone") this.drop();
    const running = this.running(this.payload);
    // A finished transcript shows at once while the widget manager answers; a running one
    // (a run just displayed) keeps the manager's "Loading widget..." rather than flash by.
    const showSaved = this.state === "gone" || (this.state === "pending" && !running);
    if (showSaved && this.unrender === null) this.unrender = this.renderSavedView(this.payload);
    else if (this.state === "live" && this.unrender !== null) {
      this.clearSaved(); // one transcript in the page: the live one
    }
    this.saved.setHidden(!showSaved);
    this.liveBox.setHidden(showSaved);
  }

  /**
   * The saved transcript, drawn by nbagent's own view whether the notebook is trusted or not
   * (the saved states are data; nothing saved runs). States the output left to its widget's
   * model come from the notebook's saved widget state; without them, or when the view cannot
   * be drawn, the output's escaped `text/html` copy shows, with why.
   * @param {Payload} payload
   * @returns {() => void}
   */
  renderSavedView(payload) {
    try {
      if (!payload.inModel) return renderSaved(this.saved.node, payload, this.page, this.trusted());
      const notebook = ancestorProperty(this, "context")?.model;
      const widgets = notebook?.getMetadata?.("widgets") ?? notebook?.metadata?.widgets;
      const filled = fillFromWidgetState(this.model?.data[TRANSCRIPT_MIME], widgets);
      if (filled !== null)
        return renderSaved(this.saved.node, readPayload(filled), this.page, this.trusted());
    } catch (e) {
      this.saved.node.replaceChildren();
      const message = document.createElement("pre");
      message.textContent = `nbagent: cannot draw this saved transcript (${e}); its copy:`;
      this.saved.node.append(message);
      const unrenderCopy = this.renderCopy();
      return () => {
        unrenderCopy();
        message.remove();
      };
    }
    return this.renderCopy();
  }

  /** Whether the output is trusted: a saved view then runs its MCP apps, sandboxed. */
  trusted() {
    return this.model?.trusted === true;
  }

  /**
   * The output's `text/html` copy, drawn by the notebook's own HTML renderer as an untrusted
   * output (sanitized): what shows when the payload leaves the states to a widget model that
   * is not there (a notebook run by `jupyter execute`, its widget state stripped since).
   * @returns {() => void}
   */
  renderCopy() {
    const html = this.model?.data["text/html"];
    /** @type {RendererSource | null} */
    const rendermime = ancestorProperty(this, "rendermime");
    if (typeof html !== "string" || rendermime === null) {
      const message = document.createElement("pre");
      message.textContent = "nbagent: this run's state was saved with its widget, which is gone";
      this.saved.node.append(message);
      return () => message.remove();
    }
    const renderer = rendermime.createRenderer("text/html");
    /** @type {IMimeModel} */
    const copy = { trusted: false, data: { "text/html": html }, metadata: {}, setData() {} };
    renderer.renderModel(copy).catch(() => {});
    this.saved.node.append(renderer.node);
    return () => renderer.dispose();
  }

  /** Remove the drawn saved transcript. */
  clearSaved() {
    this.unrender?.();
    this.unrender = null;
    this.saved.node.replaceChildren();
  }

  /** Forget the live widget renderer (its model is gone, or another model replaces it). */
  drop() {
    const live = this.live;
    if (live === null) return;
    this.live = null;
    live.observer.disconnect();
    live.renderer.dispose();
  }

  /**
   * The live widget's output data: write it into the output model (what the notebook saves),
   * unless the output has it already (no change, so reopening does not mark it modified).
   * @param {CustomEvent} event
   */
  write(event) {
    const data = event.detail?.data;
    const model = this.model;
    if (model === null || !isObject(data) || !isObject(data[this.mime])) return;
    if (data[this.mime].model_id !== this.payload?.model_id) return; // not our run
    try {
      this.readPayload(data[this.mime]);
    } catch (err) {
      if (err instanceof PayloadError) return;
      throw err;
    }
    /** @type {Record<string, any>} */
    const next = { ...model.data };
    for (const key of [this.mime, ...WRITABLE]) if (key in data) next[key] = data[key];
    if (typeof next["text/html"] !== "string" || typeof next["text/plain"] !== "string") return;
    if (JSONExt.deepEqual(next, /** @type {any} */ (model.data))) return;
    model.setData({ data: next });
  }
}

export { endOfStatus, isObject, PayloadError, renderSaved, TRANSCRIPT_MIME };
