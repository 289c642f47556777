// The footer's words, the same as nbagent/_export/status.py writes them (the static copy's and
// the text exports' status line): the status label, the one status line's parts, the folded
// details' step lines and counts (tests/fixtures/formats.json holds the cases both are checked
// against).

import {
  formatCost,
  formatDuration,
  formatElapsed,
  formatRate,
  formatTokens,
  NO_NUMBER,
  plural,
  usageDetails,
  usageText,
} from "./format.js";
import { elapsed, generationS, num, outputTokens, tokensPerS, ttft } from "./numbers.js";

/** @typedef {import("./store.js").State} State */

/** The label of a run that started and has streamed nothing yet. */
export const WAITING = "waiting for the first token";
/** The most characters of an error the status line shows (its error box shows the whole). */
export const ERROR_WORDS_MAX = 160;

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
 * The names of the tool calls waiting for an answer (nbagent/_export/status.py paused_calls).
 * @param {State} s
 * @returns {string[]}
 */
export function pausedCalls(s) {
  return (s.blocks ?? [])
    .filter((b) => b.type === "tool" && b.state === "paused")
    .map((b) => String(/** @type {{name?: string}} */ (b).name || "a tool"));
}

/**
 * Whether a run that started still waits for its first token, with nothing else to say (an
 * activity, a tool call, messages that came whole) (nbagent/_export/status.py waiting).
 * @param {State} s
 */
export function waiting(s) {
  return (
    s.status === "running" &&
    num(s.started_at) !== null &&
    num(s.first_token_at) === null &&
    !s.whole &&
    !s.activity &&
    (s.blocks ?? []).every((b) => b.type === "user")
  );
}

/**
 * An error on the status line: its class and the first line of its message (the class from
 * `error_type` when the message does not start with one), at most ERROR_WORDS_MAX characters
 * (code points, as Python counts), cut with "…" (nbagent/_export/status.py error_words).
 * @param {State["error"]} error
 */
export function errorWords(error) {
  const message = String(error?.message ?? "");
  const lines = message.replace(/\r\n?/g, "\n").split("\n");
  let first = lines.map((line) => line.trim()).find((line) => line) ?? "unknown error";
  const kind = error?.error_type;
  if (typeof kind === "string" && kind && !/^[A-Za-z_][A-Za-z0-9_.]*:/.test(first))
    first = `${kind}: ${first}`;
  const chars = Array.from(first);
  return chars.length <= ERROR_WORDS_MAX
    ? first
    : `${chars.slice(0, ERROR_WORDS_MAX - 1).join("")}…`;
}

/**
 * The headline: "running", "waiting for the first token", "paused before delete_file",
 * "completed", "cancelled", "error: RuntimeError: boom".
 * @param {State} s
 */
export function statusLabel(s) {
  const status = s.status;
  if (!status) return "waiting";
  if (status === "running") {
    const paused = pausedCalls(s);
    if (paused.length) {
      return paused.length === 1
        ? `paused before ${paused[0]}`
        : `paused before ${paused.length} calls`;
    }
    if (s.activity) return String(s.activity);
    return waiting(s) ? WAITING : "running";
  }
  const reason = s.end_reason && s.end_reason !== status ? (REASONS[s.end_reason] ?? null) : null;
  let label = status;
  if (status === "error") label = `error: ${errorWords(s.error)}`;
  if (
    reason === null &&
    s.end_reason &&
    !["completed", "cancelled", "error"].includes(s.end_reason)
  ) {
    label += ` (${String(s.end_reason).replace(/_/g, " ")})`;
  } else if (reason) label += ` (${reason})`;
  return label;
}

/**
 * Time to first token (or message) and tokens/s.
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
function timing(s, now) {
  const first = ttft(s);
  // Messages that came whole (nbagent.watch() on a call that does not stream): there is no
  // token timing to show, and the line says so.
  const what = s.whole ? "first message" : "first token";
  const parts = [`${what} ${first === null ? NO_NUMBER : formatDuration(first)}`];
  if (s.whole) parts.push("whole messages");
  else {
    const rate = tokensPerS(s, now);
    parts.push(formatRate(rate?.value ?? null, rate?.estimated ?? false));
  }
  return parts;
}

/**
 * The numbers after the label, on the one status line: ["first token 0.42 s", "35.0 tok/s",
 * "3.2 s" (elapsed), "1,290 tokens", cost] (as nbagent/_export/status.py `status_parts`);
 * only the elapsed time while the run waits for its first token.
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
export function statusParts(s, now) {
  const took = elapsed(s, now);
  if (took === null) return [];
  const running = s.status === "running";
  const parts = waiting(s) ? [] : timing(s, now);
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
 * One line per top-level model call when a run has several: "step 2 · first token 0.30 s ·
 * 1.20 s · in 12 · out 34 tokens · tool calls" (a sub-agent's steps are in its panel).
 * @param {State} s
 * @returns {string[]}
 */
export function stepLines(s) {
  const steps = topSteps(s);
  if (steps.length < 2) return [];
  return steps.map((step, n) => {
    const st =
      /** @type {{name?: unknown, usage?: any, finish_reason?: unknown, started_at?: unknown, first_token_at?: unknown, ended_at?: unknown, cost_usd?: unknown}} */ (
        step
      );
    const parts = [`step ${n + 1}`];
    if (st.name && st.name !== "model") parts.push(String(st.name));
    const start = num(st.started_at);
    const firstAt = num(st.first_token_at);
    const end = num(st.ended_at);
    if (start !== null && firstAt !== null)
      parts.push(`first token ${formatDuration(firstAt - start)}`);
    if (start !== null && end !== null) parts.push(formatDuration(end - start));
    const usage = usageText(st.usage);
    if (usage) parts.push(usage);
    // A step priced or reported has `cost_usd` (null: no price); older states have none.
    if ("cost_usd" in st) {
      const cost = num(st.cost_usd);
      parts.push(cost === null ? NO_NUMBER : formatCost(cost));
    }
    if (st.finish_reason) parts.push(String(st.finish_reason).replace(/_/g, " "));
    return parts.join(" · ");
  });
}

/**
 * The folded details after the step lines: the full usage, then the deltas, generation time
 * and output tokens the rate is made of (as `detail_lines`).
 * @param {State} s
 * @param {number} now kernel epoch seconds
 */
export function detailLines(s, now) {
  const tokens = outputTokens(s);
  const counts = [plural(s.deltas ?? 0, "delta")];
  if (num(s.first_token_at) !== null)
    counts.push(`generating ${formatDuration(generationS(s, now))}`);
  if (tokens) counts.push(`${formatTokens(tokens.value, tokens.estimated)} output tokens`);
  return [usageDetails(s.usage), counts.join(" · ")];
}
