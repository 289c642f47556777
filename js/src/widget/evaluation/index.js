// An evaluation's view (nbagent/evaluation/widget.py, EvaluationWidget): a header with its
// progress, a filter bar and a virtualized table of its cases, each row opening the case below
// the table, with its own run view (detail.js: the `case` chunk, imported the first time a case
// opens). The table follows the kernel's change feed
// (`rows` messages, in `seq` order; a gap asks for a `snapshot`), and shows from the
// `snapshot` trait alone in a saved notebook. A chunk of its own: only pages that show an evaluation load it.
// Everything from the kernel goes in with textContent. The modules are closures, not classes:
// local names minify, `this.` properties would not (the chunk's budget).

import "./evaluation.css";
import { importText, sent } from "../../base/chunks.js";
import { HOST_EVENT, OUTPUT_EVENT } from "../../store/offer.js";
import { filterBar } from "./filters.js";
import { headerView } from "./header.js";
import { applyRows, ev, ordered, place, textOf } from "./rows.js";
import { columnsFor, table } from "./table.js";

/**
 * @typedef {{get(name: string): any, on(name: string, cb: (...a: any[]) => void): void,
 *   off(name: string, cb: (...a: any[]) => void): void, send(msg: object): void,
 *   widget_manager?: {get_model(id: string): Promise<any>}}} Model
 * @typedef {import("./rows.js").Row} Row
 * @typedef {import("./detail.js").Detail} Detail
 * @typedef {{openDetail: typeof import("./detail.js").openDetail}} Case
 */

const frame = requestAnimationFrame;

/**
 * Draw an evaluation in `el`; returns the cleanup.
 * @param {Model} model
 * @param {HTMLElement} el
 * @param {{retryMs?: number, maxTries?: number, caseCode?: Case}} [opts] how `sync` is asked
 *   again; an opened case's code at hand (the lab extension's own copy, tests), else the case
 *   chunk (nbagent/static/case.js) from the code model, which the kernel sends with a case's
 *   first `open` and as the evaluation ends (a saved notebook has it)
 */
export function evaluationView(model, el, { retryMs = 1000, maxTries = 6, caseCode } = {}) {
  const abort = new AbortController();
  const signal = abort.signal;
  /** @type {Promise<Case> | null} */
  let caseLoad = caseCode ? Promise.resolve(caseCode) : null;
  const loadCase = () => {
    caseLoad ??= (async () => {
      const ref = String(model.get("code") ?? "").replace("IPY_MODEL_", "");
      const code = await /** @type {any} */ (model.widget_manager).get_model(ref);
      const text = code.get("case") || (await sent(code, "case"));
      return (await importText(text)).default;
    })();
    caseLoad.catch(() => {
      caseLoad = null; // asked again at the next open
    });
    return caseLoad;
  };
  const mayAct = model.get("page_actions") !== false;
  const key = Math.random(); // this view's, in its stores' keys
  let seq = -1;
  /** @type {import("./rows.js").Header | null} the counts as the kernel last sent them */
  let head = null;
  /** @type {Row[]} indexed by case */
  const rows = [];
  /** @type {Map<number, Detail>} the opened rows */
  const details = new Map();
  /** @type {Set<number>} the rows a message changed, not drawn yet */
  const dirty = new Set();
  /** @type {Set<number>} the cases whose `open` was sent */
  const asked = new Set();
  /** @type {Set<number>} the cases opening (their code loading) */
  const opening = new Set();
  const view = { filter: "All", query: "", key: "#", desc: false };
  /** @type {number[]} */
  let order = [];
  let scheduled = false;
  let reorder = true;
  let redraw = true;

  const send = (/** @type {import("../../base/wire.js").EvalRequest} */ msg) => {
    try {
      model.send(msg);
    } catch {
      // a saved notebook: no kernel to ask
    }
  };
  const header = headerView({ send, mayAct, signal });
  const filters = filterBar(view, () => changed(true), signal);
  const grid = table({
    mayAct,
    signal,
    rows,
    details,
    toggle,
    sort(k) {
      view.desc = view.key === k && !view.desc;
      view.key = k;
      columns();
    },
    rate(i, up, comment) {
      Object.assign(rows[i], { rating: up, comment });
      grid.fill(i);
      send({ type: "rate", i, up, comment });
    },
  });
  grid.el.addEventListener("scroll", () => changed(), { signal, passive: true });
  const root = ev("div", "");
  root.className = "nbagent nba-ev";
  // The opened cases, below the table, the last opened first.
  const cases = ev("div", "cases");
  root.append(header.el, filters.el, grid.el, cases);
  el.append(root);

  // Asking for a snapshot: again, backing off, until one comes (a message lost on a reload).
  let tries = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  const ask = () => {
    if (tries >= maxTries) return;
    send({ type: "sync" });
    retry = setTimeout(ask, retryMs * 2 ** tries++);
  };
  const sync = () => {
    if (retry === undefined) ask();
  };
  const settle = () => {
    clearTimeout(retry);
    retry = undefined;
    tries = 0;
  };

  /** Row i changed: its cells and its detail, in place, if shown. @param {number} i */
  const touch = (i) => {
    grid.fill(i);
    if (rows[i]) details.get(i)?.draw(rows[i]);
  };

  /** @param {any} snap the whole table at its `seq` (the trait, or a `snapshot` message) */
  function load(snap) {
    if (!Array.isArray(snap?.rows) || (snap.seq ?? 0) < seq) return;
    seq = snap.seq ?? 0;
    head = snap.header;
    rows.length = 0;
    const texts = model.get("transcripts");
    applyRows(
      rows,
      snap.rows.map((/** @type {any} */ r) =>
        r && !("output" in r) ? { ...r, output: textOf(texts?.[r.i]) } : r,
      ),
      [],
    );
    for (const i of new Set([...grid.shown.keys(), ...details.keys()])) touch(i);
    drawHeader();
    changed(true);
  }

  // A finished table's output data for the host that saves it into the notebook (nbagent's
  // JupyterLab renderer: the kernel cannot update an output once its cell has ended); asked
  // of the kernel only when a host claims it.
  let offered = -1;
  function offer(frames = 120) {
    const snap = model.get("snapshot");
    const status = snap?.header?.status;
    if (!status || status === "running" || snap.seq === offered || signal.aborted) return;
    if (!root.isConnected) {
      if (frames > 0) frame(() => offer(frames - 1));
      return;
    }
    offered = snap.seq;
    const host = new CustomEvent(HOST_EVENT, { bubbles: true, cancelable: true });
    root.dispatchEvent(host);
    if (host.defaultPrevented) send({ type: "output" });
  }

  /** @param {import("../../base/wire.js").EvalMessage} msg a message of the kernel's */
  function message(msg) {
    if (msg?.type === "output" && msg.data && typeof msg.data === "object") {
      const detail = { data: msg.data };
      return void root.dispatchEvent(new CustomEvent(OUTPUT_EVENT, { bubbles: true, detail }));
    }
    if (msg?.type === "snapshot") {
      settle();
      return load(msg);
    }
    if (msg?.type !== "rows" || typeof msg.seq !== "number" || msg.seq <= seq) return;
    if (msg.seq !== seq + 1) return sync();
    seq = msg.seq;
    head = { ...head, ...msg.header }; // what changed of it
    // The order is made again only when a row came, left the filter or moved in the sort.
    const was = applyRows(rows, msg.rows, msg.append, (r) => place(r, view));
    for (const [i, p] of was) {
      dirty.add(i);
      reorder ||= place(rows[i], view) !== p;
    }
    drawLater();
  }

  function drawHeader() {
    header.draw(String(model.get("title") ?? ""), String(model.get("baseline") ?? ""), head);
    filters.draw(head, Boolean(model.get("baseline")));
  }

  /** The columns (and the sort shown on them) from the traits. */
  function columns() {
    const names = model.get("columns");
    grid.setColumns(columnsFor(Array.isArray(names) ? names.map(String) : []), view.key, view.desc);
    drawHeader();
    changed(true);
  }

  /**
   * Draw on the next frame: the order (when `again`), the rows in view.
   * @param {boolean} [again] the rows or the filter changed; false: an opened row; none: the
   *   scroll only (the rows drawn may do)
   */
  function changed(again) {
    reorder ||= !!again;
    redraw ||= again !== undefined;
    if (scheduled) return;
    scheduled = true;
    frame(draw);
  }

  function draw() {
    scheduled = false;
    if (signal.aborted) return;
    if (reorder) {
      reorder = false;
      const next = ordered(rows, view);
      redraw ||= String(next) !== String(order);
      order = next;
    }
    grid.layout(order, redraw);
    redraw = false;
  }

  // A message's rows are drawn two frames after it came (its data is in at once). JupyterLab
  // decodes and hands a message over in a task of its own (3–4 ms for a feed message); drawn
  // in it, the table's style, layout and paint followed in the frame begun right after
  // (headless Chromium begins one as soon as it is asked), and the two made one long frame.
  // Two frames on, they are always apart.
  let later = false;
  function drawLater() {
    if (later) return;
    later = true;
    frame(() =>
      frame(() => {
        later = false;
        if (signal.aborted) return; // (the header would tick again)
        for (const i of dirty) touch(i);
        dirty.clear();
        drawHeader();
        draw();
      }),
    );
  }

  /** @param {Detail} d @param {number} i */
  const mount = (d, i) => {
    // One store per saved run in the run widget's code: by its run id where it has one.
    d.mount(model, `nba-ev:${model.get("transcripts")?.[i]?.run_id || key}:${i}`);
  };

  /** Open row i (or close it): its detail and the case's run view. @param {number} i */
  function toggle(i) {
    const open = details.get(i);
    details.delete(i);
    if (open) {
      open.destroy();
      return changed(false);
    }
    if (!model.get("opened")?.[String(i)] && !asked.has(i)) {
      asked.add(i);
      send({ type: "open", i });
    }
    if (opening.has(i)) return;
    opening.add(i);
    loadCase().then(
      ({ openDetail }) => {
        opening.delete(i);
        if (signal.aborted) return;
        const d = openDetail(i, { send, mayAct, close: () => toggle(i) });
        details.set(i, d);
        cases.prepend(d.el);
        if (rows[i]) d.draw(rows[i]);
        d.el.scrollIntoView?.({ block: "nearest" }); // (it may be below the window)
        mount(d, i);
        changed(false);
      },
      (e) => {
        opening.delete(i);
        console.warn("nbagent: a case does not open, its code did not load:", e);
      },
    );
  }

  const mountAll = () => {
    for (const [i, d] of details) mount(d, i);
  };
  /** @type {[string, (...a: any[]) => void][]} */
  const handlers = [
    ["msg:custom", message],
    [
      "change:snapshot",
      () => {
        load(model.get("snapshot"));
        offer();
      },
    ],
    ["change:columns", columns],
    ["change:baseline", columns],
    ["change:title", drawHeader],
    ["change:opened", mountAll],
    ["change:transcripts", mountAll],
  ];
  for (const [name, cb] of handlers) model.on(name, cb);
  columns();
  load(model.get("snapshot"));
  if (model.get("snapshot")?.header?.status === "running") sync(); // a reload mid-run
  offer();

  return () => {
    abort.abort();
    settle();
    for (const [name, cb] of handlers) model.off(name, cb);
    for (const d of details.values()) d.destroy();
    details.clear();
    root.remove();
  };
}

export default {
  /** @param {{model: Model, el: HTMLElement}} props */
  render: (
    /** @type {{model: Model, el: HTMLElement, caseCode?: Case}} */ { model, el, caseCode },
  ) => evaluationView(model, el, { caseCode }),
};
