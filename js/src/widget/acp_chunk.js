// The acp chunk (nbagent/static/acp.js): a coding agent's plans, context gauge, session,
// tool kinds, statuses, locations and diffs (js/src/panels/acp_view.js), drawn into the bundle's
// tool panels and status line through js/src/base/acp.js, loaded with the first run that has one of
// them.
// Twin: nbagent/transcript/export/static_html.py

import { h, setText } from "../base/format.js";
import {
  diffPieces,
  diffView,
  gaugeView,
  plansView,
  sessionWords,
  toolBadge,
  toolLocations,
} from "../panels/acp_view.js";

/**
 * @typedef {import("../panels/panels.js").ToolPanel} ToolPanel
 * @typedef {import("../panels/status.js").StatusBar} StatusBar
 */

/**
 * What the chunk adds to a tool panel (made once, kept on the panel).
 * @param {ToolPanel} p
 */
function toolParts(p) {
  const badge = h("span", "nba-acp-badge");
  const counts = h("span", "nba-diff-counts");
  p.name.after(badge, counts);
  const where = h("div", "nba-acp-where");
  p.argsHead.before(where);
  const diffs = h("div", "nba-diffs");
  p.result.after(diffs);
  return { badge, counts, where, diffs, key: "" };
}

/**
 * A tool panel's ACP parts, from its last block: kind and status, locations, the result's
 * diffs (in place of its text), the agent's option it was answered with.
 * @param {ToolPanel} p
 */
function tool(p) {
  const b = p.last;
  if (!b) return;
  const any = /** @type {any} */ (p);
  any.acp ??= toolParts(p);
  const a = /** @type {ReturnType<typeof toolParts>} */ (any.acp);
  setText(a.badge, toolBadge(b));
  a.badge.hidden = !a.badge.textContent;
  const where = toolLocations(b);
  a.where.replaceChildren(...where.map((w) => h("code", "nba-acp-location", w)));
  a.where.hidden = !where.length;
  const ui = /** @type {{diffs?: boolean}} */ (p.store.uiFor(p.id));
  const text = typeof b.result === "string" && p.data.hidden ? b.result : "";
  const key = `${ui.diffs === true}${text}`;
  if (key !== a.key) {
    a.key = key;
    const pieces = text.includes("```diff") ? diffPieces(text) : [];
    const diffs = pieces.flatMap((piece) => ("diff" in piece ? [piece.diff] : []));
    const toggle = () => {
      ui.diffs = !ui.diffs;
      tool(p);
    };
    a.diffs.replaceChildren(
      ...pieces.map((piece) =>
        "diff" in piece
          ? diffView(piece.diff, ui.diffs === true, toggle)
          : h("pre", "nba-result", piece.text),
      ),
    );
    const add = diffs.reduce((n, d) => n + d.add, 0);
    const del = diffs.reduce((n, d) => n + d.del, 0);
    setText(a.counts, diffs.length ? `+${add} −${del}` : "");
  }
  const shown = a.diffs.childElementCount > 0;
  a.diffs.hidden = !shown;
  a.counts.hidden = !shown;
  if (shown) p.result.hidden = p.more.hidden = true;
  // A diff the call did not apply (asked for, rejected, stopped) is no result of it.
  if (a.counts.textContent && (b.state !== "done" || b.is_error))
    setText(p.resultHead, "Proposed diff");
  const option = b.answer?.option;
  if (option) setText(p.pause.answered, `Answered: ${option}`);
}

/**
 * The status line's ACP parts, from the run's state: the plans above it, the gauge and the
 * session's words (muted) on it.
 * @param {StatusBar} bar
 */
function status(bar) {
  const s = bar.store.state;
  const any = /** @type {any} */ (bar);
  any.acp ??= {
    plan: h("div", "nba-plan-box"),
    gauge: h("span", "nba-gauge-box"),
    session: h("span", "nba-acp-session"),
    keys: "",
  };
  const a = /** @type {Record<"plan" | "gauge" | "session", HTMLElement> & {keys: string}} */ (
    any.acp
  );
  if (!a.plan.isConnected) {
    bar.el.prepend(a.plan);
    bar.parts.after(a.gauge, a.session);
  }
  const keys = JSON.stringify([s.plan ?? null, s.context ?? null, s.session ?? null]);
  if (keys === a.keys) return;
  a.keys = keys;
  const plans = plansView(s.plan);
  a.plan.replaceChildren(...plans);
  a.plan.hidden = !plans.length;
  const gauge = gaugeView(s.context);
  a.gauge.replaceChildren(...(gauge ? [gauge] : []));
  a.gauge.hidden = !gauge;
  const session = sessionWords(s.session);
  setText(a.session, session.text);
  a.session.title = session.commands;
  a.session.hidden = !session.text;
}

export default { tool, status };
