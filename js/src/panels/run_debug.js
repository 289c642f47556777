// What the debug chunk adds to a run's view (view.js TranscriptView) once it is here: the
// timeline between the transcript and the footer, with its toggle on the status line; the step
// lines in the footer's details, each model step with "Fork here" (forks.js StepForks); a
// replay's bar folded in the details. The kernel sends the chunk with the first step, timed
// call or replay (nbagent/widget/chunks.py mentions_debug): before, a view has none of them to
// show.

import { h } from "../base/format.js";
import { num } from "../base/numbers.js";
import { canFork, StepForks } from "./forks.js";
import { NEEDS_CLICK, ReplayBar } from "./replay.js";
import { topSteps } from "./status_words.js";
import { stepLines } from "./step_lines.js";
import { TimelineView } from "./timeline.js";
import { hasTiming, TIMELINE_KEY } from "./timing.js";

/**
 * @typedef {import("../store/store.js").Change} Change
 * @typedef {{root: HTMLElement, store: import("../store/store.js").Store,
 *   status: import("./status.js").StatusBar, model: {get(key: string): any},
 *   ac: AbortController, raf: (cb: FrameRequestCallback) => number,
 *   cancelRaf: (id: number) => void, mayAct: () => boolean}} DebugOwner
 *   What the debug parts take of the transcript's view they are added to.
 */

export class RunDebug {
  /** @param {DebugOwner} view */
  constructor(view) {
    const { status, ac } = view;
    this.view = view;
    this.signal = ac.signal;
    this.timelineEl = h("div", "nba-timeline");
    this.timelineEl.hidden = true;
    /** @type {TimelineView | null} made the first time the reader opens the timeline */
    this.timeline = null;
    view.root.insertBefore(this.timelineEl, status.el);
    this.toggle = this.timelineButton();
    status.toggle.before(this.toggle);
    this.steps = h("ul", "nba-steps");
    this.stepsKey = "";
    /** "Fork here", made with the first step that forks. @type {StepForks | null} */
    this.stepForks = null;
    this.replayEl = h("div", "nba-replay");
    this.replayEl.hidden = true;
    /** @type {ReplayBar | null} made when the model's `replay` says a recording plays */
    this.bar = null;
    status.details.prepend(this.steps);
    status.details.append(this.replayEl); // the replay bar is folded in the footer's details
    // A step replay's buttons wait for a click: the details open to show them, once.
    status.details.addEventListener(
      NEEDS_CLICK,
      () => {
        if (!status.toggled) status.setOpen(true);
      },
      { signal: this.signal },
    );
    status.extras.push({ update: () => this.footer() });
  }

  /** The timeline's toggle: the choice is the store's (every view of the run, a re-created one). */
  timelineButton() {
    const store = this.view.store;
    const button = h("button", "nba-timeline-toggle", "Timeline");
    button.type = "button"; // shown and pressed or not by footer()
    button.addEventListener(
      "click",
      () => {
        const ui = store.uiFor(TIMELINE_KEY);
        ui.open = !ui.open;
        button.ariaPressed = String(ui.open); // at once; the timeline comes with the frame
        store.touch();
      },
      { signal: this.signal },
    );
    return button;
  }

  /** The footer's parts: the timeline's toggle, and the step lines while the details are open. */
  footer() {
    const { store, status } = this.view;
    const s = store.state;
    // Nothing timed (a plain text stream): no toggle rather than an empty timeline.
    this.toggle.hidden = !hasTiming(s);
    this.toggle.ariaPressed = String(store.uiFor(TIMELINE_KEY).open === true);
    // Folded: nothing to compute or lay out until the reader opens them.
    if (status.details.hidden) return;
    const lines = stepLines(s);
    // An ended agent run's model steps fork: "Fork here"; another run's are disabled, saying why.
    const can = s.status !== "running" && lines.length > 0 && canFork(this.view);
    if (can && !this.stepForks) {
      this.stepForks = new StepForks(status.send, this.signal);
      this.steps.after(this.stepForks.note, this.stepForks.editor);
    }
    const key = `${lines.join("\n")}\n${can}`;
    if (key === this.stepsKey) return;
    this.stepsKey = key;
    const steps = topSteps(s);
    this.steps.replaceChildren(
      ...lines.map((line, n) => {
        const li = h("li", "nba-step", line);
        const id = String(steps[n]?.id ?? "");
        // The answer's step (no tools' step after it) forks with a message only.
        const answer = !String(steps[n + 1]?.id).startsWith("tools");
        if (can && this.stepForks && /^model-\d+$/.test(id) && num(steps[n].ended_at) !== null)
          li.append(" ", this.stepForks.button(id, n + 1, can, answer));
        return li;
      }),
    );
    this.steps.hidden = lines.length === 0;
  }

  /**
   * After the view's render: the timeline (made once the reader opens it), and the replay's bar
   * where the run's model has a `replay` (on a change of the run or a reset).
   * @param {Change} change
   * @param {boolean} running
   */
  update(change, running) {
    const { store, model } = this.view;
    if (!this.timeline && store.uiFor(TIMELINE_KEY).open === true) {
      const { raf, cancelRaf } = this.view;
      this.timeline = new TimelineView(store, raf, cancelRaf, this.timelineEl);
    }
    this.timeline?.update();
    if (!(change.run || change.reset)) return;
    if (!this.bar && typeof model.get("replay")?.total === "number")
      this.bar = new ReplayBar(model, this.view.status.send, this.signal, this.replayEl);
    this.bar?.update(running);
  }

  destroy() {
    this.timeline?.destroy();
  }
}
