// A collapsible panel (<details>/<summary>) whose open state is the reader's once they toggle
// it, kept in the store: the base of the thinking chunk's panel (thinking.js) and of the tools
// chunk's (panels.js). In neither chunk's bundle twice: each chunk has its own copy.

import { h } from "../base/format.js";

/** @typedef {import("../store/store.js").Store} Store */

/**
 * A collapsible panel: <details>/<summary>. The open state is automatic until the user
 * toggles it; the user's choice is kept in the store (it survives re-created views).
 */
export class Panel {
  /**
   * @param {Store} store
   * @param {string} id block id
   * @param {string} kind css modifier
   * @param {AbortSignal} signal
   */
  constructor(store, id, kind, signal) {
    this.store = store;
    this.id = id;
    this.el = h("details", `nba-panel nba-${kind}`);
    this.summary = h("summary", "nba-summary");
    this.body = h("div", "nba-panel-body");
    this.el.append(this.summary, this.body);
    this.summary.addEventListener(
      "click",
      (e) => {
        e.preventDefault();
        const open = !this.el.open;
        this.store.uiFor(this.id).open = open;
        this.el.open = open;
      },
      { signal },
    );
  }

  /** @param {boolean} auto the automatic open state */
  setOpen(auto) {
    const user = this.store.uiFor(this.id).open;
    const open = user ?? auto;
    if (this.el.open !== open) this.el.open = open;
  }
}

/** @param {string} [label] */
export function spinner(label = "working") {
  const s = h("span", "nba-spinner");
  s.setAttribute("role", "img");
  s.setAttribute("aria-label", label);
  return s;
}
