// An evaluation's header: its title, a progress bar, the counts, times, tokens and cost, the
// mean of each score (with its change against the baseline) and Stop. Written as closures
// (not a class): local names minify, `this.` properties would not (the chunk's budget).

import { actionButton } from "../../base/controls.js";
import { formatCost, formatElapsed, formatTokens, setText } from "../../base/format.js";
import { ev, num, put, sig3, signed, trend } from "./rows.js";

/** @typedef {import("./rows.js").Header} Header */

/** @param {unknown} v */
const n = (v) => num(v) ?? 0;

/** @param {unknown} v a mean, 3 significant digits ("—" for none) */
const mean = (v) => (typeof v === "number" ? sig3(v) : "—");

/** The bar's segments: class, label, count. @type {[string, string, (c: Header) => number][]} */
const SEGMENTS = [
  ["ok", "done", (c) => n(c.done) - n(c.errors) - n(c.cancelled) - n(c.skipped)],
  ["error", "errors", (c) => n(c.errors)],
  ["other", "ended early", (c) => n(c.cancelled) + n(c.skipped)],
  ["running", "running", (c) => n(c.running)],
  ["queued", "queued", (c) => n(c.queued)],
];

/**
 * @param {{send(msg: import("../../base/wire.js").PageMessage): void, mayAct: boolean, signal: AbortSignal}} ctx
 * @returns {{el: HTMLElement, draw(title: string, baseline: string, head: Header | null): void}}
 */
export function headerView(ctx) {
  const el = ev("div", "head");
  const title = ev("div", "title");
  const bar = ev("div", "bar");
  const segs = SEGMENTS.map(([cls]) => ev("div", `seg seg-${cls}`));
  bar.append(...segs);
  const line = ev("div", "line");
  const means = ev("div", "means");
  const stop = actionButton("Stop", "nba-ev-stop");
  stop.addEventListener("click", () => ctx.send({ type: "stop" }), { signal: ctx.signal });
  el.append(title, bar, line, means);
  /** @type {Header} */
  let c = {};
  let drawn = "";
  // Elapsed seconds when the header came, and the local clock then (s).
  let base = 0;
  let at = 0;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  const tick = (/** @type {boolean} */ on) => {
    if (on) ticker ??= setInterval(drawLine, 1000);
    else {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  ctx.signal.addEventListener("abort", () => tick(false));

  function drawLine() {
    const running = c.status === "running";
    const elapsed = base + (running ? Math.max(0, Date.now() / 1000 - at) : 0);
    const parts = [`${n(c.done)}/${n(c.total)}`];
    if (n(c.running)) parts.push(`${n(c.running)} running`);
    if (n(c.errors)) parts.push(`${n(c.errors)} error${n(c.errors) === 1 ? "" : "s"}`);
    if (c.status && !running) parts.push(String(c.status));
    parts.push(`elapsed ${formatElapsed(elapsed)}`);
    if (running && typeof c.eta_s === "number") parts.push(`ETA ${formatElapsed(c.eta_s)}`);
    const tokens = n(c.input_tokens) + n(c.output_tokens);
    if (tokens) parts.push(`${formatTokens(tokens)} tokens`);
    if (typeof c.cost_usd === "number") parts.push(formatCost(c.cost_usd));
    setText(line, parts.join(" · "));
  }

  function drawMeans() {
    const m = c.means ?? {};
    const changes = c.changes ?? {};
    const items = Object.keys(m).map((name) => {
      const item = ev("span", "mean", `${name} ${mean(m[name])}`);
      const { change, baseline } = changes[name] ?? {};
      if (typeof change === "number") {
        const d = ev("span", `delta ${trend(change)}`, ` (${signed(change)})`);
        d.title = `baseline ${mean(baseline)}`;
        item.append(d);
      }
      return item;
    });
    // Put in only when what they show changes (not at every message of a run).
    const now = items.map((item) => item.outerHTML).join();
    if (now !== drawn) means.replaceChildren(...items);
    drawn = now;
  }

  return {
    el,
    draw(text, baseline, head) {
      c = head ?? {};
      const running = c.status === "running";
      base = n(c.elapsed_s);
      at = Date.now() / 1000;
      // Its text node, before Stop (which stays while the run does).
      const name = (text || "Evaluation") + (baseline ? ` vs ${baseline}` : "");
      setText(title.firstChild ?? title, name);
      const total = Math.max(1, n(c.total));
      SEGMENTS.forEach(([, label, of], k) => {
        const v = Math.max(0, of(c));
        put(segs[k].style, "width", `${(100 * v) / total}%`);
        put(segs[k], "title", `${v} ${label}`);
      });
      drawLine();
      drawMeans();
      if (!(running && ctx.mayAct)) stop.remove();
      else if (!stop.parentNode) title.append(stop);
      tick(running);
    },
  };
}
