// Handing a finished run's output data to the frontend that shows it (nbagent's JupyterLab
// renderer, js/lab), which writes it into the cell output so a saved notebook keeps it.
//
// DOM events (bubbling, from a view's root): `HOST_EVENT` (cancelable) asks whether a host saves
// the output; nbagent's renderer cancels it, and only then is the kernel asked for the data
// (nobody else pays for it). `OUTPUT_EVENT` hands that data over.

import { isObject } from "../base/wire.js";

export const HOST_EVENT = "nbagent-output-host";
export const OUTPUT_EVENT = "nbagent-output";
export const TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json";

/** Frames a view waits to be put in the document before it gives up offering the output. */
const OFFER_FRAMES = 120;

/**
 * @typedef {{seq: number, output: {seq: number, data: Record<string, unknown>} | null,
 *   outputAsked: number, outputRequest(): import("../base/wire.js").OutputRequest}} OutputSource
 *   A Store or a LaneSet: `output` is the data assembled from the kernel's answer for state
 *   `seq`; `outputAsked` the `seq` it was last asked for (one request per state, however many
 *   views); `outputRequest()` the request (it says which runs' static parts it holds).
 * @typedef {{title: string | null, prompt: string | null, html: string, text: string}} Part
 *   A run's static part: what the browser cannot make itself (nbagent/output.py, RunOutput).
 */

/** @param {unknown} v */
const optionalString = (v) => (typeof v === "string" ? v : null);

/**
 * A run's state as a notebook saves it: the pictures and sounds over the saved bound (`saved`
 * false) without their data, which this page shows while it lives.
 * Twin: nbagent/transcript/media.py saved_state
 * @param {import("./store.js").State} s
 */
export const savedState = (s) => ({
  ...s,
  blocks: s.blocks?.map((b) => (b.type === "media" && b.saved === false ? { ...b, data: "" } : b)),
});

/**
 * The output data of a widget, assembled as the kernel would (nbagent/output.py, `assemble`)
 * from its answer to `output` and the states the browser already has: the answer carries the
 * head (the payload's fields, the title's HTML and text) and the static parts of the runs
 * whose part this does not hold yet (`{"type": "output", "seq", "head", "parts": [[run,
 * version, part], ...]}`, nbagent/wire.py). One per Store or LaneSet.
 */
export class OutputParts {
  constructor() {
    /** @type {Map<number, {version: number, part: Part}>} */
    this.parts = new Map();
  }

  /** @returns {import("../base/wire.js").OutputRequest} the `output` request, saying which parts are held */
  request() {
    const have = [...this.parts].map(([run, p]) => [run, p.version]);
    return { type: "output", have };
  }

  /**
   * Keep the answer's parts; the output data over `states` (one per run, in order), or null
   * when the answer is malformed or a run's part is missing (then none is held: the next
   * request asks for all).
   * @param {Record<string, any>} answer
   * @param {import("./store.js").State[]} states
   * @returns {Record<string, unknown> | null}
   */
  take(answer, states) {
    const head = answer.head;
    if (!isObject(head) || typeof head.html !== "string" || typeof head.text !== "string") {
      return null;
    }
    for (const entry of Array.isArray(answer.parts) ? answer.parts : []) {
      const [run, version, part] = Array.isArray(entry) ? entry : [];
      if (!Number.isInteger(run) || typeof version !== "number" || !isObject(part)) continue;
      if (typeof part.html !== "string" || typeof part.text !== "string") continue;
      const { html, text } = part;
      const title = optionalString(part.title);
      const prompt = optionalString(part.prompt);
      this.parts.set(run, { version, part: { title, prompt, html, text } });
    }
    /** @type {Part[]} */
    const parts = [];
    for (let run = 0; run < states.length; run++) {
      const held = this.parts.get(run);
      if (!held) {
        this.parts.clear();
        return null;
      }
      parts.push(held.part);
    }
    const runs = parts.map((p, i) => ({
      title: p.title,
      prompt: p.prompt,
      state: structuredClone(savedState(states[i])),
    }));
    return {
      [TRANSCRIPT_MIME]: {
        version: head.version,
        layout: head.layout,
        model_id: head.model_id,
        title: head.title,
        runs,
      },
      "text/html": head.html + parts.map((p) => p.html).join("\n"),
      "text/plain": head.text + parts.map((p) => p.text).join("\n\n"),
    };
  }
}

export class OutputOffer {
  /**
   * @param {HTMLElement} root where the events start
   * @param {OutputSource} source
   * @param {(content: import("../base/wire.js").PageMessage) => void} send to the kernel
   * @param {(cb: FrameRequestCallback) => number} raf
   * @param {AbortSignal} signal
   */
  constructor(root, source, send, raf, signal) {
    this.root = root;
    this.source = source;
    this.send = send;
    this.raf = raf;
    this.signal = signal;
    /** The output data last handed over. */
    this.offered = /** @type {unknown} */ (null);
    /** The `seq` a host was last looked for (once per state). */
    this.hostAsked = -1;
    /** Waiting for the document before offering. */
    this.waiting = false;
  }

  /** The run is over: offer its output (asking the kernel first when a host wants it). */
  offer(frames = 0) {
    if (this.waiting && frames === 0) return;
    this.waiting = false;
    const source = this.source;
    const output = source.output;
    if (this.signal.aborted) return;
    if (output !== null && output.seq === source.seq) {
      if (output === this.offered) return;
      if (!this.root.isConnected) return this.waitForDocument(frames);
      this.offered = output;
      const detail = { data: output.data };
      this.root.dispatchEvent(new CustomEvent(OUTPUT_EVENT, { bubbles: true, detail }));
      return;
    }
    if (this.hostAsked === source.seq) return;
    if (!this.root.isConnected) return this.waitForDocument(frames);
    this.hostAsked = source.seq;
    const ask = new CustomEvent(HOST_EVENT, { bubbles: true, cancelable: true });
    if (this.root.dispatchEvent(ask) || source.outputAsked === source.seq) return;
    source.outputAsked = source.seq;
    this.send(source.outputRequest());
  }

  /** @param {number} frames */
  waitForDocument(frames) {
    this.waiting = frames < OFFER_FRAMES;
    if (this.waiting) this.raf(() => this.offer(frames + 1));
  }
}
