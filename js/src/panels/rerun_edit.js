// What Re-run adds to a tool panel (js/src/panels/rerun.js), in the tools chunk with it: the
// arguments' editor (JSON only: they go to the kernel as an object, never as code) and the re-runs'
// results under the original call.

import { actionButton, clicks, displayValue, editedArgs, fill } from "../base/controls.js";
import { formatDuration, h, oneLine, setText } from "../base/format.js";
import { renderDisplay } from "../base/parts.js";
import { copyButton, pyArgs, tracebackBox } from "./rerun.js";

/**
 * @typedef {import("./rerun.js").Rerun} Rerun
 * @typedef {import("./rerun.js").ToolActions} ToolActions
 */

export class RerunEditor {
  /**
   * @param {string} id the tool call's id
   * @param {ToolActions} actions
   * @param {AbortSignal} signal
   */
  constructor(id, actions, signal) {
    this.id = id;
    this.actions = actions;
    this.el = h("div", "nba-rerun-editor");
    this.input = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-rerun-args"));
    this.input.spellcheck = false;
    this.input.setAttribute("aria-label", "Arguments (JSON)");
    this.run = actionButton("Run", "nba-rerun-run");
    this.cancel = actionButton("Cancel", "nba-rerun-cancel");
    this.error = h("div", "nba-rerun-error");
    const buttons = h("div", "nba-rerun-buttons");
    buttons.append(this.run, this.cancel);
    this.el.append(this.input, buttons, this.error);
    this.el.hidden = true;
    this.error.hidden = true;
    const on = clicks(signal);
    on(this.cancel, () => {
      this.el.hidden = true;
    });
    on(this.run, () => this.submit());
  }

  /** Open with the call's arguments. @param {unknown} args */
  show(args) {
    fill(this.input, JSON.stringify(args ?? {}, null, 2));
    this.error.hidden = true;
    this.el.hidden = false;
    this.input.focus();
  }

  submit() {
    const edited = editedArgs(this.input.value);
    if ("error" in edited) return this.fail(edited.error);
    this.el.hidden = true;
    this.actions.send({ type: "rerun", id: this.id, args: edited.args });
  }

  /** @param {string} message */
  fail(message) {
    setText(this.error, message);
    this.error.hidden = false;
  }
}

/**
 * @param {Rerun} r
 * @param {number} n
 * @param {(args: unknown, callAs?: string) => string} code Python source of a call with these
 *   arguments (`callAs`: the call's own form, as an MCP app's call has)
 * @param {AbortSignal} signal
 * @param {() => void} [again] draw it again (the data chunk came)
 * @param {import("../markdown/math.js").Typesetter | null} [math] typesets markdown's formulas
 */
export function rerunView(r, n, code, signal, again = () => {}, math = null) {
  const busy = r.state === "running";
  const failed = r.is_error === true || r.state === "error";
  const el = h("div", `nba-rerun ${busy ? "nba-busy" : failed ? "nba-error" : "nba-done"}`);
  const head = [r.label ?? `Re-run ${n}`, oneLine(pyArgs(r.args))];
  if (busy) head.push("running…");
  else if (typeof r.duration_s === "number") head.push(formatDuration(r.duration_s));
  el.append(h("div", "nba-rerun-head", head.filter(Boolean).join(" · ")));
  el.append(copyButton(() => code(r.args ?? {}, r.call_as), signal));
  // A result that is data (a DataFrame, a figure) shows as data, as the original call's.
  const data = busy || failed ? null : renderDisplay(r.display, signal, again, math);
  if (data) el.append(data);
  else if (!busy) {
    const result = h("pre", `nba-result${failed ? " nba-is-error" : ""}`);
    setText(result, displayValue(r.result));
    el.append(result);
  }
  if (r.output) el.append(h("pre", "nba-output", r.output));
  if (r.traceback) el.append(tracebackBox(r.traceback).box);
  return el;
}
