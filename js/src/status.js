// The status line: state, time to first token, speed, elapsed, deltas, usage; Stop; warnings.

import {
  formatCost,
  formatDuration,
  formatElapsed,
  h,
  plural,
  setText,
  usageText,
} from "./format.js";
import { icon } from "./icons.js";

/** @typedef {import("./store.js").State} State */

/** Seconds of generation below which a tokens/s figure is noise (replays, instant runs). */
const MIN_RATE_WINDOW = 0.25;

/** @type {Record<string, string>} */
const REASONS = {
  max_tokens: "max tokens",
  tool_calls: "tool calls",
  content_filter: "content filtered",
  refusal: "refused",
  interrupted: "needs input",
  expired: "expired",
  incomplete: "stream ended unexpectedly",
  unknown: "unknown end reason",
};

/**
 * The headline: "running", "completed", "completed (max tokens)", "cancelled", "error: boom".
 * @param {State} s
 */
export function statusLabel(s) {
  const status = s.status;
  if (!status) return "waiting";
  if (status === "running") return s.activity ? String(s.activity) : "running";
  const reason = s.end_reason && s.end_reason !== status ? (REASONS[s.end_reason] ?? null) : null;
  let label = status;
  if (status === "error") label = `error: ${s.error?.message ?? "unknown error"}`;
  if (
    reason === null &&
    s.end_reason &&
    !["completed", "cancelled", "error"].includes(s.end_reason)
  ) {
    label += ` (${String(s.end_reason).replace(/_/g, " ")})`;
  } else if (reason) label += ` (${reason})`;
  return label;
}

/** @param {State} s */
function outputChars(s) {
  let n = 0;
  for (const b of s.blocks) {
    if (b.type === "tool") n += (b.arguments ?? "").length;
    else if (b.type !== "agent") n += (b.text ?? "").length;
  }
  return n;
}

/**
 * The measurements after the headline, e.g. ["first token 0.42 s", "35.0 tok/s", "3.20 s", ...].
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
export function statusParts(s, now) {
  /** @type {string[]} */
  const parts = [];
  const running = s.status === "running";
  if (s.started_at == null) return parts;
  const end = running ? now : (s.ended_at ?? now);
  if (s.first_token_at != null) {
    // Messages that came whole (nbagent.watch() on a call that does not stream): there is no
    // token timing to show, and the line says so.
    const first = s.whole ? "first message" : "first token";
    parts.push(`${first} ${formatDuration(s.first_token_at - s.started_at)}`);
    const gen = end - s.first_token_at;
    const out = s.usage?.output_tokens;
    if (s.whole) parts.push("whole messages");
    else if (gen >= MIN_RATE_WINDOW) {
      if (typeof out === "number") parts.push(`${(out / gen).toFixed(1)} tok/s`);
      else parts.push(`≈ ${(outputChars(s) / 4 / gen).toFixed(1)} tok/s`);
    }
  }
  parts.push(running ? formatElapsed(end - s.started_at) : formatDuration(end - s.started_at));
  parts.push(plural(s.deltas ?? 0, "delta"));
  const usage = usageText(s.usage);
  if (usage) parts.push(usage);
  else if (!running) parts.push("usage n/a");
  if (typeof s.cost_usd === "number") parts.push(formatCost(s.cost_usd));
  if (!running && s.activity) parts.push(String(s.activity));
  return parts;
}

/**
 * One line per model call when a run has several (step → tools → step), each with its usage.
 * @param {import("./store.js").State} s
 * @returns {string[]}
 */
export function stepLines(s) {
  // A sub-agent's steps are shown inside its panel, with its usage: here the top level's.
  const steps = (Array.isArray(s.steps) ? s.steps : []).filter(
    (step) => !(step && typeof step === "object" && "parent" in step && step.parent),
  );
  if (steps.length < 2) return [];
  return steps.map((step, n) => {
    const st = /** @type {{name?: unknown, usage?: any, finish_reason?: unknown}} */ (step ?? {});
    const parts = [`step ${n + 1}`];
    if (st.name && st.name !== "model") parts.push(String(st.name));
    const usage = usageText(st.usage);
    if (usage) parts.push(usage);
    if (st.finish_reason) parts.push(String(st.finish_reason).replace(/_/g, " "));
    return parts.join(" · ");
  });
}

/** @param {unknown} w */
function warningText(w) {
  if (typeof w === "string") return w;
  if (typeof w === "object" && w !== null && "message" in w) return String(w.message);
  return JSON.stringify(w);
}

export class StatusBar {
  /**
   * @param {import("./store.js").Store} store
   * @param {(msg: object) => void} send
   * @param {AbortSignal} signal
   */
  constructor(store, send, signal) {
    this.store = store;
    this.el = h("div", "nba-footer");
    this.line = h("div", "nba-status");
    this.line.setAttribute("role", "status");
    this.spin = h("span", "nba-spinner");
    this.label = h("span", "nba-status-label");
    this.parts = h("span", "nba-status-parts");
    this.stop = h("button", "nba-stop", "Stop");
    this.stop.type = "button";
    this.line.append(this.spin, this.label, this.parts, this.stop);
    this.warnings = h("ul", "nba-warnings");
    this.steps = h("ul", "nba-steps");
    this.stepsKey = "";
    this.notice = h(
      "div",
      "nba-notice",
      "This page cannot reach the kernel: it hears the run but its requests get no answer " +
        "(JupyterLab can lose widget messages after a page reload). The full run shows here " +
        "when it ends; to stop it, interrupt the kernel.",
    );
    this.notice.hidden = true;
    this.el.append(this.line, this.steps, this.notice, this.warnings);
    this.stop.addEventListener(
      "click",
      () => {
        if (this.store.stopping) return;
        send({ type: "stop" });
        this.store.stopping = true;
        this.store.touch();
      },
      { signal },
    );
    this.nWarnings = -1;
  }

  update() {
    const s = this.store.state;
    const running = s.status === "running";
    this.el.classList.toggle("nba-running", running);
    for (const st of ["completed", "error", "cancelled"])
      this.el.classList.toggle(`nba-${st}`, s.status === st);
    this.spin.hidden = !running;
    setText(this.label, statusLabel(s));
    setText(this.parts, statusParts(s, this.store.now()).join(" · "));
    this.stop.hidden = !running;
    this.notice.hidden = !(running && this.store.unreachable);
    this.stop.disabled = this.store.stopping;
    setText(this.stop, this.store.stopping ? "Stopping…" : "Stop");
    const lines = stepLines(s);
    const key = lines.join("\n");
    if (key !== this.stepsKey) {
      this.stepsKey = key;
      this.steps.replaceChildren(...lines.map((line) => h("li", "nba-step", line)));
      this.steps.hidden = lines.length === 0;
    }
    const ws = Array.isArray(s.warnings) ? s.warnings : [];
    if (ws.length !== this.nWarnings) {
      this.nWarnings = ws.length;
      this.warnings.replaceChildren(
        ...ws.map((w) => {
          const li = h("li", "nba-warning");
          li.append(icon("warning"), warningText(w));
          return li;
        }),
      );
      this.warnings.hidden = ws.length === 0;
    }
  }
}
