// An evaluation's filter bar (index.js): a button per filter with its count, the kernel's
// (nbagent/evaluation/table.py), and the text box that filters the cases by their text.

import { setText } from "../../base/format.js";
import { ev, FILTERS } from "./rows.js";

/**
 * @param {{filter: string, query: string}} view the table's filter and query, set here
 * @param {() => void} changed the filter or the query changed: the table is ordered again
 * @param {AbortSignal} signal
 */
export function filterBar(view, changed, signal) {
  const el = ev("div", "filters");
  const search = /** @type {HTMLInputElement} */ (ev("input", "search"));
  search.placeholder = "Filter text";
  search.addEventListener(
    "input",
    () => {
      view.query = search.value.trim().toLowerCase();
      changed();
    },
    { signal },
  );
  /** @type {[import("./rows.js").Header | null, boolean]} what the buttons last showed */
  let shown = [null, false];
  /**
   * The buttons, each with its count ("Changed" only against a baseline).
   * @param {import("./rows.js").Header | null} head
   * @param {boolean} baseline
   */
  function draw(head, baseline) {
    shown = [head, baseline];
    const n = head?.filters ?? {};
    const names = FILTERS.filter((f) => f !== "Changed" || baseline);
    if (!names.includes(view.filter)) view.filter = "All";
    if (el.children.length !== names.length + 1)
      el.replaceChildren(
        ...names.map((name) => {
          const b = ev("button", "filter");
          b.type = "button";
          b.dataset.filter = name;
          b.addEventListener("click", () => {
            view.filter = name;
            draw(...shown);
            changed();
          });
          return b;
        }),
        search,
      );
    for (const b of el.querySelectorAll("button")) {
      const name = String(b.dataset.filter);
      setText(b, `${name} ${n[name] ?? ""}`.trim());
      b.setAttribute("aria-pressed", String(name === view.filter));
    }
  }
  return { el, draw };
}
