// Tool debugging in a tool panel: Re-run with edited arguments, Copy as code, and the
// re-runs' results under the original call; where the kernel cannot call the tool again, the
// line saying why (the call's `no_rerun`, a hosted tool's; else the run's `can_rerun`, e.g. "read
// from a stream") stands in the button's place. Each Copy as code copies the call it sits on: the
// original's in the panel's bar, each re-run's (with its edited arguments) in that re-run.
// Arguments go to the kernel as a JSON object, never as code; everything shown goes in with
// textContent.

import { withChunk } from "../base/chunks.js";
import { actionButton, clicks } from "../base/controls.js";
import { h, setText } from "../base/format.js";
import { toolsChunk } from "../base/tools.js";

/**
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {{args?: unknown, state?: string, result?: unknown, is_error?: boolean,
 *   duration_s?: number, output?: string, traceback?: string, display?: unknown[],
 *   label?: string, call_as?: string}} Rerun
 *   `label`, `call_as`: an MCP app's own call of a tool (nbagent/mcp_client/_app_calls.py)
 * @typedef {{send: (msg: import("../base/wire.js").PageMessage) => void, canRerun: () => unknown,
 *   canFork?: () => unknown, mayAct?: () => boolean,
 *   math?: import("../markdown/math.js").Typesetter | null}} ToolActions
 *   `canRerun`: the run's `can_rerun` where the page may act: true (the kernel calls its
 *   tools again), a string (why it cannot), anything else (nothing to say); `math`: the
 *   page's typesetter (results as markdown).
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
export function pyArgs(args) {
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
export function copyButton(code, signal) {
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
    /** The arguments' editor (rerun_edit.js, made at the first Re-run). @type {import("./rerun_edit.js").RerunEditor | null} */
    this.editor = null;
    this.list = h("div", "nba-reruns");
    this.el.append(this.bar, this.list);
    /** @type {unknown} */
    this.args = undefined;
    this.name = "";
    /** @type {unknown} */
    this.callAs = undefined;
    this.shown = "";
    /** @type {ToolBlock | null} */
    this.block = null;

    clicks(signal)(this.open, () =>
      withChunk(toolsChunk, signal, (c) => {
        this.editor ??= new c.RerunEditor(id, actions, signal);
        this.bar.after(this.editor.el);
        this.editor.show(this.args);
      }),
    );
  }

  /** The editor's Run button, once Re-run opened it. */
  get run() {
    return this.editor?.run;
  }

  /** @param {ToolBlock} b */
  update(b) {
    this.block = b;
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
    if (!can && this.editor) this.editor.el.hidden = true;
    const reruns = /** @type {Rerun[]} */ (Array.isArray(b.reruns) ? b.reruns : []);
    const key = JSON.stringify(reruns);
    if (key === this.shown) return;
    this.shown = key;
    /** @type {(args: unknown, callAs?: string) => string} `callAs`: an MCP app's call's own */
    const code = (args, callAs) => pyCall(this.name, args, callAs ?? this.callAs);
    // Re-runs are drawn by rerun_edit.js, in the tools chunk as this is (taken from the
    // chunk, not imported: it imports this module).
    const signal = this.signal;
    const again = () => {
      this.shown = "";
      if (this.block) this.update(this.block);
    };
    const chunk = reruns.length ? toolsChunk.get() : null;
    if (reruns.length && !chunk) {
      this.shown = "";
      withChunk(toolsChunk, signal, again);
      return;
    }
    this.list.replaceChildren(
      ...reruns.map((r, n) =>
        /** @type {any} */ (chunk).rerunView(r, n + 1, code, signal, again, this.actions.math),
      ),
    );
  }
}
