// The folded details' step lines, the same as nbagent/transcript/export/status.py writes them
// (tests/fixtures/formats.json holds the cases both are checked against): the rest of the
// footer's words are status_words.js's; these are the debug chunk's (run_debug.js), which the
// kernel sends with a run's first step.

import { formatCost, formatDuration, usageText } from "../base/format.js";
import { num } from "../base/numbers.js";
import { topSteps } from "./status_words.js";

/** @typedef {import("../store/store.js").State} State */

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
      parts.push(cost === null ? "no price" : formatCost(cost));
    }
    if (st.finish_reason) parts.push(String(st.finish_reason).replace(/_/g, " "));
    return parts.join(" · ");
  });
}
