// Tool debugging in a tool panel: Re-run with edited arguments, Copy as code, and the
// re-runs' results under the original call; where the kernel cannot call the tool again, the
// line saying why (the call's `no_rerun`, a hosted tool's; else the run's `can_rerun`, e.g. "read
// from a stream") stands in the button's place. Each Copy as code copies the call it sits on: the
// original's in the panel's bar, each re-run's (with its edited arguments) in that re-run.
// Arguments go to the kernel as a JSON object, never as code; everything shown goes in with
// textContent.

import { renderDisplay } from "./data.js";
import {
  actionButton,
  clicks,
  displayValue,
  editedArgs,
  fill,
  formatDuration,
  h,
  oneLine,
  setText,
} from "./format.js";

/**
 * @typedef {import("./store.js").ToolBlock} ToolBlock
 * @typedef {{args?: unknown, state?: string, result?: unknown, is_error?: boolean,
 *   duration_s?: number, output?: string, traceback?: string, display?: unknown[]}} Rerun
 * @typedef {{send: (msg: object) => void, canRerun: () => unknown,
 *   canFork?: () => boolean, mayAct?: () => boolean}} ToolActions
 *   `canRerun`: the run's `can_rerun` where the page may act: true (the kernel calls its
 *   tools again), a string (why it cannot), anything else (nothing to say).
 */

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A Python literal for a JSON value.
 * @param {unknown} v
 * @returns {string}
 */
function pyValue(v) {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : `float("${v}")`;
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyValue).join(", ")}]`;
  if (typeof v === "object") {
    const items = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyValue(x)}`);
    return `{${items.join(", ")}}`;
  }
  return JSON.stringify(String(v));
}

/**
 * Python source of the call: `get_weather(city="Paris", unit="C")`, or the kernel's template
 * for it (a tool block's `call_as`) with `{args}` replaced by the keyword arguments.
 * @param {string} name
 * @param {unknown} args the parsed arguments
 * @param {unknown} [callAs]
 */
export function pyCall(name, args, callAs) {
  if (typeof callAs === "string") return callAs.replace("{args}", () => pyArgs(args));
  const fn = IDENT.test(name) ? name : `globals()[${JSON.stringify(name)}]`;
  return `${fn}(${pyArgs(args)})`;
}

/**
 * The keyword arguments of a call: `city="Paris", unit="C"`.
 * @param {unknown} args
 */
function pyArgs(args) {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return "";
  const named = [];
  /** @type {Record<string, unknown>} */
  const rest = {};
  for (const [k, v] of Object.entries(args)) {
    if (IDENT.test(k)) named.push(`${k}=${pyValue(v)}`);
    else rest[k] = v;
  }
  if (Object.keys(rest).length) named.push(`**${pyValue(rest)}`);
  return named.join(", ");
}

/**
 * A "Copy as code" button: copies `code()` (read when clicked) and says whether it could.
 * @param {() => string} code
 * @param {AbortSignal} signal
 */
function copyButton(code, signal) {
  const copy = actionButton("Copy as code", "nba-copy-call");
  copy.addEventListener(
    "click",
    async () => {
      try {
        await navigator.clipboard.writeText(code());
        setText(copy, "Copied");
      } catch {
        setText(copy, "Copy failed");
      }
      setTimeout(() => setText(copy, "Copy as code"), 1500);
    },
    { signal },
  );
  return copy;
}

/**
 * A collapsed "Traceback" block (a tool's and each re-run's).
 * @param {string} [text]
 */
export function tracebackBox(text = "") {
  const box = h("details", "nba-traceback");
  const pre = h("pre", "nba-traceback-text", text);
  box.append(h("summary", "nba-traceback-summary", "Traceback"), pre);
  return { box, pre };
}

export class RerunBox {
  /**
   * @param {string} id the tool call's id
   * @param {ToolActions} actions
   * @param {AbortSignal} signal
   */
  constructor(id, actions, signal) {
    this.id = id;
    this.actions = actions;
    this.signal = signal;
    this.el = h("div", "nba-rerun-box");
    this.bar = h("div", "nba-tool-actions");
    this.open = actionButton("Re-run", "nba-rerun-open");
    this.copy = copyButton(() => pyCall(this.name, this.args, this.callAs), signal);
    this.note = h("span", "nba-rerun-note");
    this.bar.append(this.open, this.note, this.copy);
    this.editor = h("div", "nba-rerun-editor");
    this.input = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-rerun-args"));
    this.input.spellcheck = false;
    this.input.setAttribute("aria-label", "Arguments (JSON)");
    this.run = actionButton("Run", "nba-rerun-run");
    this.cancel = actionButton("Cancel", "nba-rerun-cancel");
    this.error = h("div", "nba-rerun-error");
    const buttons = h("div", "nba-rerun-buttons");
    buttons.append(this.run, this.cancel);
    this.editor.append(this.input, buttons, this.error);
    this.editor.hidden = true;
    this.error.hidden = true;
    this.list = h("div", "nba-reruns");
    this.el.append(this.bar, this.editor, this.list);
    /** @type {unknown} */
    this.args = undefined;
    this.name = "";
    /** @type {unknown} */
    this.callAs = undefined;
    this.shown = "";

    const on = clicks(signal);
    on(this.open, () => {
      fill(this.input, JSON.stringify(this.args ?? {}, null, 2));
      this.error.hidden = true;
      this.editor.hidden = false;
      this.input.focus();
    });
    on(this.cancel, () => {
      this.editor.hidden = true;
    });
    on(this.run, () => this.submit());
  }

  submit() {
    const edited = editedArgs(this.input.value);
    if ("error" in edited) return this.fail(edited.error);
    this.editor.hidden = true;
    this.actions.send({ type: "rerun", id: this.id, args: edited.args });
  }

  /** @param {string} message */
  fail(message) {
    setText(this.error, message);
    this.error.hidden = false;
  }

  /** @param {ToolBlock} b */
  update(b) {
    this.name = String(b.name ?? "tool");
    this.callAs = b.call_as;
    const parsed = b.args != null && b.state !== "args";
    this.args = parsed ? b.args : undefined;
    const run = this.actions.canRerun();
    const why = b.no_rerun || (typeof run === "string" && run);
    const can = run === true && !why;
    setText(this.note, why ? `Re-run: nbagent cannot reach this tool (${why})` : "");
    this.bar.hidden = !parsed;
    this.open.hidden = !can;
    if (!can) this.editor.hidden = true;
    const reruns = /** @type {Rerun[]} */ (Array.isArray(b.reruns) ? b.reruns : []);
    const key = JSON.stringify(reruns);
    if (key === this.shown) return;
    this.shown = key;
    const code = (/** @type {unknown} */ args) => pyCall(this.name, args, this.callAs);
    this.list.replaceChildren(...reruns.map((r, n) => rerunView(r, n + 1, code, this.signal)));
  }
}

/**
 * @param {Rerun} r
 * @param {number} n
 * @param {(args: unknown) => string} code Python source of a call with these arguments
 * @param {AbortSignal} signal
 */
function rerunView(r, n, code, signal) {
  const busy = r.state === "running";
  const failed = r.is_error === true || r.state === "error";
  const el = h("div", `nba-rerun ${busy ? "nba-busy" : failed ? "nba-error" : "nba-done"}`);
  const head = [`Re-run ${n}`, oneLine(pyArgs(r.args))];
  if (busy) head.push("running…");
  else if (typeof r.duration_s === "number") head.push(formatDuration(r.duration_s));
  el.append(h("div", "nba-rerun-head", head.filter(Boolean).join(" · ")));
  el.append(copyButton(() => code(r.args ?? {}), signal));
  // A result that is data (a DataFrame, a figure) shows as data, as the original call's.
  const data = busy || failed ? null : renderDisplay(r.display);
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
