// The notebook's kernel as the lab renderer (renderer.js) watches it: when it restarts or
// goes, the live widget's runs can hear no end from it, so the renderer tells its views to end
// them (js/src/base/kernel_end.js).

import { endOfStatus } from "./hosts.js";

/**
 * @typedef {import("../../src/base/kernel_end.js").PageEnd} PageEnd
 * @typedef {{connect(slot: (sender: any, value: any) => void, thisArg?: unknown): boolean,
 *   disconnect(slot: (sender: any, value: any) => void, thisArg?: unknown): boolean}} Signal
 * @typedef {{ready: Promise<void>, statusChanged?: Signal, kernelChanged?: Signal}} Session
 *   the notebook panel's session context (duck-typed)
 */

export class KernelWatch {
  /** @param {(reason: PageEnd) => void} onEnd called when the watched kernel ends */
  constructor(onEnd) {
    this.onEnd = onEnd;
    /** @type {Session | null} the notebook's session context */
    this.session = null;
  }

  /**
   * Watch `session`'s kernel from now on (null: none), no longer the one watched before.
   * @param {Session | null} session
   */
  watch(session) {
    if (this.session === session) return;
    this.session?.statusChanged?.disconnect(this.onKernelStatus, this);
    this.session?.kernelChanged?.disconnect(this.onKernelChanged, this);
    this.session = session;
    session?.statusChanged?.connect(this.onKernelStatus, this);
    session?.kernelChanged?.connect(this.onKernelChanged, this);
  }

  /** @param {unknown} _sender @param {unknown} status */
  onKernelStatus(_sender, status) {
    const end = endOfStatus(status);
    if (end !== null) this.onEnd(end);
  }

  /**
   * Another kernel, or none (shut down, changed): the old one's runs are over.
   * @param {unknown} _sender
   * @param {{oldValue?: unknown}} change
   */
  onKernelChanged(_sender, change) {
    if (change?.oldValue) this.onEnd("kernel_shutdown");
  }
}
