// The footer's words, the same as nbagent/transcript/export/status.py writes them (the static copy's and
// the text exports' status line): the status label, the one status line's parts, the folded
// details' counts (tests/fixtures/formats.json holds the cases both are checked against); the
// details' step lines are the debug chunk's (step_lines.js).
// Twin: nbagent/transcript/export/status.py

import {
  formatCost,
  formatDuration,
  formatElapsed,
  formatRate,
  formatTokens,
  oneLine,
  usageDetails,
  usageText,
} from "../base/format.js";
import { elapsed, generationS, num, outputTokens, tokensPerS, ttft } from "../base/numbers.js";

/** @typedef {import("../store/store.js").State} State */

/** @type {Record<string, string>} an end reason's words (others: its name, "_" as " ") */
const REASONS = {
  max_tokens: "max tokens",
  tool_calls: "tool calls",
  content_filter: "content filtered",
  refusal: "refused",
  interrupted: "needs input",
  incomplete: "stream ended unexpectedly",
  unknown: "unknown end reason",
};

/**
 * The names of the tool calls waiting for an answer (nbagent/transcript/export/status.py paused_calls).
 * @param {State} s
 * @returns {string[]}
 */
export function pausedCalls(s) {
  return (s.blocks ?? [])
    .filter((b) => b.type === "tool" && b.state === "paused")
    .map((b) => String(/** @type {{name?: string}} */ (b).name || "a tool"));
}

/**
 * Whether a running run still waits for its first token: nothing streamed, no tool call (a
 * user's prompt may show) (nbagent/transcript/export/status.py waiting).
 * @param {State} s
 */
export function waiting(s) {
  return (
    s.status === "running" &&
    num(s.first_token_at) === null &&
    (s.blocks ?? []).every((b) => b.type === "user")
  );
}

/**
 * Whether the run is tool calls only: no model step, no token (an MCP inspector's call); its
 * status line says its state and duration, no model's numbers
 * (nbagent/transcript/export/status.py tools_only).
 * @param {State} s
 */
export function toolsOnly(s) {
  const blocks = s.blocks ?? [];
  return (
    num(s.first_token_at) === null &&
    !topSteps(s).length &&
    blocks.length > 0 &&
    blocks.every((b) => b.type === "tool")
  );
}

/**
 * An error on the status line: its class and the first line of its message (the class from
 * `error_type` when the message does not start with one), on one line of at most 160
 * characters, cut with "…" (nbagent/transcript/export/status.py error_words); the error box has it all.
 * @param {State["error"]} error
 */
export function errorWords(error) {
  const first =
    String(error?.message ?? "")
      .split(/\r\n?|\n/)
      .find((line) => line.trim()) ?? "unknown error";
  const kind = error?.error_type;
  return oneLine(kind && !/^\s*[\w.]+:/.test(first) ? `${kind}: ${first}` : first, 160);
}

/**
 * The headline: "running", "waiting for the first token", "paused before delete_file",
 * "paused" (a step replay between steps), "completed", "cancelled", "error: RuntimeError: boom".
 * @param {State} s
 */
export function statusLabel(s) {
  const status = s.status;
  if (!status) return "waiting";
  if (status === "running") {
    const paused = pausedCalls(s);
    if (paused.length)
      return `paused before ${paused.length === 1 ? paused[0] : `${paused.length} calls`}`;
    if (num(s.paused_since) !== null) return "paused";
    if (s.activity) return String(s.activity);
    return waiting(s) ? "waiting for the first token" : "running";
  }
  const why = s.end_reason;
  let label = status === "error" ? `error: ${errorWords(s.error)}` : status;
  if (why && why !== status && !["completed", "cancelled", "error"].includes(why))
    label += ` (${REASONS[why] ?? String(why).replace(/_/g, " ")})`;
  return label;
}

/**
 * The numbers after the label, on the one status line: ["first token 0.42 s", "35.0 tok/s",
 * "3.2 s" (elapsed), "1,290 tokens", cost] (as nbagent/transcript/export/status.py `status_parts`);
 * only the elapsed time while the run waits for its first token, and in a run of tool calls
 * only; a number not known (no first token, a rate that would mean nothing) is left out, not
 * shown as a dash.
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
export function statusParts(s, now) {
  const took = elapsed(s, now);
  if (took === null) return [];
  const running = s.status === "running";
  /** @type {string[]} */
  const parts = [];
  if (!waiting(s) && !toolsOnly(s)) {
    const first = ttft(s);
    const rate = tokensPerS(s, now);
    // What is not known is not shown. Messages that came whole (nbagent.watch() on a call
    // that does not stream): there is no token timing to show, and the line says so.
    if (first !== null)
      parts.push(`${s.whole ? "first message" : "first token"} ${formatDuration(first)}`);
    if (s.whole) parts.push("whole messages");
    else if (rate) parts.push(formatRate(rate.value, rate.estimated));
  }
  parts.push(formatElapsed(took));
  const total = num(s.usage?.total_tokens);
  if (total !== null) parts.push(`${formatTokens(total)} tokens`);
  else if (usageText(s.usage)) parts.push(usageText(s.usage));
  if (typeof s.cost_usd === "number") parts.push(formatCost(s.cost_usd));
  if (!running && s.activity) parts.push(String(s.activity));
  return parts;
}

/**
 * The run's own steps (a sub-agent's are in its panel).
 * @param {State} s
 * @returns {Record<string, any>[]}
 */
export const topSteps = (s) =>
  /** @type {Record<string, any>[]} */ (Array.isArray(s.steps) ? s.steps : []).filter(
    (step) => step && typeof step === "object" && !("parent" in step && step.parent),
  );

/**
 * The folded details after the step lines: the full usage, then what tok/s is made of:
 * "120 output tokens in 4.00 s of generation", "≈ 120 output tokens (one per streamed
 * chunk) …" when no usage counted them, "no output" (as `detail_lines`).
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
export function detailLines(s, now) {
  const tokens = outputTokens(s);
  let line = "no output";
  if (tokens) {
    line = `${formatTokens(tokens.value, tokens.estimated)} output token${tokens.value === 1 ? "" : "s"}`;
    if (tokens.estimated) line += " (one per streamed chunk)";
    if (!s.whole && num(s.first_token_at) !== null)
      line += ` in ${formatDuration(generationS(s, now))} of generation`;
  }
  return [usageDetails(s.usage), line];
}
