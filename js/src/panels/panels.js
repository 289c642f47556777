// The panels of tool calls and sub-agents (the tools chunk: js/src/widget/tools_chunk.js):
// everything from the model or a tool goes in with textContent.
// Twin: nbagent/transcript/export/static_html.py, nbagent/transcript/export/common.py

import { withChunk } from "../base/chunks.js";
import { displayValue } from "../base/controls.js";
import { debugChunk } from "../base/debug.js";
import { formatDuration, h, oneLine, setText, usageText } from "../base/format.js";
import { icon } from "../base/icons.js";
import { parts, renderDisplay } from "../base/parts.js";
import { Panel, spinner } from "./panel.js";
import { PauseBox, waitingFor } from "./pause.js";
import { RerunBox, tracebackBox } from "./rerun.js";
import { showTask } from "./task_view.js";

/**
 * @typedef {import("../store/store.js").Store} Store
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {import("../store/store.js").AgentBlock} AgentBlock
 * @typedef {import("./rerun.js").ToolActions} ToolActions
 * @typedef {import("../markdown/math.js").Typesetter} Typesetter
 */

/** Results longer than this many lines are folded. */
export const FOLD_LINES = 20;
/** The class of an element whose tool panels are open, their result first. */
export const OPEN_TOOLS = "nba-open-tools";

export class ToolPanel extends Panel {
  /**
   * @param {Store} store
   * @param {string} id
   * @param {AbortSignal} signal
   * @param {ToolActions} actions
   */
  constructor(store, id, signal, actions) {
    super(store, id, "tool", signal);
    this.signal = signal;
    this.math = actions.math ?? null;
    this.waitingFor = () => waitingFor(actions);
    this.icon = h("span", "nba-state");
    this.name = h("span", "nba-tool-name");
    this.preview = h("span", "nba-preview");
    this.meta = h("span", "nba-meta");
    this.summary.append(this.icon, this.name, this.preview, this.meta);

    this.argsHead = h("div", "nba-section", "Arguments");
    this.args = h("pre", "nba-args");
    this.argsError = h("div", "nba-parse-error");
    this.resultHead = h("div", "nba-section nba-result-head", "Result");
    this.result = h("pre", "nba-result");
    // The result as data (a table, an image, markdown), in place of its text form.
    this.data = h("div", "nba-data-box");
    /** @type {unknown} */
    this.shownDisplay = undefined;
    this.more = h("button", "nba-more");
    this.more.type = "button";
    // What the tool printed, its traceback and a timeout note: for tools nbagent's agent ran.
    this.outputHead = h("div", "nba-section", "Output");
    this.output = h("pre", "nba-output");
    const tb = tracebackBox();
    this.traceback = tb.box;
    this.tracebackText = tb.pre;
    this.abandoned = h(
      "div",
      "nba-abandoned",
      "Timed out: the run went on without it; its thread is still running (abandoned).",
    );
    this.body.append(
      this.argsHead,
      this.args,
      this.argsError,
      this.resultHead,
      this.result,
      this.data,
      this.more,
      this.traceback,
      this.abandoned,
      this.outputHead,
      this.output,
    );
    this.pause = new PauseBox(id, actions, signal);
    this.body.insertBefore(this.pause.el, this.resultHead);
    this.task = h("div", "nba-task"); // an MCP call's task, as it goes
    this.pause.el.before(this.task);
    this.rerun = new RerunBox(id, actions, signal);
    // A sub-agent the call started: its blocks (their `parent` is this call) go here.
    this.childrenHead = h("div", "nba-section", "Sub-agent");
    this.children = h("div", "nba-children");
    this.childrenHead.hidden = true;
    this.body.append(this.rerun.el, this.childrenHead, this.children);
    /** "Fork with an edited result" (the debug chunk's, js/src/base/debug.js). @type {{el: HTMLElement, update(b: ToolBlock): void} | null} */
    this.forkBox = null;
    withChunk(debugChunk, signal, (c) => {
      this.forkBox = new c.ForkBox(store, id, actions, signal);
      this.childrenHead.before(this.forkBox.el);
      if (this.last) this.forkBox.update(this.last);
    });
    this.more.addEventListener(
      "click",
      () => {
        this.store.uiFor(this.id).expanded = true;
        if (this.last) this.update(this.last);
      },
      { signal },
    );
    /** @type {string | null} */
    this.iconState = null;
    /** @type {ToolBlock | null} */
    this.last = null;
  }

  /** @param {ToolBlock} b */
  update(b) {
    this.last = b;
    const iconState = toolIconState(b);
    const busy = iconState === "busy";
    const failed = iconState === "error";
    if (iconState !== this.iconState) {
      this.iconState = iconState;
      this.el.classList.remove("nba-busy", "nba-done", "nba-error", "nba-cancelled", "nba-paused");
      this.el.classList.add(`nba-${iconState}`);
      const what = b.state === "args" ? "receiving arguments" : "running";
      const shown = {
        busy: () => spinner(what),
        error: () => icon("cross"),
        cancelled: () => icon("cancelled"),
        done: () => icon("check"),
        paused: () => icon("pause"),
      };
      this.icon.replaceChildren(shown[iconState]());
      this.icon.title = busy
        ? what
        : iconState === "cancelled"
          ? "cancelled: it never finished"
          : iconState === "paused"
            ? `paused: waiting for ${this.waitingFor()}`
            : iconState;
    }
    // An MCP server's tool names its server.
    const name = String(b.name ?? "tool");
    setText(this.name, b.server ? `${name} · ${b.server}` : name);
    const hasArgs = b.args != null && b.state !== "args";
    setText(this.preview, oneLine(hasArgs ? compact(b.args) : String(b.arguments ?? "")));
    const usage = usageText(b.usage);
    const took = typeof b.duration_s === "number" ? formatDuration(b.duration_s) : "";
    const waiting = b.state === "paused" ? `paused — waiting for ${this.waitingFor()}` : "";
    setText(this.meta, [waiting, took, usage].filter(Boolean).join(" · "));
    this.childrenHead.hidden = this.children.childElementCount === 0;

    setText(this.args, hasArgs ? displayValue(b.args) : String(b.arguments ?? ""));
    // Arguments encoded twice (a JSON string of the object) were decoded once more.
    const perr =
      b.state === "args"
        ? ""
        : !hasArgs && b.parse_error
          ? `Could not parse the arguments: ${b.parse_error}`
          : typeof b.args === "object" && String(b.arguments).trimStart()[0] === '"'
            ? "The arguments came as a JSON string: decoded once more"
            : "";
    setText(this.argsError, perr);
    this.argsError.hidden = !perr;

    const display = failed ? undefined : b.display;
    if (display !== this.shownDisplay) {
      this.shownDisplay = display;
      const view = renderDisplay(
        display,
        this.signal,
        () => {
          this.shownDisplay = undefined;
          if (this.last) this.update(this.last);
        },
        this.math,
      );
      this.data.replaceChildren(...(view ? [view] : []));
    }
    const asData = this.data.childElementCount > 0;
    this.data.hidden = !asData;
    const hasResult = b.result != null || asData;
    this.resultHead.hidden = !hasResult;
    this.result.hidden = !hasResult || asData;
    this.result.classList.toggle("nba-is-error", failed);
    setText(this.resultHead, failed ? "Error" : "Result");
    const full = hasResult ? displayValue(b.result) : "";
    const lines = full.split("\n");
    const fold = !asData && lines.length > FOLD_LINES && !this.store.uiFor(this.id).expanded;
    setText(this.result, fold ? lines.slice(0, FOLD_LINES).join("\n") : full);
    this.more.hidden = !fold;
    if (fold) setText(this.more, `Show all (${lines.length} lines)`);

    const output = typeof b.output === "string" ? b.output : "";
    this.outputHead.hidden = this.output.hidden = !output;
    setText(this.output, output);
    const tb = typeof b.traceback === "string" ? b.traceback : "";
    this.traceback.hidden = !tb;
    setText(this.tracebackText, tb);
    this.abandoned.hidden = b.abandoned !== true;
    this.rerun.update(b);
    this.forkBox?.update(b);
    this.pause.update(b, this.store.state.status === "running");
    showTask(this.task, b.meta?.task, this.store.state.status === "running");
    parts(this, b.meta); // what the acp and app chunks add: an ACP call's parts, an MCP app

    // Inside a place that shows calls for their results (OPEN_TOOLS: the MCP inspector's
    // calls), a panel stays open, its result first (styles/panels.css).
    const shows = this.el.closest(`.${OPEN_TOOLS}`) !== null;
    this.setOpen(shows || busy || failed || b.state === "paused");
  }
}

/**
 * What a tool panel's icon shows: a call still going spins; one whose result never came before
 * its run ended is "cancelled" (a neutral mark, not a failure).
 * @param {ToolBlock} b
 * @returns {"busy" | "done" | "error" | "cancelled" | "paused"}
 */
export function toolIconState(b) {
  if (b.state === "error" || b.is_error === true) return "error";
  if (b.state === "cancelled") return "cancelled";
  if (b.state === "paused") return "paused";
  return b.state === "args" || b.state === "running" ? "busy" : "done";
}

/**
 * A sub-agent's scope (a LangGraph subgraph, a handed-off agent): its name, duration and usage;
 * its blocks (their `parent` is its id) inside, open while it runs.
 */
export class AgentPanel extends Panel {
  /**
   * @param {Store} store
   * @param {string} id
   * @param {AbortSignal} signal
   */
  constructor(store, id, signal) {
    super(store, id, "agent", signal);
    this.spin = spinner("running");
    this.label = h("span", "nba-label");
    this.meta = h("span", "nba-meta");
    this.summary.append(this.spin, this.label, this.meta);
    this.children = h("div", "nba-children");
    this.body.append(this.children);
  }

  /**
   * @param {AgentBlock} b
   * @param {boolean} running the run is still going
   */
  update(b, running) {
    const open = running && b.ended_at == null;
    this.spin.hidden = !open;
    setText(this.label, String(b.name || "sub-agent"));
    const took =
      b.ended_at != null && b.started_at != null ? formatDuration(b.ended_at - b.started_at) : "";
    setText(this.meta, [took, usageText(b.usage)].filter(Boolean).join(" · "));
    this.setOpen(open);
  }
}

/**
 * A one-line preview of parsed arguments: `city="Paris", days=3`.
 * @param {unknown} args
 */
function compact(args) {
  if (typeof args === "object" && args !== null && !Array.isArray(args)) {
    return Object.entries(args)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
  }
  return JSON.stringify(args) ?? "";
}
