// A table's copy buttons (an answer's table, a tool's data table: data.js) and the table as
// text, TSV or GFM markdown, for them: in the highlight chunk (js/src/widget/highlight_chunk.js),
// which the view's click delegation calls (js/src/base/highlight_slot.js).

import { h } from "../base/format.js";
import { copyText } from "./table_copy.js";

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
 * The cells of a rendered table, row by row (a spanning "… N rows …" row included or not).
 * @param {HTMLTableElement} table
 * @param {boolean} gaps
 */
function cells(table, gaps) {
  return [...table.rows]
    .filter((r) => gaps || !r.classList.contains("nba-data-gap"))
    .map((r) => {
      const row = [...r.cells].map((c) => {
        // A data table's header cell holds the name and the dtype: the name is the header.
        const name = c.querySelector(".nba-data-col");
        return (name ?? c).textContent?.replace(/\s+/g, " ").trim() ?? "";
      });
      return r.classList.contains("nba-data-gap")
        ? row.concat(Array(r.cells[0].colSpan - 1).fill("…"))
        : row;
    });
}

/**
 * A rendered table as text: TSV (tabs and newlines in cells become spaces) or GFM markdown.
 * @param {HTMLTableElement} table
 * @param {"tsv" | "md"} format
 */
export function tableText(table, format) {
  if (format === "tsv")
    return cells(table, false)
      .map((r) => r.join("\t"))
      .join("\n");
  const rows = cells(table, true).map((r) =>
    r.map((c) => c.replace(/\\/g, "\\\\").replace(/\|/g, "\\|")),
  );
  if (!rows.length) return "";
  const width = Math.max(...rows.map((r) => r.length));
  const line = (/** @type {string[]} */ r) =>
    `| ${[...r, ...Array(width - r.length).fill("")].join(" | ")} |`;
  return [line(rows[0]), `|${"---|".repeat(width)}`, ...rows.slice(1).map(line)].join("\n");
}

/**
 * Copy the table of a table copy button; shows "Copied" for a moment.
 * @param {HTMLButtonElement} btn
 */
export async function copyTable(btn) {
  const table = btn.closest(".nba-table, .nba-data-table")?.querySelector("table");
  if (!table) return;
  await copyText(
    btn,
    () => tableText(table, btn.classList.contains("nba-copy-md") ? "md" : "tsv"),
    btn.textContent ?? "",
  );
}
