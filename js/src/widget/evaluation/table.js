// The evaluation's table, virtualized: a scroll box holding a bounded number of row elements
// (the visible rows and a few more), each placed at its offset in a box as tall as all the
// rows: a row stays where it is while others come and go (scrolling lays out and paints the
// new rows only). Rows have a fixed height (an opened case shows below the table, at its full
// width: detail.js). A row's cells are updated in place, so streaming touches only the rows in
// the DOM. Its columns fit a laptop's notebook: the number, the status as a dot, the scores,
// then the texts sharing what is left, the times, tokens and cost in one column, the review.
// Twin: nbagent/evaluation/static.py

import { actionButton } from "../../base/controls.js";
import { h, setText } from "../../base/format.js";
import { cls, ev, numbersInWords, put, scoreText, signed, TEXT, trend } from "./rows.js";

/**
 * @typedef {import("./rows.js").Row} Row
 * @typedef {{key: string, label: string, cls: string, title: string}} Column
 * @typedef {{mayAct: boolean, signal: AbortSignal, rows: Row[], details: Map<number, unknown>,
 *   toggle(i: number): void, sort(key: string): void,
 *   rate(i: number, up: boolean | null, comment: string): void}} Ctx
 * @typedef {{el: HTMLElement, shown: Map<number, HTMLElement>,
 *   setColumns(cols: Column[], key: string, desc: boolean): void,
 *   layout(order: number[], all?: boolean): void, fill(i: number): void}} Table
 */

/** A closed row's height (px), as evaluation.css sets it. */
export const ROW_HEIGHT = 28;
/** @param {unknown} rating a reviewer's: 👍 (true), 👎 (false) or none */
const thumb = (rating) => (rating === true ? "👍" : rating === false ? "👎" : "");

/** Rows drawn beyond each edge of the visible ones. */
const OVERSCAN = 6;
/** Scrolled, the rows drawn do while at least this many are drawn beyond each edge of view. */
const MARGIN = 2;
/** The scroll box's max-height (px), as evaluation.css sets it. */
const VIEW = 480;
/** At most this many rows in the DOM, whatever the box's height says. */
const MAX_ROWS = 60;
/** The characters of a cell's text it lays out: more than the widest cell shows on one line.
 * An answer streaming past them changes nothing drawn (laying out a whole answer, in every
 * row, at every message cost a frame). Its title has it all. */
const SHOWN = 240;

/** The columns sharing what the others leave: the texts, and the comment less. */
const FLEX = /** @type {Record<string, string>} */ ({ text: "1fr", comment: ".25fr" });
/** The texts' column: the input over the answer, each a line sorted by on its own. */
const TEXTS = ["input", "output"];

/**
 * The table's columns for these score names.
 * @param {string[]} scores
 * @returns {Column[]}
 */
export function columnsFor(scores) {
  const col = (/** @type {string} */ key, label = key, c = label, title = label) => ({
    key,
    label,
    cls: cls(`c c-${c}`),
    title,
  });
  return [
    col("#", "#", "n"),
    col("status", "", "status", "status"),
    ...scores.map((s) => col(`score:${s}`, s, "score")),
    col("text", "", "text", "input over output"),
    col("latency_s", "time · cost\ntokens", "numbers", "latency · cost, tokens (by latency)"),
    col("rating"),
    col("comment"),
  ];
}

/**
 * @param {Ctx} ctx
 * @returns {Table}
 */
export function table(ctx) {
  const { rows, details, mayAct } = ctx;
  const el = ev("div", "scroll");
  const head = ev("div", "row thead");
  const items = ev("div", "items");
  el.append(head, items);
  /** @type {Column[]} */
  let cols = [];
  /** @type {Map<number, HTMLElement>} the row elements in the DOM, by case */
  const shown = new Map();
  /** @type {Set<number>} the cases whose comment is being edited */
  const editing = new Set();
  // The rows drawn: order[from] to order[to - 1].
  let from = 0;
  let to = 0;
  // The box's scroll offset, read as it scrolls (a read in layout() would lay the page out
  // there first, then again for what layout() changed).
  let at = 0;
  el.addEventListener("scroll", () => (at = el.scrollTop), { signal: ctx.signal, passive: true });

  el.addEventListener(
    "click",
    (e) => {
      const t = /** @type {HTMLElement} */ (e.target);
      const sort = /** @type {HTMLElement | null} */ (t.closest("[data-sort]"));
      if (sort) ctx.sort(String(sort.dataset.sort));
      else if (!t.closest("button, input")) {
        const row = /** @type {HTMLElement | null} */ (t.closest("[data-i]"));
        if (row) ctx.toggle(Number(row.dataset.i));
      }
    },
    { signal: ctx.signal },
  );
  // A row focused: Enter or Space opens it (or closes it).
  el.addEventListener(
    "keydown",
    (e) => {
      const t = /** @type {HTMLElement} */ (e.target);
      if ((e.key === "Enter" || e.key === " ") && t.dataset.i) {
        e.preventDefault();
        ctx.toggle(Number(t.dataset.i));
      }
    },
    { signal: ctx.signal },
  );

  /** @param {HTMLElement} cell @param {Row} r @param {string} name */
  function score(cell, r, name) {
    if (!cell.firstChild) cell.append(h("span"), ev("span", "delta"));
    const [v, d] = /** @type {HTMLElement[]} */ ([...cell.children]);
    const error = r.score_errors?.[name];
    const text = error ? "error" : scoreText(r.scores?.[name]);
    setText(v, text);
    v.className = error ? "nba-ev-err" : "";
    const delta = r.deltas?.[name];
    // No change against the baseline shows nothing (the tooltip says the score).
    const has = typeof delta === "number" && delta !== 0 && !error;
    put(
      cell,
      "title",
      error ? String(error) : has ? `${text} (${signed(delta)} vs baseline)` : text,
    );
    setText(d, has ? signed(delta) : "");
    d.className = cls(`delta ${has ? trend(delta) : ""}`);
  }

  /** @param {HTMLElement} cell @param {Row} r */
  function rating(cell, r) {
    if (!mayAct) return setText(cell, thumb(r.rating));
    if (!cell.firstChild)
      for (const up of [true, false]) {
        const b = actionButton(thumb(up), cls(`rate ${up ? "up" : "down"}-vote`));
        b.addEventListener("click", () => {
          const now = rows[r.i];
          ctx.rate(r.i, now.rating === up ? null : up, String(now.comment ?? ""));
        });
        cell.append(b);
      }
    const [up, down] = cell.children;
    up.setAttribute("aria-pressed", String(r.rating === true));
    down.setAttribute("aria-pressed", String(r.rating === false));
  }

  /** @param {HTMLElement} cell @param {Row} r */
  function comment(cell, r) {
    const text = String(r.comment ?? "");
    put(cell, "title", text);
    if (!mayAct) return setText(cell, text);
    if (editing.has(r.i)) return;
    if (!cell.firstChild) {
      const b = actionButton("✎", "nba-ev-edit");
      b.title = "Comment";
      b.addEventListener("click", () => edit(cell, r.i));
      cell.append(b, h("span"));
    }
    setText(/** @type {Node} */ (cell.lastChild), text);
  }

  /**
   * Edit row i's comment in a box: Enter or leaving it sends it, Escape drops the edit.
   * @param {HTMLElement} cell
   * @param {number} i
   */
  function edit(cell, i) {
    const box = /** @type {HTMLInputElement} */ (ev("input", "box"));
    box.value = String(rows[i].comment ?? "");
    box.setAttribute("aria-label", "Comment");
    const finish = (/** @type {boolean} */ send) => {
      if (!editing.delete(i)) return;
      const r = rows[i];
      if (send && box.value !== String(r.comment ?? "")) ctx.rate(i, r.rating ?? null, box.value);
      cell.replaceChildren();
      comment(cell, rows[i]);
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === "Escape") finish(e.key === "Enter");
    });
    box.addEventListener("blur", () => finish(true));
    editing.add(i);
    cell.replaceChildren(box);
    box.focus();
  }

  /** Update row i's cells in place, if it is in the DOM. @param {number} i */
  function fill(i) {
    const row = shown.get(i);
    const r = rows[i];
    if (!row || !r) return;
    put(row.dataset, "status", String(r.status));
    cols.forEach((c, k) => {
      const cell = /** @type {HTMLElement} */ (row.children[k]);
      if (c.key.startsWith("score:")) score(cell, r, c.key.slice(6));
      else if (c.key === "rating") rating(cell, r);
      else if (c.key === "comment") comment(cell, r);
      else if (c.key === "text")
        TEXTS.forEach((k, n) => {
          if (!cell.children[n]) cell.append(ev("span", `c-${k}`));
          const line = /** @type {HTMLElement} */ (cell.children[n]);
          const text = TEXT[k](r);
          setText(line, text.slice(0, SHOWN));
          put(line, "title", text);
        });
      else if (c.key === "status") {
        // A coloured dot; its word in the tooltip and for a screen reader.
        if (!cell.firstChild) {
          cell.append(ev("span", "dot"));
          cell.setAttribute("role", "img");
        }
        const text = String(r.status ?? "");
        put(cell, "title", r.error ? `${text}: ${r.error}` : text);
        if (cell.getAttribute("aria-label") !== text) cell.setAttribute("aria-label", text);
      } else {
        const text = TEXT[c.key]?.(r) ?? "";
        setText(cell, text.slice(0, SHOWN));
        put(cell, "title", c.key === "latency_s" ? numbersInWords(r) : text);
      }
    });
  }

  return {
    el,
    shown,
    fill,
    setColumns(next, key, desc) {
      cols = next;
      // Every row has the same tracks: fixed widths, the texts and comment sharing what is left.
      const width = cols.map((c) => `var(--${c.cls.slice(9)})`);
      el.style.setProperty(
        "--nba-ev-cols",
        width
          .map((w, k) => (FLEX[cols[k].key] ? `minmax(${w},${FLEX[cols[k].key]})` : w))
          .join(" "),
      );
      el.style.setProperty("--nba-ev-min", `calc(${width.join(" + ")})`);
      head.replaceChildren(
        ...cols.map((c) => {
          const cell = h("div", c.cls);
          const keys = c.key === "text" ? TEXTS : [c.key];
          for (const k of keys) {
            const part = keys.length > 1 ? ev("span", `c-${k}`, k) : cell;
            if (part === cell) setText(cell, c.label);
            else cell.append(part);
            part.classList.add("nba-ev-sort");
            part.dataset.sort = k;
            part.title = k === c.key ? c.title : k;
            if (!c.label && part === cell) cell.setAttribute("aria-label", c.title);
            if (k === key) part.setAttribute("aria-sort", desc ? "descending" : "ascending");
          }
          return cell;
        }),
      );
      for (const row of shown.values()) row.remove();
      shown.clear();
      editing.clear();
    },
    layout(order, all = true) {
      // Row k of the order starts at k * ROW_HEIGHT.
      const n = order.length;
      const y = Math.max(0, at - ROW_HEIGHT);
      // The box's height: its CSS max-height (it is shorter only while the rows do not fill it).
      let first = Math.min(n, Math.floor(y / ROW_HEIGHT));
      let last = Math.min(n, Math.max(first, Math.ceil((y + VIEW) / ROW_HEIGHT)));
      if (!all && from <= Math.max(0, first - MARGIN) && to >= Math.min(n, last + MARGIN)) return;
      first = Math.max(0, first - OVERSCAN);
      last = Math.min(n, last + OVERSCAN, first + MAX_ROWS);
      from = first;
      to = last;
      // (Chromium leaves a style set to the value it has: nothing to lay out again.)
      items.style.height = `${n * ROW_HEIGHT}px`;
      /** @type {HTMLElement[]} */
      const want = [];
      for (let k = first; k < last; k++) {
        const i = order[k];
        let row = shown.get(i);
        if (!row) {
          row = ev("div", "row case");
          row.dataset.i = String(i);
          row.tabIndex = 0;
          row.append(...cols.map((c) => h("div", c.cls)));
          shown.set(i, row);
          fill(i);
        }
        // (An attribute set to the value it has restyles nothing.)
        row.setAttribute("aria-expanded", String(details.has(i)));
        row.style.top = `${k * ROW_HEIGHT}px`;
        want.push(row);
      }
      const keep = new Set(want);
      for (const [i, row] of shown)
        if (!keep.has(row)) {
          shown.delete(i);
          editing.delete(i);
        }
      for (const node of [...items.children])
        if (!keep.has(/** @type {any} */ (node))) node.remove();
      // Then move only what is out of place (a comment being typed keeps its focus).
      want.forEach((node, k) => {
        if (items.children[k] !== node) items.insertBefore(node, items.children[k] ?? null);
      });
    },
  };
}
