// A run's end given by the page (`Store.endByPage`): its kernel restarted, shut down or can no
// longer be reached (base/kernel_end.js says how the page knows), so no end will come from the
// kernel. The state ends as the kernel would end a cancelled run, and the end is kept over ops
// the kernel sent before it went (a throttled flush can arrive after its last word). In the
// trouble chunk (js/src/widget/trouble_chunk.js), in the page before the kernel can go.

import { closePending, PAGE_END_WARNINGS } from "../base/kernel_end.js";

/**
 * The end the page gives a running run (the store's `pageEnd`): cancelled, why, when, and the
 * warning that says so.
 * @param {import("../base/kernel_end.js").PageEnd} reason
 * @param {number} now kernel epoch seconds
 * @returns {Record<string, unknown>}
 */
export function pageEnd(reason, now) {
  return {
    status: "cancelled",
    end_reason: reason,
    ended_at: now,
    activity: null,
    warning: { message: PAGE_END_WARNINGS[reason] },
  };
}

/**
 * Apply the page's end to a state (again, after ops that came later: their data stays, the end
 * too): its fields, its warning once, pending tool calls cancelled.
 * @param {import("./store.js").State} s changed in place
 * @param {Record<string, unknown>} ending the store's `pageEnd`: its fields and its warning
 * @param {import("./store.js").Change} change
 */
export function keepPageEnd(s, ending, change) {
  const { warning, ...end } = ending;
  const warnings = Array.isArray(s.warnings) ? s.warnings : [];
  const said = warnings.some((w) => JSON.stringify(w) === JSON.stringify(warning));
  Object.assign(s, end, { warnings: said ? warnings : [...warnings, structuredClone(warning)] });
  for (const i of closePending(s.blocks, /** @type {number} */ (end.ended_at)))
    change.blocks.add(i);
  // An agent's plan step still in progress is over too (nbagent/transcript/fold/plans.py
  // stopped_plan, of the plan with no id and each with one): as JSON, where
  // `"status":"in_progress"` is only ever an entry's status (a text holding it is escaped).
  s.plan &&= JSON.parse(
    JSON.stringify(s.plan).replaceAll('"status":"in_progress"', '"status":"cancelled"'),
  );
  change.run = true;
}
