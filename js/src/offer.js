// Handing a finished run's output data to the frontend that shows it (nbagent's JupyterLab
// renderer, js/lab), which writes it into the cell output so a saved notebook keeps it.
//
// DOM events (bubbling, from a view's root): `HOST_EVENT` (cancelable) asks whether a host saves
// the output; nbagent's renderer cancels it, and only then is the kernel asked for the data
// (nobody else pays for it). `OUTPUT_EVENT` hands that data over.

export const HOST_EVENT = "nbagent-output-host";
export const OUTPUT_EVENT = "nbagent-output";

/** Frames a view waits to be put in the document before it gives up offering the output. */
const OFFER_FRAMES = 120;

/**
 * @typedef {{seq: number, output: {seq: number, data: Record<string, unknown>} | null,
 *   outputAsked: number}} OutputSource
 *   A Store or a LaneSet: `output` is the kernel's answer for state `seq`; `outputAsked` the
 *   `seq` it was last asked for (one request per state, however many views).
 */

export class OutputOffer {
  /**
   * @param {HTMLElement} root where the events start
   * @param {OutputSource} source
   * @param {(content: object) => void} send to the kernel
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
    this.send({ type: "output" });
  }

  /** @param {number} frames */
  waitForDocument(frames) {
    this.waiting = frames < OFFER_FRAMES;
    if (this.waiting) this.raf(() => this.offer(frames + 1));
  }
}
