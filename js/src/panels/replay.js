// The replay bar of a run played from a recording: where it is ("event 12 of 340") and, for
// a step replay, the buttons that play on. The position comes from the `replay` trait, which
// the kernel writes when a step is done (never per event); a click sends {type: "step", to}.
// In the debug chunk (js/src/panels/run_debug.js), folded in the footer's details.

import { plural } from "../base/controls.js";
import { h, setText } from "../base/format.js";

/** The event the bar sends up when its buttons appear: the footer's details, where it is
 * folded, open to show them (they wait for a click). */
export const NEEDS_CLICK = "nba-needs-click";

/**
 * @typedef {{position?: number, total?: number, step?: boolean, speed?: number,
 *   paused?: boolean}} ReplayState
 */

/** The step buttons: the message's `to`, the label. */
const STEPS = /** @type {const} */ ([
  ["event", "Next event"],
  ["tool", "Next tool call"],
  ["end", "To end"],
]);

/**
 * The bar's text.
 * @param {ReplayState} r
 * @param {boolean} running
 */
export function replayLabel(r, running) {
  const total = Number(r.total ?? 0);
  if (r.step || !running) {
    const where = `event ${Number(r.position ?? 0)} of ${total}`;
    return `${r.step && r.paused && running ? "Replay paused" : "Replay"} · ${where}`;
  }
  const speed = Number(r.speed ?? 1);
  const pace = speed === 0 ? "as fast as possible" : `${speed}× speed`;
  return `Replay · ${plural(total, "event")} · ${pace}`;
}

export class ReplayBar {
  /**
   * @param {{get(key: string): any}} model
   * @param {(msg: import("../base/wire.js").PageMessage) => void} send
   * @param {AbortSignal} signal
   * @param {HTMLElement} [el] its element
   */
  constructor(model, send, signal, el = h("div", "nba-replay")) {
    this.model = model;
    this.el = el;
    this.label = h("span", "nba-replay-label");
    this.label.setAttribute("aria-live", "polite");
    this.buttons = h("span", "nba-replay-buttons");
    for (const [to, text] of STEPS) {
      const b = h("button", "nba-step-button", text);
      b.type = "button";
      b.addEventListener("click", () => send({ type: "step", to }), { signal });
      this.buttons.append(b);
    }
    this.el.append(this.label, this.buttons);
    this.el.hidden = true;
    this.buttons.hidden = true;
  }

  /** @param {boolean} running whether the run is still going */
  update(running) {
    /** @type {ReplayState} */
    const r = this.model.get("replay") ?? {};
    const shown = typeof r.total === "number";
    this.el.hidden = !shown;
    if (!shown) return;
    setText(this.label, replayLabel(r, running));
    const waiting = Boolean(r.step && running);
    if (waiting && this.buttons.hidden)
      this.el.dispatchEvent(new Event(NEEDS_CLICK, { bubbles: true }));
    this.buttons.hidden = !waiting;
  }
}
