// What a coding agent (an ACP agent, nbagent/adapters/acp/) adds to a run's view, in the acp
// chunk (nbagent/static/acp.js, js/src/widget/acp_chunk.js): its plans above the status line (a
// checklist; a plan with an id may instead be markdown or name a plan file), the context
// window's gauge on it, a tool call's kind, status and file locations in its panel, and a
// result's unified diffs as a diff view (+/- counts in the panel's head, lines coloured,
// folded past DIFF_LINES). Everything from the agent goes in with textContent, but a plan's
// markdown, which goes through the widget's sanitizing renderer (markdown.js, the bundle's
// own), and each text is read once, line by line: hostile text shows as text, in linear time.
// Twin: nbagent/transcript/export/status.py, nbagent/transcript/export/plans.py,
//   nbagent/transcript/export/diffs.py

import { h } from "../base/format.js";
import { renderMarkdown } from "../markdown/markdown.js";

/**
 * @typedef {import("../store/store.js").ToolBlock} ToolBlock
 * @typedef {import("../store/store.js").State} State
 * @typedef {{file: string, add: number, del: number, lines: string[]}} Diff
 * @typedef {{text: string} | {diff: Diff}} Piece
 */

/** A diff longer than this many lines shows its first ones and "Show all". */
export const DIFF_LINES = 12;
/** Plan entries drawn at most (an agent's plan is a handful; a hostile one is cut). */
const MAX_ENTRIES = 200;
/** Plans with an id drawn at most (likewise). */
export const MAX_PLANS = 20;
/** A plan file's uri shown as a link: only these schemes, anything else as text. */
const LINKED = /^https?:/i;
/** @type {Record<string, string>} */
const MARKS = { completed: "☑", in_progress: "◐", pending: "☐", cancelled: "☒" };
const FENCE = "```diff";

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** @param {number} n */
const tokens = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * The diff's file as its headers name it: the new path (`+++`), the old one for a deletion.
 * @param {string} from @param {string} to
 */
function fileOf(from, to) {
  const path = (/** @type {string} */ line) => line.slice(4).split("\t")[0].trim();
  const b = path(to);
  return b && b !== "/dev/null" ? b : path(from);
}

/**
 * A tool result's text cut into its plain text and its diff fences (FENCE), each read as a
 * unified diff: its file, its added and removed lines counted (headers aside). One pass.
 * @param {string} text
 * @returns {Piece[]}
 */
export function diffPieces(text) {
  /** @type {Piece[]} */
  const pieces = [];
  /** @type {string[]} */
  let plain = [];
  /** @type {Diff | null} */
  let diff = null;
  let from = "";
  for (const line of text.split("\n")) {
    if (!diff) {
      if (line.trimEnd() === FENCE) {
        if (plain.some((l) => l.trim())) pieces.push({ text: plain.join("\n").trim() });
        plain = [];
        diff = { file: "", add: 0, del: 0, lines: [] };
      } else plain.push(line);
      continue;
    }
    if (line.trimEnd() === "```") {
      pieces.push({ diff });
      diff = null;
      continue;
    }
    diff.lines.push(line);
    if (line.startsWith("--- ") && !diff.file) from = line;
    else if (line.startsWith("+++ ") && !diff.file) diff.file = fileOf(from, line) || "file";
    else if (line[0] === "+") diff.add++;
    else if (line[0] === "-") diff.del++;
  }
  if (diff) pieces.push({ diff }); // an unclosed fence (still streaming): what came
  if (plain.some((l) => l.trim())) pieces.push({ text: plain.join("\n").trim() });
  return pieces;
}

/** @param {Diff} d */
export const diffCounts = (d) => `+${d.add} −${d.del}`;

/**
 * One diff's view: its file and counts, then its lines coloured by kind; only the first
 * DIFF_LINES until `open`, with a toggle that calls `toggle`.
 * @param {Diff} d
 * @param {boolean} open
 * @param {() => void} toggle
 */
export function diffView(d, open, toggle) {
  const box = h("div", "nba-diff");
  const head = h("div", "nba-diff-head");
  head.append(h("span", "nba-diff-file", d.file || "file"), " ");
  head.append(h("span", "nba-diff-add", `+${d.add}`), " ", h("span", "nba-diff-del", `−${d.del}`));
  const pre = h("pre", "nba-diff-lines");
  const shown = open ? d.lines : d.lines.slice(0, DIFF_LINES);
  for (const line of shown) {
    const kind =
      line.startsWith("+++ ") || line.startsWith("--- ")
        ? "file"
        : line.startsWith("@@")
          ? "hunk"
          : line[0] === "+"
            ? "add"
            : line[0] === "-"
              ? "del"
              : "ctx";
    pre.append(h("span", `nba-diff-line nba-diff-${kind}`, `${line}\n`));
  }
  box.append(head, pre);
  if (d.lines.length > DIFF_LINES) {
    const more = h(
      "button",
      "nba-diff-more",
      open ? "Show less" : `Show all (${d.lines.length} lines)`,
    );
    /** @type {HTMLButtonElement} */ (more).type = "button";
    more.addEventListener("click", toggle);
    box.append(more);
  }
  return box;
}

/**
 * The plan as a checklist: each entry's mark (pending, in progress, completed, cancelled: in
 * progress when its run stopped), its text and priority; null for no entries.
 * @param {unknown} plan the run's `plan` ({entries: [{content, priority, status}]})
 * @returns {HTMLElement | null}
 */
export function planView(plan) {
  const entries = isObject(plan) && Array.isArray(plan.entries) ? plan.entries : [];
  if (!entries.length) return null;
  const done = entries.filter((e) => isObject(e) && e.status === "completed").length;
  const list = h("ul", "nba-plan-list");
  for (const e of entries.slice(0, MAX_ENTRIES)) {
    const entry = isObject(e) ? e : { content: String(e) };
    const status = String(entry.status ?? "pending");
    const li = h("li", `nba-plan-entry nba-plan-${status.replace(/[^a-z_]/g, "")}`);
    const mark = h("span", "nba-plan-mark", Object.hasOwn(MARKS, status) ? MARKS[status] : "☐");
    mark.title = status.replace(/_/g, " ");
    li.append(mark, h("span", "nba-plan-text", String(entry.content ?? "")));
    if (entry.priority) li.append(h("span", "nba-plan-priority", String(entry.priority)));
    list.append(li);
  }
  if (entries.length > MAX_ENTRIES)
    list.append(h("li", "nba-plan-entry", `… ${entries.length - MAX_ENTRIES} more`));
  return planBox(`Plan · ${done} of ${entries.length} done`, list);
}

/**
 * A plan box: its head, then `body`.
 * @param {string} head
 * @param {Node} body
 */
function planBox(head, body) {
  const box = h("div", "nba-plan");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Plan");
  box.append(h("div", "nba-plan-head", head), body);
  return box;
}

/**
 * A plan with an id (the run's `plan.plans`, nbagent/transcript/fold/plans.py): its checklist
 * (`type` "items"), its markdown rendered and sanitized ("markdown"), or a line naming its
 * file ("file": a link for an http(s): uri, as every link nbagent draws; text otherwise, a file: uri
 * too: a page served by Jupyter cannot open one); null for none of these.
 * @param {Record<string, any>} p
 * @returns {HTMLElement | null}
 */
export function keyedPlanView(p) {
  if (p.type === "items") return planView(p);
  if (p.type === "markdown" && typeof p.content === "string" && p.content.trim())
    return planBox("Plan", renderMarkdown(p.content));
  if (p.type !== "file" || typeof p.uri !== "string" || !p.uri) return null;
  const line = h("div", "nba-plan-file", "Plan file: ");
  if (LINKED.test(p.uri)) {
    const link = /** @type {HTMLAnchorElement} */ (h("a", "", p.uri));
    link.href = p.uri;
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
    line.append(link);
  } else line.append(h("code", "", p.uri));
  return planBox("Plan", line);
}

/**
 * Every plan of the run, in order: the one with no id (`entries`), then those with one
 * (`plans`, in order of first appearance; past MAX_PLANS a line says how many more).
 * @param {unknown} plan the run's `plan`
 * @returns {HTMLElement[]}
 */
export function plansView(plan) {
  const keyed = isObject(plan) && Array.isArray(plan.plans) ? plan.plans.filter(isObject) : [];
  const views = [planView(plan), ...keyed.slice(0, MAX_PLANS).map(keyedPlanView)];
  if (keyed.length > MAX_PLANS)
    views.push(h("div", "nba-plan-head", `… ${keyed.length - MAX_PLANS} more plans`));
  return views.filter((v) => v !== null);
}

/**
 * The context window's words, "12,345 / 200,000 tokens (6%)"; "" when unknown.
 * @param {unknown} context the run's `context` ({used, size})
 */
export function gaugeText(context) {
  if (!isObject(context) || typeof context.used !== "number") return "";
  const { used, size } = context;
  if (typeof size !== "number" || size <= 0) return `${tokens(used)} tokens in context`;
  return `${tokens(used)} / ${tokens(size)} tokens (${Math.round((used / size) * 100)}%)`;
}

/**
 * The context gauge: a bar filled to the share used, and its words.
 * @param {unknown} context
 * @returns {HTMLElement | null}
 */
export function gaugeView(context) {
  const text = gaugeText(context);
  if (!text) return null;
  const c = /** @type {{used: number, size?: number}} */ (context);
  const share = typeof c.size === "number" && c.size > 0 ? Math.min(1, c.used / c.size) : 0;
  const gauge = h("span", "nba-gauge");
  gauge.title = `context window: ${text}`; // its words whole, where the line cuts them
  const bar = h("span", "nba-gauge-bar");
  const fill = h("span", "nba-gauge-fill");
  fill.style.width = `${Math.round(share * 100)}%`;
  bar.append(fill);
  gauge.append(bar, h("span", "nba-gauge-text", text));
  return gauge;
}

/**
 * The session the run is in, quietly: its title, mode and config values in words ("Parser
 * fix · mode: Plan · Model: Sonnet", and a cost in another currency than USD: "session cost:
 * 0.42 EUR"), its slash commands in the tooltip; "" when none is known.
 * @param {unknown} session the run's `session` ({title, mode, config: [{name, value}], commands})
 * @returns {{text: string, commands: string}}
 */
export function sessionWords(session) {
  const s = isObject(session) ? session : {};
  /** @param {unknown} v */
  const list = (v) => (Array.isArray(v) ? v : []);
  const config = list(s.config).filter(isObject);
  const cost = isObject(s.cost) && `session cost: ${s.cost.amount} ${s.cost.currency}`; // not USD
  const text = [s.title, s.mode && `mode: ${s.mode}`, ...config.map((c) => `${c.name}: ${c.value}`)]
    .concat(cost)
    .filter(Boolean)
    .join(" · ");
  const commands = list(s.commands)
    .map((c) => `/${c}`)
    .join(" ");
  return { text, commands: commands && `commands: ${commands}` };
}

/**
 * A call's tool, kind and status in words for its panel's head: "Bash · execute · in progress".
 * @param {ToolBlock} b
 */
export function toolBadge(b) {
  const m = isObject(b.meta) ? b.meta : {};
  return [m.tool, ...[m.kind, m.status].map((v) => typeof v === "string" && v.replace(/_/g, " "))]
    .filter((v) => typeof v === "string" && v)
    .join(" · ");
}

/** @param {ToolBlock} b @returns {string[]} */
export const toolLocations = (b) =>
  isObject(b.meta) && Array.isArray(b.meta.locations) ? b.meta.locations.map(String) : [];
