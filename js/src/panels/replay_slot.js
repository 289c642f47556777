// Where a replay's bar goes (js/src/panels/replay.js, in the debug chunk: js/src/base/debug.js): an empty
// hidden bar until the model's `replay` trait says a recording plays (the kernel sends the
// chunk with that trait, nbagent/widget/chunks.py).

import { withChunk } from "../base/chunks.js";
import { debugChunk } from "../base/debug.js";
import { h } from "../base/format.js";

/** The event the bar sends up when its buttons appear: the footer's details, where it is
 * folded, open to show them (they wait for a click). */
export const NEEDS_CLICK = "nba-needs-click";

export class ReplaySlot {
  /**
   * @param {{get(key: string): any}} model
   * @param {(msg: import("../base/wire.js").PageMessage) => void} send
   * @param {AbortSignal} signal
   */
  constructor(model, send, signal) {
    this.model = model;
    this.send = send;
    this.signal = signal;
    this.el = h("div", "nba-replay");
    this.el.hidden = true;
    /** @type {{update(running: boolean): void} | null} */
    this.bar = null;
    this.running = false;
  }

  /** @param {boolean} running whether the run is still going */
  update(running) {
    this.running = running;
    if (this.bar || typeof this.model.get("replay")?.total !== "number") {
      this.bar?.update(running);
      return;
    }
    withChunk(debugChunk, this.signal, (c) => {
      this.bar ??= new c.ReplayBar(this.model, this.send, this.signal, this.el);
      this.bar.update(this.running);
    });
  }
}
