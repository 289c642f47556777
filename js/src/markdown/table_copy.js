// Copy buttons for tables (answer tables and tool data tables) and what a copy button does
// when clicked. Its own module: markdown.js (decorate) and data.js both use it; the table's
// text (TSV or markdown of its rendered cells) is the highlight chunk's (table_text.js).

import { h } from "../base/format.js";

/**
 * Put a table in a box that scrolls sideways, with copy buttons for TSV and markdown (our own
 * buttons: `nba-copy`, handled by the view's click delegation through highlight_slot.js `copyTable`).
 * @param {HTMLTableElement} table
 * @param {string} cls
 */
export function withCopy(table, cls) {
  const box = h("div", cls);
  const scroll = h("div", "nba-table-scroll");
  const bar = h("div", "nba-copy-bar");
  for (const [format, label] of [
    ["tsv", "Copy TSV"],
    ["md", "Copy markdown"],
  ]) {
    const btn = h("button", `nba-copy nba-copy-table nba-copy-${format}`, label);
    btn.type = "button";
    btn.title = `Copy the table as ${format === "tsv" ? "tab-separated values" : "markdown"}`;
    bar.append(btn);
  }
  table.replaceWith(box);
  scroll.append(table);
  box.append(bar, scroll);
  return box;
}

/**
 * Copy `text()` for a copy button: it shows "Copied" (or "Copy failed") for a moment, then
 * `label` again.
 * @param {HTMLButtonElement} btn
 * @param {() => string} text
 * @param {string} label
 */
export async function copyText(btn, text, label) {
  try {
    await navigator.clipboard.writeText(text());
    btn.textContent = "Copied";
    btn.classList.add("nba-copied");
  } catch {
    btn.textContent = "Copy failed";
  }
  setTimeout(() => {
    btn.textContent = label;
    btn.classList.remove("nba-copied");
  }, 1500);
}
