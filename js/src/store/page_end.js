// A run's end given by the page (`Store.endByPage`): its kernel restarted, shut down or can no
// longer be reached (base/kernel_end.js says how the page knows), so no end will come from the
// kernel. The state ends as the kernel would end a cancelled run, and the end is kept over ops
// the kernel sent before it went (a throttled flush can arrive after its last word).

import { closePending } from "../base/kernel_end.js";

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
