// A tool call paused before it runs (nbagent/runtime/pause.py): what a tool panel (the tools
// chunk's, js/src/widget/tools_chunk.js) draws of it, which saved notebooks and pages without a
// kernel read too: its head line ("… — waiting for you"), why the kernel refused the last
// answer, and how it was answered afterwards. The answers themselves (Run, Edit arguments,
// Mock result, Deny, an MCP question's form, the code hint) are the answer chunk's
// (js/src/panels/answer_chunk.js, held by js/src/base/answer.js), loaded the first time a live run
// shows a paused call: only a page that can answer one needs them.
// Everything from the model or a server goes in with textContent.
// Twin: nbagent/transcript/export/common.py

import { answerChunk as answer } from "../base/answer.js";
import { h, setText } from "../base/format.js";

/**
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {{send: (msg: import("../base/wire.js").PageMessage) => void, mayAct?: () => boolean}} PauseActions
 * @typedef {import("../base/answer.js").PauseControls} PauseControls
 */

/**
 * How a call went on, in words (the panel's line after the answer).
 * @param {ToolBlock} b
 */
export function answerText(b) {
  const a = b.answer;
  if (!a) return "";
  if (a.action === "mock") return "Mocked: the tool did not run.";
  if (a.action === "deny") return `Denied${a.reason ? `: ${a.reason}` : ""}`;
  if (a.action === "cancel") return "Stopped while paused.";
  if (a.action === "dismiss") return "Dismissed: the server was told the question went unanswered.";
  return a.edited
    ? `Run with edited arguments; asked: ${JSON.stringify(b.asked_args)}`
    : "Approved.";
}

/**
 * Who a paused call waits for: the page's user, or (a viewer of a served app, who cannot
 * answer it) the notebook's author.
 * @param {PauseActions} actions
 */
export const waitingFor = (actions) =>
  actions.mayAct?.() === false ? "the notebook's author" : "you";

export class PauseBox {
  /**
   * @param {string} id the tool call's id
   * @param {PauseActions} actions
   * @param {AbortSignal} signal
   */
  constructor(id, actions, signal) {
    this.id = id;
    this.actions = actions;
    this.signal = signal;
    this.el = h("div", "nba-pause");
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "Paused tool call");
    this.head = h("div", "nba-pause-head");
    // Where the chunk's buttons and code hint go (empty, hidden until then).
    this.bar = h("div", "nba-tool-actions nba-pause-bar");
    this.error = h("div", "nba-pause-error");
    this.error.setAttribute("role", "alert");
    this.hint = h("div", "nba-pause-hint");
    this.answered = h("div", "nba-pause-answer");
    this.bar.hidden = this.hint.hidden = true;
    this.el.append(this.head, this.bar, this.error, this.hint, this.answered);
    /** The chunk's buttons, forms and hint, once a live pause needed them. @type {PauseControls | null} */
    this.controls = null;
    /** @type {ToolBlock | null} */
    this.last = null;
    this.live = false;
    this.showError("");
  }

  /** @param {string} message */
  showError(message) {
    setText(this.error, message);
    this.error.hidden = !message;
  }

  /**
   * @param {ToolBlock} b
   * @param {boolean} live the run goes on in a kernel that can take an answer
   */
  update(b, live) {
    this.last = b;
    this.live = live;
    const paused = b.state === "paused";
    const pause = paused ? (b.pause ?? null) : null;
    this.el.hidden = !paused && !b.answer;
    this.el.classList.toggle("nba-pause-waiting", paused);
    const origin = pause?.origin && pause.origin !== "breakpoint" ? ` (${pause.origin})` : "";
    const head = pause?.head ?? "Paused before this call";
    setText(this.head, paused ? `${head} — waiting for ${waitingFor(this.actions)}${origin}` : "");
    this.head.hidden = !paused;
    const refused = typeof pause?.error === "string" ? pause.error : "";
    if (refused || !paused) this.showError(refused);
    const said = answerText(b);
    this.answered.hidden = !said;
    setText(this.answered, said);
    // A call only its framework resumes keeps its code hint after the run ended.
    const wanted = live || typeof pause?.hint === "string";
    if (!this.controls && paused && wanted && this.actions.mayAct?.() !== false) this.attach();
    this.controls?.update(b, live);
  }

  /** The chunk's controls, at once when it is here, else when it arrives. */
  attach() {
    const chunk = answer.get();
    if (chunk) {
      this.controls = chunk.controls(this, this.signal);
      return;
    }
    answer.load().then((c) => {
      if (!c || this.controls || this.signal.aborted) return;
      this.controls = c.controls(this, this.signal);
      if (this.last) this.controls.update(this.last, this.live);
    });
  }
}
