// The answers of a paused tool call, a chunk of its own (nbagent/static/answer.js, carried
// by the code model's `answer` trait, loaded the first time a live run shows a paused call):
// Run, Edit arguments, Mock result and Deny with their forms; an MCP server's question
// (a pause with `schema` and `fill`, nbagent/agent/mcp.py) as the form built from its
// schema by the inspector's own js/src/panels/inspector/form.js, with Accept, Decline and Dismiss;
// and the code hint when nbagent cannot resume the call. It fills the bundle's PauseBox
// (js/src/panels/pause.js), which draws the rest. Answers go to the kernel as JSON data
// (`pause_answer`), never as code; everything from the model or a server goes in as text.
// An ACP agent's request (a pause with `options`, nbagent/adapters/acp/permission.py) gets
// one button per option the agent offered, named as it named them, answered with `choose`.

import { actionButton, clicks, editedArgs, fill } from "../base/controls.js";
import { h, setText } from "../base/format.js";
import { schemaForm } from "./inspector/form.js";

/**
 * @typedef {import("./pause.js").PauseBox} PauseBox
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {import("../store/store.js").PauseDetail} PauseDetail
 * @typedef {"edit" | "mock" | "deny"} FormMode
 * @typedef {Omit<import("../base/wire.js").PauseAnswer, "type" | "id">} Answer
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

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The question's schema with each field's default taken from the kernel's `fill` (where an
 * answer starts), so the form shows it. (fromEntries: a `__proto__` field stays a field.)
 * @param {Record<string, any>} schema
 * @param {Record<string, any>} start
 */
function prefilled(schema, start) {
  const props = isObject(schema.properties) ? schema.properties : {};
  const fields = Object.entries(props).map(([k, p]) => {
    const v = Object.hasOwn(start, k) ? start[k] : null;
    return [k, isObject(p) && v !== null && v !== undefined ? { ...p, default: v } : p];
  });
  return { ...schema, properties: Object.fromEntries(fields) };
}

class PauseControls {
  /**
   * @param {PauseBox} box
   * @param {AbortSignal} signal
   */
  constructor(box, signal) {
    this.box = box;
    this.signal = signal;
    this.run = button("Run", "run");
    this.edit = button("Edit arguments", "edit");
    this.mock = button("Mock result", "mock");
    this.deny = button("Deny", "deny");
    this.options = h("span", "nba-pause-options");
    box.bar.append(this.run, this.edit, this.mock, this.deny, this.options);
    /** The options the buttons were made for. */
    this.optionsKey = "";
    this.form = h("div", "nba-pause-form");
    this.label = h("div", "nba-pause-label");
    this.input = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-pause-input"));
    this.input.spellcheck = false;
    this.submit = button("", "submit");
    this.cancel = button("Cancel", "cancel");
    const buttons = h("div", "nba-pause-buttons");
    buttons.append(this.submit, this.cancel);
    this.form.append(this.label, this.input, buttons);
    // An MCP question: the form of its requested schema and its three answers.
    this.ask = h("div", "nba-pause-ask");
    this.fields = h("div", "nba-pause-fields");
    this.accept = button("Accept", "accept");
    this.decline = button("Decline", "decline");
    this.dismiss = button("Dismiss", "dismiss");
    const answers = h("div", "nba-tool-actions nba-pause-ask-buttons");
    answers.append(this.accept, this.decline, this.dismiss);
    this.ask.append(this.fields, answers);
    /** @type {{read: () => Record<string, unknown>} | null} */
    this.question = null;
    /** The schema and fill the question's form was built from (kept while they stay). */
    this.questionKey = "";
    /** Aborts the listeners of the question's current form. */
    this.questionAbort = new AbortController();
    this.hintCode = h("code");
    const pre = h("pre");
    pre.append(this.hintCode);
    this.copy = button("Copy", "copy");
    box.hint.append(pre, this.copy);
    box.bar.after(this.form, this.ask);
    /** @type {FormMode | null} */
    this.mode = null;
    /** The pause the buttons were last enabled for: a click disables them until it changes. */
    this.sentFor = "";

    const on = clicks(signal);
    on(this.run, () => this.send({ action: "run" }));
    on(this.edit, () => this.open("edit"));
    on(this.mock, () => this.open("mock"));
    on(this.deny, () => this.open("deny"));
    on(this.cancel, () => this.close());
    on(this.submit, () => this.submitForm());
    on(this.accept, () => this.acceptQuestion());
    on(this.decline, () => this.send({ action: "deny" }));
    on(this.dismiss, () => this.send({ action: "dismiss" }));
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
    signal.addEventListener("abort", () => this.questionAbort.abort());
    this.close();
  }

  /** @param {FormMode} mode */
  open(mode) {
    this.mode = mode;
    // A question's answer starts from the kernel's `fill` (its fields), a call's from its args.
    const last = this.box.last;
    const args = last?.pause?.fill ?? last?.args;
    fill(this.input, mode === "edit" ? JSON.stringify(args ?? {}, null, 2) : "");
    const [label, submit] = FORMS[mode];
    setText(this.label, label);
    this.input.setAttribute("aria-label", label);
    setText(this.submit, submit);
    this.form.hidden = false;
    this.box.showError("");
    this.input.focus();
  }

  close() {
    this.mode = null;
    this.form.hidden = true;
  }

  /** The edited arguments, or null with the error shown (nothing is sent). */
  parseArgs() {
    const edited = editedArgs(this.input.value);
    this.box.showError("error" in edited ? edited.error : "");
    return "args" in edited ? edited.args : null;
  }

  submitForm() {
    if (this.mode === "edit") {
      const args = this.parseArgs();
      if (args) this.send({ action: "run", args });
    } else if (this.mode === "mock") this.send({ action: "mock", result: this.input.value });
    else if (this.mode === "deny") this.send({ action: "deny", reason: this.input.value.trim() });
  }

  /** The question's fields as the form reads them, or its error shown (nothing is sent). */
  acceptQuestion() {
    if (!this.question) return;
    try {
      const args = this.question.read();
      this.box.showError("");
      this.send({ action: "run", args });
    } catch (e) {
      this.box.showError(e instanceof Error ? e.message : String(e));
    }
  }

  /** @param {Answer} answer */
  send(answer) {
    this.sentFor = JSON.stringify(this.box.last?.pause ?? null);
    this.setDisabled(true);
    this.box.actions.send({ type: "pause_answer", id: this.box.id, ...answer });
  }

  /**
   * One button per option the agent offered (made again only when they change).
   * @param {unknown[]} options
   */
  showOptions(options) {
    const key = JSON.stringify(options);
    if (key === this.optionsKey) return;
    this.optionsKey = key;
    const on = clicks(this.signal);
    this.options.replaceChildren(
      ...options.filter(isObject).map((o) => {
        const b = button(String(o.name ?? o.id), "option");
        b.dataset.kind = String(o.kind ?? "");
        on(b, () => {
          this.sentFor = JSON.stringify(this.box.last?.pause ?? null);
          this.setDisabled(true);
          this.box.actions.send({ type: "choose", id: this.box.id, option: String(o.id) });
        });
        return b;
      }),
    );
  }

  /** @param {boolean} disabled */
  setDisabled(disabled) {
    const own = /** @type {HTMLButtonElement[]} */ ([...this.options.children]);
    const all = [this.run, this.edit, this.mock, this.deny, this.submit, ...own];
    for (const b of [...all, this.accept, this.decline, this.dismiss]) b.disabled = disabled;
  }

  /**
   * The question's form, built again only when its schema or starting fields change (a
   * refused answer keeps what was typed).
   * @param {PauseDetail} pause
   */
  showQuestion(pause) {
    const key = JSON.stringify([pause.schema, pause.fill]);
    if (key === this.questionKey) return;
    this.questionKey = key;
    this.questionAbort.abort();
    this.questionAbort = new AbortController();
    const schema = prefilled(
      /** @type {Record<string, any>} */ (pause.schema),
      /** @type {Record<string, any>} */ (pause.fill),
    );
    const form = schemaForm(schema, this.questionAbort.signal);
    this.question = form;
    this.fields.replaceChildren(form.el);
  }

  /**
   * @param {ToolBlock} b
   * @param {boolean} live the run goes on in a kernel that can take an answer
   */
  update(b, live) {
    const paused = b.state === "paused";
    const pause = paused ? (b.pause ?? null) : null;
    const actions = new Set(Array.isArray(pause?.actions) ? pause.actions : []);
    // A viewer of a served app sees the pause but cannot answer it: the author does.
    const mayAct = this.box.actions.mayAct?.() !== false;
    const options = Array.isArray(pause?.options) ? pause.options : [];
    const answerable = live && (actions.size > 0 || options.length > 0) && mayAct;
    const question = isObject(pause?.schema) && isObject(pause?.fill);
    this.box.bar.hidden = !answerable || question;
    // The agent's own options stand for Run and Deny (ACP cannot carry edits or mocks).
    const own = options.length > 0;
    this.run.hidden = own || !actions.has("run");
    this.edit.hidden = own || !actions.has("edit");
    this.mock.hidden = own || !actions.has("mock");
    this.deny.hidden = own || !actions.has("deny");
    this.showOptions(options);
    if (!answerable || question) this.close();
    this.ask.hidden = !answerable || !question;
    if (pause && answerable && question) this.showQuestion(pause);
    this.accept.hidden = !actions.has("run");
    this.decline.hidden = !actions.has("deny");
    this.dismiss.hidden = !actions.has("dismiss");
    if (JSON.stringify(pause) !== this.sentFor) this.setDisabled(false);
    const hint =
      paused && mayAct && actions.size === 0 && typeof pause?.hint === "string" ? pause.hint : "";
    this.box.hint.hidden = !hint;
    setText(this.hintCode, hint);
  }
}

export default {
  /**
   * @param {PauseBox} box
   * @param {AbortSignal} signal
   */
  controls: (box, signal) => new PauseControls(box, signal),
};
