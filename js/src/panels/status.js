// The footer: one status line (spinner, label, first token, tok/s, elapsed, tokens, cost, a
// details toggle, Stop) and the details folded under it (usage, what tok/s is made of). Its
// words are status_words.js's. What a run with steps, timed calls or a replay adds (the
// timeline's toggle, the step lines with "Fork here", the replay bar) is the debug chunk's
// (js/src/panels/run_debug.js), a part of the footer (`extras`); its warnings and the note that
// the kernel cannot be reached, which stay in view under it, the trouble chunk's (trouble.js).
// Twin: nbagent/transcript/export/static_html.py

import { acp } from "../base/acp.js";
import { h, setText } from "../base/format.js";
import { trouble, troubleChunk } from "../base/trouble.js";
import { detailLines, statusLabel, statusParts } from "./status_words.js";

/** @typedef {import("../store/store.js").State} State */

export class StatusBar {
  /**
   * @param {import("../store/store.js").Store} store
   * @param {(msg: import("../base/wire.js").PageMessage) => void} send
   * @param {AbortSignal} signal
   * @param {{n: number}} [ids] the page's count of ids (page.js): the details' aria-controls
   */
  constructor(store, send, signal, ids = { n: 0 }) {
    this.store = store;
    this.send = send;
    this.signal = signal;
    /**
     * What a chunk adds to the footer (the debug chunk's: run_debug.js), updated with it.
     * @type {{update(): void}[]}
     */
    this.extras = [];
    this.el = h("div", "nba-footer");
    this.line = h("div", "nba-status");
    this.line.setAttribute("role", "status");
    this.spin = h("span", "nba-spinner");
    this.label = h("span", "nba-status-label");
    this.parts = h("span", "nba-status-parts");
    this.toggle = h("button", "nba-details-toggle", "Details");
    this.toggle.type = "button";
    this.toggle.setAttribute("aria-expanded", "false");
    this.stop = h("button", "nba-stop", "Stop");
    this.stop.type = "button";
    this.line.append(this.spin, this.label, this.parts, this.toggle, this.stop);
    this.details = h("div", "nba-details");
    this.details.id = `nba-details-${++ids.n}`;
    this.details.hidden = true;
    this.toggle.setAttribute("aria-controls", this.details.id);
    this.usage = h("div", "nba-details-usage");
    this.counts = h("div", "nba-details-counts");
    this.details.append(this.usage, this.counts);
    /** Whether the reader opened or closed the details: then nothing opens them for them. */
    this.toggled = false;
    this.el.append(this.line, this.details);
    this.toggle.addEventListener(
      "click",
      () => {
        this.toggled = true;
        this.setOpen(this.toggle.getAttribute("aria-expanded") !== "true");
      },
      { signal },
    );
    this.stop.addEventListener(
      "click",
      () => {
        if (this.store.stopping) return;
        send({ type: "stop" });
        this.store.stopping = true;
        this.store.touch();
        // Sent again while the run goes on (the trouble chunk's: a running run has it).
        troubleChunk.get()?.stopAgain(this.store, send, signal);
      },
      { signal },
    );
    // A line of streamed text that wraps pushes the footer down: a Stop pressed just then is
    // released off the button, and the browser clicks nothing (the run streams on). Captured,
    // the release is the button's wherever the button went, as a touch's always is.
    this.stop.onpointerdown = (e) => this.stop.setPointerCapture(e.pointerId);
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.details.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) this.update();
  }

  update() {
    const s = this.store.state;
    const running = s.status === "running";
    this.el.classList.toggle("nba-running", running);
    for (const st of ["completed", "error", "cancelled"])
      this.el.classList.toggle(`nba-${st}`, s.status === st);
    // A run waiting for the reader is not working: no spinner, the label says what waits.
    const label = statusLabel(s);
    const paused = running && label.startsWith("paused");
    this.el.classList.toggle("nba-paused", paused);
    this.spin.hidden = !running || paused;
    const now = this.store.now();
    setText(this.label, label);
    setText(this.parts, statusParts(s, now).join(" · "));
    this.stop.hidden = !running;
    this.stop.disabled = this.store.stopping;
    setText(this.stop, this.store.stopping ? "Stopping…" : "Stop");
    // Folded: nothing to compute or lay out until the reader opens them.
    if (!this.details.hidden) {
      const [usage, counts] = detailLines(s, now);
      setText(this.usage, usage);
      setText(this.counts, counts);
    }
    for (const part of this.extras) part.update();
    const warned = Array.isArray(s.warnings) && s.warnings.length > 0;
    trouble(this, warned || (running && this.store.unreachable));
    acp("status", this, s.plan || s.context || s.session);
  }
}
