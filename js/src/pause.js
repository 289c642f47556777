// A tool call paused before it runs (nbagent/runtime/pause.py): the tool panel's Run, Edit
// arguments, Mock result and Deny while the run waits, a code hint when nbagent cannot resume
// it, and how it was answered afterwards. Answers go to the kernel as JSON data
// (`pause_answer`), never as code; everything from the model goes in with textContent.

import { actionButton, clicks, fill, h, setText } from "./format.js";
import { editedArgs } from "./rerun.js";

/**
 * @typedef {import("./store.js").ToolBlock} ToolBlock
 * @typedef {import("./store.js").PauseDetail} PauseDetail
 * @typedef {{send: (msg: object) => void, mayAct?: () => boolean}} PauseActions
 * @typedef {"edit" | "mock" | "deny"} FormMode
 */

/** Each form: the textarea's label, its submit button's and the action sent. */
const FORMS = {
  edit: ["Arguments (JSON)", "Run with these arguments"],
  mock: ["Result for the model", "Send result"],
  deny: ["Reason for the model (optional)", "Deny"],
};

/**
 * @param {string} label
 * @param {string} name the button's class is `nba-pause-<name>`
 */
const button = (label, name) => actionButton(label, `nba-pause-${name}`);

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
    this.el = h("div", "nba-pause");
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "Paused tool call");
    this.head = h("div", "nba-pause-head");
    this.bar = h("div", "nba-tool-actions nba-pause-bar");
    this.run = button("Run", "run");
    this.edit = button("Edit arguments", "edit");
    this.mock = button("Mock result", "mock");
    this.deny = button("Deny", "deny");
    this.bar.append(this.run, this.edit, this.mock, this.deny);
    this.form = h("div", "nba-pause-form");
    this.label = h("div", "nba-pause-label");
    this.input = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-pause-input"));
    this.input.spellcheck = false;
    this.submit = button("", "submit");
    this.cancel = button("Cancel", "cancel");
    const buttons = h("div", "nba-pause-buttons");
    buttons.append(this.submit, this.cancel);
    this.form.append(this.label, this.input, buttons);
    this.error = h("div", "nba-pause-error");
    this.error.setAttribute("role", "alert");
    this.hint = h("div", "nba-pause-hint");
    this.hintCode = h("code");
    const pre = h("pre");
    pre.append(this.hintCode);
    this.copy = button("Copy", "copy");
    this.hint.append(pre, this.copy);
    this.answered = h("div", "nba-pause-answer");
    this.el.append(this.head, this.bar, this.form, this.error, this.hint, this.answered);
    /** @type {FormMode | null} */
    this.mode = null;
    /** The pause the buttons were last enabled for: a click disables them until it changes. */
    this.sentFor = "";
    /** @type {ToolBlock | null} */
    this.last = null;

    const on = clicks(signal);
    on(this.run, () => this.send({ action: "run" }));
    on(this.edit, () => this.open("edit"));
    on(this.mock, () => this.open("mock"));
    on(this.deny, () => this.open("deny"));
    on(this.cancel, () => this.close());
    on(this.submit, () => this.submitForm());
    on(this.copy, async () => {
      try {
        await navigator.clipboard.writeText(this.hintCode.textContent ?? "");
        setText(this.copy, "Copied");
      } catch {
        setText(this.copy, "Failed");
      }
    });
    this.input.addEventListener("input", () => this.mode === "edit" && this.parseArgs(), {
      signal,
    });
    this.close();
    this.showError("");
  }

  /** @param {FormMode} mode */
  open(mode) {
    this.mode = mode;
    // A question's answer starts from the kernel's `fill` (its fields), a call's from its args.
    const args = this.last?.pause?.fill ?? this.last?.args;
    fill(this.input, mode === "edit" ? JSON.stringify(args ?? {}, null, 2) : "");
    const [label, submit] = FORMS[mode];
    setText(this.label, label);
    this.input.setAttribute("aria-label", label);
    setText(this.submit, submit);
    this.form.hidden = false;
    this.showError("");
    this.input.focus();
  }

  close() {
    this.mode = null;
    this.form.hidden = true;
  }

  /** The edited arguments, or null with the error shown (nothing is sent). */
  parseArgs() {
    const edited = editedArgs(this.input.value);
    this.showError("error" in edited ? edited.error : "");
    return "args" in edited ? edited.args : null;
  }

  submitForm() {
    if (this.mode === "edit") {
      const args = this.parseArgs();
      if (args) this.send({ action: "run", args });
    } else if (this.mode === "mock") this.send({ action: "mock", result: this.input.value });
    else if (this.mode === "deny") this.send({ action: "deny", reason: this.input.value.trim() });
  }

  /** @param {{action: string, args?: object, result?: string, reason?: string}} answer */
  send(answer) {
    this.sentFor = JSON.stringify(this.last?.pause ?? null);
    this.setDisabled(true);
    this.actions.send({ type: "pause_answer", id: this.id, ...answer });
  }

  /** @param {boolean} disabled */
  setDisabled(disabled) {
    for (const b of [this.run, this.edit, this.mock, this.deny, this.submit]) b.disabled = disabled;
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
    const paused = b.state === "paused";
    const pause = paused ? (b.pause ?? null) : null;
    const actions = new Set(Array.isArray(pause?.actions) ? pause.actions : []);
    // A viewer of a served app sees the pause but cannot answer it: the author does.
    const mayAct = this.actions.mayAct?.() !== false;
    const answerable = live && actions.size > 0 && mayAct;
    this.el.hidden = !paused && !b.answer;
    this.el.classList.toggle("nba-pause-waiting", paused);
    const origin = pause?.origin && pause.origin !== "breakpoint" ? ` (${pause.origin})` : "";
    const whom = waitingFor(this.actions);
    const head = pause?.head ?? "Paused before this call";
    setText(this.head, paused ? `${head} — waiting for ${whom}${origin}` : "");
    this.head.hidden = !paused;
    this.bar.hidden = !answerable;
    this.run.hidden = !actions.has("run");
    this.edit.hidden = !actions.has("edit");
    this.mock.hidden = !actions.has("mock");
    this.deny.hidden = !actions.has("deny");
    if (!answerable) this.close();
    const key = JSON.stringify(pause);
    if (key !== this.sentFor) this.setDisabled(false);
    const refused = typeof pause?.error === "string" ? pause.error : "";
    if (refused || !paused) this.showError(refused);
    const hint =
      paused && mayAct && actions.size === 0 && typeof pause?.hint === "string" ? pause.hint : "";
    this.hint.hidden = !hint;
    setText(this.hintCode, hint);
    const said = answerText(b);
    this.answered.hidden = !said;
    setText(this.answered, said);
  }
}
