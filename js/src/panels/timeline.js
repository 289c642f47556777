// The timeline: a run's model calls, tool calls and sub-agents as bars on one time axis, under
// the transcript when the reader turns it on from the status line (in the debug chunk:
// js/src/panels/run_debug.js). The rows are the same as
// nbagent/transcript/export/timeline.py's (tests/fixtures/timeline.json holds the cases both are checked
// against).
// Twin: nbagent/transcript/export/timeline.py

import {
  formatCost,
  formatDuration,
  formatElapsed,
  h,
  NO_NUMBER,
  setText,
  usageText,
} from "../base/format.js";
import { num } from "../base/numbers.js";
import { TIMELINE_KEY } from "./timing.js";

export { hasTiming, TIMELINE_KEY } from "./timing.js";

/**
 * @typedef {import("../store/store.js").State} State
 * @typedef {{kind: "model" | "tool" | "agent", id: string, label: string, depth: number,
 *   start: number, end: number, duration: number, tokens_in: number | null,
 *   tokens_out: number | null, cost_usd: number | null, state: string}} Row
 *   `start`, `end`: seconds from the run's start (a running row's end is `now`'s); `depth`:
 *   0 at the top level, a sub-agent's rows one deeper than it.
 * @typedef {Record<string, any>} Item a step or block of the state, as it came
 */

/** @param {Item | null | undefined} usage @param {string} key */
const count = (usage, key) => (Number.isInteger(usage?.[key]) ? usage?.[key] : null);

/**
 * Whether `step` is a round of tool calls, not a model call (the calls are rows of their own):
 * its `type` says so; a state from before steps had one: no tokens of its own, and no measured
 * output once ended or a call of its scope running when it began.
 * @param {Item} step
 * @param {Item[]} tools
 */
function toolRound(step, tools) {
  if (step.type !== undefined) return step.type === "tool";
  if (step.usage != null || num(step.first_token_at) !== null) return false;
  // output_chars: what states before issue 49 measured
  if (num(step.ended_at) !== null && (step.output_deltas ?? step.output_chars) == null) return true;
  const start = num(step.started_at);
  if (start === null) return false;
  return tools.some((b) => {
    const began = num(b.args_done_at);
    const ended = num(b.ended_at);
    const executing = began !== null && began <= start && (ended === null || ended >= start);
    return executing && (b.parent ?? null) === (step.parent ?? null);
  });
}

/**
 * @param {Row["kind"]} kind
 * @param {Item} item
 * @param {string} label
 * @param {Item | null | undefined} usage
 * @param {string} state
 * @returns {Row}
 */
function makeRow(kind, item, label, usage, state) {
  const measured = kind === "tool" ? num(item.duration_s) : null;
  // depth, start and end: set once every row is known (timelineRows, treeOrder).
  return /** @type {Row} */ ({
    kind,
    id: String(item.id),
    label,
    duration: measured ?? -1,
    tokens_in: count(usage, "input_tokens"),
    tokens_out: count(usage, "output_tokens"),
    cost_usd: num(item.cost_usd),
    state,
  });
}

/**
 * The rows of a transcript state, in tree order (each sub-agent's rows after it, siblings by
 * start). `now` (epoch seconds): where a running row ends; without it, at its start.
 * @param {State} state
 * @param {number | null} [now]
 * @returns {Row[]}
 */
export function timelineRows(state, now = null) {
  const blocks = /** @type {Item[]} */ (state.blocks);
  const steps = /** @type {Item[]} */ (Array.isArray(state.steps) ? state.steps : []).filter(
    (x) => x && typeof x === "object",
  );
  const tools = blocks.filter((b) => b.type === "tool");
  const agents = new Set(blocks.filter((b) => b.type === "agent").map((b) => String(b.id)));
  const running = state.status === "running";
  const endedSteps = new Map(steps.map((s) => [String(s.id), num(s.ended_at) !== null]));
  /** @type {[Row, unknown, number, number | null][]} */
  const found = [];
  for (const step of steps) {
    const start = num(step.started_at);
    if (start === null || agents.has(String(step.id)) || toolRound(step, tools)) continue;
    const name = String(step.name || "model");
    // A model call is named by its model: the step's (when known), else the run's.
    const model = step.model || (step.parent ? null : state.model);
    const label = name === "model" ? String(model || name) : name;
    const failed = step.finish_reason === "error";
    const row = makeRow("model", step, label, step.usage, failed ? "error" : "done");
    found.push([row, step.parent, start, num(step.ended_at)]);
  }
  for (const b of blocks) {
    const kind = b.type;
    if (kind !== "tool" && kind !== "agent") continue;
    let start = num(b.started_at);
    if (kind === "tool") start = num(b.args_done_at) ?? start; // its arguments streamed first
    if (start === null) continue;
    let st = kind === "tool" ? String(b.state || "done") : "done";
    if (kind === "agent" && endedSteps.get(String(b.id)) === false)
      st = running ? "running" : "cancelled"; // the run's end closed it
    const row = makeRow(kind, b, String(b.name || kind), b.usage, st);
    found.push([row, b.parent, start, num(b.ended_at)]);
  }
  if (!found.length) return [];
  const origin = num(state.started_at) ?? Math.min(...found.map((f) => f[2]));
  const runEnd = num(state.ended_at);
  const openEnd = running && now !== null ? now : runEnd;
  for (const [row, , start, ended] of found) {
    row.start = Math.max(0, start - origin);
    let until;
    if (ended === null) {
      if (row.kind !== "tool") row.state = running ? "running" : "cancelled";
      until = openEnd === null ? row.start : openEnd - origin;
    } else until = ended - origin;
    row.end = Math.max(row.start, until);
    if (row.duration < 0 || ended === null) row.duration = row.end - row.start;
  }
  return treeOrder(found);
}

/**
 * Each row after its scope's (a tool call or sub-agent shown as a row), siblings by start; a
 * row whose scope is no row is at the top level.
 * @param {[Row, unknown, number, number | null][]} found
 */
function treeOrder(found) {
  const ids = new Set(found.map((f) => f[0].id));
  /** @type {Map<string | null, Row[]>} */
  const children = new Map();
  for (const [row, parent] of found) {
    const key = parent != null && ids.has(String(parent)) ? String(parent) : null;
    children.set(key, [...(children.get(key) ?? []), row]);
  }
  /** @type {Row[]} */
  const out = [];
  const seen = new Set(); // a state whose scopes loop still ends
  /** @param {string | null} key @param {number} depth */
  const visit = (key, depth) => {
    for (const row of [...(children.get(key) ?? [])].sort((a, b) => a.start - b.start)) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      row.depth = depth;
      out.push(row);
      visit(row.id, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

/**
 * A row's numbers as the timeline and the exported table write them.
 * @param {Row} row
 */
export function rowCells(row) {
  const usage = { input_tokens: row.tokens_in, output_tokens: row.tokens_out };
  return {
    start: formatDuration(row.start),
    duration: formatDuration(row.duration),
    tokens: usageText(usage) || NO_NUMBER,
    cost: row.cost_usd === null ? NO_NUMBER : formatCost(row.cost_usd),
  };
}

/**
 * The legend's swatches: a row's class, its words (js/src/widget/styles/timeline.css colours).
 * @type {[string, string][]}
 */
const KEYS = [
  ["model", "model call"],
  ["tool", "tool call"],
  ["agent", "sub-agent"],
  ["error", "failed"],
];

/**
 * What the timeline's colours and numbers mean, for the kinds of rows it shows: "model call",
 * "tool call", "sub-agent", "failed" (a bar's colour); then the numbers after each bar.
 * @param {Row[]} rows
 * @returns {{keys: [string, string][], note: string}}
 */
export function timelineLegend(rows) {
  const shown = new Set(rows.flatMap((r) => [r.kind, r.state]));
  const faded = shown.has("running") || shown.has("cancelled");
  return {
    keys: KEYS.filter(([cls]) => shown.has(cls)),
    note: `${faded ? "faded: still running or stopped · " : ""}after each bar: its time, tokens in and out, cost (where known)`,
  };
}

const TICK_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/**
 * The axis: its `span` (seconds, the latest end, at least 0.1) and at most six `ticks` at
 * round numbers, each [seconds, label].
 * @param {Row[]} rows
 * @returns {{span: number, ticks: [number, string][]}}
 */
export function timelineAxis(rows) {
  const span = Math.max(0.1, ...rows.map((r) => r.end));
  // Over 10 hours, or clocks that disagree: whole hours, still at most six ticks.
  const step = TICK_STEPS.find((s) => span / s <= 5) ?? 3600 * Math.ceil(span / 5 / 3600);
  /** @type {[number, string][]} */
  const ticks = [];
  for (let k = 0; k * step <= span; k++) ticks.push([k * step, formatElapsed(k * step)]);
  return { span, ticks };
}

/** @param {number} x seconds @param {number} span */
const pct = (x, span) => `${((100 * x) / span).toFixed(3)}%`;

/**
 * An SVG element of the timeline's (no inline style: the bars and ticks are placed by SVG's
 * own percentage coordinates, tests/browser/bare/check.js allows exactly these).
 * @param {string} tag
 * @param {Record<string, string>} attrs
 */
function svg(tag, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export class TimelineView {
  /**
   * @param {import("../store/store.js").Store} store
   * @param {(cb: FrameRequestCallback) => number} raf a running bar grows once a frame
   * @param {(id: number) => void} cancelRaf
   * @param {HTMLElement} [el] its element (run_debug.js RunDebug's)
   */
  constructor(store, raf, cancelRaf, el = h("div", "nba-timeline")) {
    this.store = store;
    this.raf = raf;
    this.cancelRaf = cancelRaf;
    this.el = el;
    this.el.hidden = true;
    this.el.role = "group";
    this.el.ariaLabel = "Timeline";
    // The axis's SVG is made when the timeline is first shown: a closed one adds no SVG.
    /** @type {SVGElement | null} */
    this.ticks = null;
    this.rows = h("div", "nba-tl-rows");
    this.legend = h("div", "nba-tl-legend");
    this.legendKey = "";
    this.el.append(this.rows, this.legend);
    /** @type {number | null} */
    this.frame = null;
  }

  /** Whether the reader turned the timeline on (shared by the store's views). */
  get open() {
    return this.store.uiFor(TIMELINE_KEY).open === true;
  }

  update() {
    if (this.frame !== null) return; // a running timeline's next frame renders it: once a frame
    const state = this.store.state;
    const rows = this.open ? timelineRows(state, this.store.now()) : [];
    this.el.hidden = rows.length === 0;
    if (!rows.length) return;
    const { span, ticks } = timelineAxis(rows);
    if (this.ticks === null) {
      this.ticks = svg("svg", { class: "nba-tl-ticks", "aria-hidden": "true" });
      this.el.prepend(this.ticks);
    }
    this.ticks.replaceChildren(
      ...ticks.map(([at, label]) => {
        const tick = svg("text", { x: pct(at, span), y: "11" });
        tick.textContent = label;
        return tick;
      }),
    );
    const els = /** @type {HTMLElement[]} */ ([...this.rows.children]);
    while (els.length > rows.length) els.pop()?.remove();
    rows.forEach((row, i) => {
      let el = els[i];
      if (!el) {
        el = h("div");
        el.tabIndex = 0; // focus shows the numbers to a keyboard (its title to a pointer)
        const track = svg("svg", { class: "nba-tl-track", "aria-hidden": "true" });
        track.append(svg("rect", { class: "nba-tl-bar", height: "100%" }));
        el.append(h("span", "nba-tl-label"), track, h("span", "nba-tl-nums"));
        this.rows.append(el);
      }
      this.renderRow(el, row, span);
    });
    this.renderLegend(rows);
    if (state.status === "running" && this.frame === null)
      this.frame = this.raf(() => {
        this.frame = null;
        this.update();
      });
  }

  /** The legend under the rows, drawn again only when what it lists changes. @param {Row[]} rows */
  renderLegend(rows) {
    const { keys, note } = timelineLegend(rows);
    const key = `${keys.join()}|${note}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legend.replaceChildren(
      ...keys.map(([cls, words]) => {
        // A track with a full bar: the row's SVG, sized by the legend's stylesheet rule.
        const swatch = svg("svg", { class: "nba-tl-track", "aria-hidden": "true" });
        swatch.append(svg("rect", { class: "nba-tl-bar", width: "100%", height: "100%" }));
        const item = h("span", `nba-tl-key nba-tl-${cls}`);
        item.append(swatch, ` ${words}`);
        return item;
      }),
      h("span", "nba-tl-note", note),
    );
  }

  /** @param {HTMLElement} el @param {Row} row @param {number} span */
  renderRow(el, row, span) {
    const cells = rowCells(row);
    const cls = `nba-tl-row nba-tl-${row.kind} nba-tl-${row.state}`;
    if (el.className !== cls) el.className = cls;
    const [label, track, nums] = el.children;
    setText(label, row.label);
    // Indented by classes (no inline style), to a depth of 4.
    label.className = `nba-tl-label nba-tl-d${Math.min(row.depth, 4)}`;
    const bar = /** @type {Element} */ (track.firstChild);
    bar.setAttribute("x", pct(row.start, span));
    bar.setAttribute("width", pct(Math.max(row.end - row.start, span / 400), span)); // seen
    // What is not known is left out (the legend says "where known"), not a dash.
    const numbers = [cells.duration, cells.tokens, cells.cost]
      .filter((c) => c !== NO_NUMBER)
      .join(" · ");
    setText(nums, numbers);
    const title = `${row.label} (${row.state}) ${cells.start} → ${numbers}`;
    if (el.title !== title) el.title = title;
  }

  destroy() {
    if (this.frame !== null) this.cancelRaf(this.frame);
  }
}
