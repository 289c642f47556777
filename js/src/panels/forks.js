// Forks of an agent's run (nbagent/frameworks/fork.py): a tool panel's "Fork with an edited result",
// and the run's forks shown as lanes beside it. Each fork is a run with a widget model of its
// own, listed in the original's `forks` trait ("IPY_MODEL_<id>"); its lane is a TranscriptView
// of that model's store, so its Stop, Re-run and Fork buttons talk to the fork's kernel side.

import { actionButton, clicks, displayValue, fill } from "../base/controls.js";
import { h, setText } from "../base/format.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {import("./rerun.js").ToolActions} ToolActions
 * @typedef {import("../view/view.js").ViewModel} ViewModel
 * @typedef {ViewModel & {widget_manager?: {get_model(id: string): Promise<any>}}} ForksModel
 * @typedef {(model: any, el: HTMLElement) => {destroy(): void}} MountFork a fork's view in `el`
 */

const REF = "IPY_MODEL_";

/**
 * Whether a run's view may fork its run: true where the page may act and the kernel holds an
 * agent run whose steps fork (its model's `forks`, a list), else why not (`forks` null: the
 * kernel does not fork this run, said as `run.fork()` says it: `cannot_fork` of
 * nbagent/apps/replay.py's ReplayRun, its `replay` trait set, else of runtime/run.py's Run), or
 * nothing. Forks show beside a run's own widget, not in a lane or a chat turn.
 * @param {{model: {get(key: string): any}, mayAct: () => boolean}} view
 * @returns {unknown}
 */
export function canFork(view) {
  const forks = view.model.get("forks");
  const why = view.model.get("replay")?.total
    ? "a replay has no model to ask again"
    : "this run has no conversation to go on from";
  return view.mayAct() && (Array.isArray(forks) || (forks === null && why));
}

/**
 * A fork's editor, hidden until opened: its text box, and Fork and Cancel (which hides it) for
 * the caller to place.
 * @param {AbortSignal} signal
 */
function forkEditor(signal) {
  const editor = h("div", "nba-fork-editor");
  editor.hidden = true;
  const input = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-fork-result"));
  input.spellcheck = false;
  const fork = actionButton("Fork", "nba-fork-run");
  const cancel = actionButton("Cancel", "nba-fork-cancel");
  cancel.addEventListener("click", () => (editor.hidden = true), { signal });
  const buttons = h("div", "nba-rerun-buttons");
  buttons.append(fork, cancel);
  return { editor, input, fork, buttons };
}

/**
 * "Fork here" on the footer's step lines of an agent run (js/src/panels/status.js): after model
 * step N, the same agent goes on from the conversation so far, with the user message typed here as
 * its next one (optional after a step that called tools; after the answer, required: Fork waits
 * for it, as the kernel refuses a fork there without one). One editor under the step lines
 * serves every line's button. A run the kernel does not fork (a replay, a stream: `forks` null)
 * gets the buttons disabled, and the reason in a line under the steps.
 */
export class StepForks {
  /**
   * @param {(msg: import("../base/wire.js").PageMessage) => void} send
   * @param {AbortSignal} signal
   */
  constructor(send, signal) {
    this.signal = signal;
    const { editor, input, fork, buttons } = forkEditor(signal);
    this.editor = editor;
    this.input = input;
    this.fork = fork;
    this.input.rows = 2;
    this.label = h("label", "nba-pause-label");
    this.caption = h("span");
    this.label.append(this.caption, this.input);
    this.editor.append(this.label, buttons);
    /** @type {string | null} the step id the editor forks after */
    this.step = null;
    this.note = h("div", "nba-rerun-note nba-fork-note");
    this.note.hidden = true;
    /** whether the step forked after is the answer (a message is needed) */
    this.answer = false;
    const needs = () => (this.fork.disabled = this.answer && !this.input.value.trim());
    this.input.addEventListener("input", needs, { signal });
    this.needs = needs;
    this.fork.addEventListener(
      "click",
      () => {
        this.editor.hidden = true;
        const text = this.input.value.trim();
        send({ type: "fork", step: this.step, edit: text || null });
      },
      { signal },
    );
  }

  /**
   * The button of one step line.
   * @param {string} stepId "model-N"
   * @param {number} n the line's number
   * @param {unknown} [can] true, or why the run cannot fork (a clause, as `run.fork()` says it)
   * @param {boolean} [answer] the step is the answer (it called no tools): a message is needed
   */
  button(stepId, n, can = true, answer = false) {
    const b = actionButton("Fork here", "nba-step-fork");
    b.setAttribute("aria-label", `Fork after step ${n}`);
    const why = can === true ? "" : `Fork here needs a run of nbagent.Agent: ${can}`;
    b.disabled = !!why;
    b.title = why;
    this.note.hidden = !why;
    setText(this.note, why);
    b.addEventListener(
      "click",
      () => {
        this.step = stepId;
        this.input.value = "";
        this.answer = answer;
        this.needs();
        const optional = answer ? "" : " (optional)";
        setText(this.caption, `Fork after step ${n}. The next user message${optional}:`);
        this.editor.hidden = false;
        this.input.focus();
      },
      { signal: this.signal },
    );
    return b;
  }
}

/**
 * "Fork with an edited result" on a finished top-level tool call of an agent run: a textarea
 * holding the result; Fork asks the kernel for a new run from the step that made the call,
 * the model reading the edited text as the call's result.
 */
export class ForkBox {
  /**
   * @param {Store} store
   * @param {string} id the tool call's id
   * @param {ToolActions} actions
   * @param {AbortSignal} signal
   */
  constructor(store, id, actions, signal) {
    this.store = store;
    this.id = id;
    this.actions = actions;
    this.open = actionButton("Fork with an edited result", "nba-fork-open");
    const { editor, input, fork, buttons } = forkEditor(signal);
    this.editor = editor;
    this.input = input;
    this.fork = fork;
    this.input.setAttribute("aria-label", "Result the fork's model reads");
    this.editor.append(this.input, buttons);
    this.el = h("div", "nba-fork-box");
    this.el.append(this.open, this.editor);
    /** @type {unknown} */
    this.result = undefined;
    const on = clicks(signal);
    on(this.open, () => {
      fill(this.input, displayValue(this.result));
      this.editor.hidden = false;
      this.input.focus();
    });
    on(this.fork, () => {
      this.editor.hidden = true;
      // No step: the kernel knows which model step asked for this call.
      this.actions.send({ type: "fork", step: null, edit: { [this.id]: this.input.value } });
    });
  }

  /** @param {ToolBlock} b */
  update(b) {
    this.result = b.result;
    const store = this.store;
    // Only calls of the run's own conversation (not a sub-agent's), once their result came,
    // while a kernel holds the agent.
    const can =
      this.actions.canRerun() === true &&
      this.actions.canFork?.() === true &&
      !b.parent &&
      (b.state === "done" || b.state === "error") &&
      !store.unreachable &&
      store.pageEnd === null;
    this.el.hidden = !can;
    if (!can) this.editor.hidden = true;
  }
}

/**
 * The original run and its forks side by side: the original's view root moves into the first
 * lane of a row once the first fork comes (a run without forks keeps its plain layout).
 */
export class ForkLanes {
  /**
   * @param {ForksModel} model the original run's model
   * @param {HTMLElement} el the widget's element
   * @param {HTMLElement} root the original's view root (in `el`)
   * @param {MountFork} mount
   */
  constructor(model, el, root, mount) {
    this.model = model;
    this.el = el;
    this.root = root;
    this.mount = mount;
    /** @type {HTMLElement | null} */
    this.row = null;
    /** @type {Map<string, {el: HTMLElement, view: {destroy(): void} | null}>} */
    this.lanes = new Map();
    this.destroyed = false;
    this.onForks = () => void this.update();
    model.on("change:forks", this.onForks);
    this.update();
  }

  /** The model ids of the forks, in order. */
  ids() {
    const refs = this.model.get("forks");
    return Array.isArray(refs) ? refs.map((r) => String(r).replace(REF, "")) : [];
  }

  async update() {
    const manager = this.model.widget_manager;
    const added = this.ids().filter((id) => !this.lanes.has(id));
    if (!manager || !added.length) return;
    const row = this.ensureRow();
    for (const id of added) {
      const el = h("div", "nba-fork-lane");
      row.append(el);
      this.lanes.set(id, { el, view: null });
    }
    await Promise.all(
      added.map(async (id) => {
        const forkModel = await manager.get_model(id);
        const lane = this.lanes.get(id);
        if (this.destroyed || !lane || lane.view) return;
        lane.view = this.mount(forkModel, lane.el);
      }),
    );
  }

  ensureRow() {
    if (this.row) return this.row;
    const row = h("div", "nba-forks");
    const original = h("div", "nba-fork-lane nba-fork-original");
    this.root.replaceWith(row);
    original.append(this.root);
    row.append(original);
    this.row = row;
    return row;
  }

  destroy() {
    this.destroyed = true;
    this.model.off("change:forks", this.onForks);
    for (const lane of this.lanes.values()) lane.view?.destroy();
    this.lanes.clear();
    this.row?.remove();
  }
}
