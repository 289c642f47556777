// Tool results as data (nbagent/core/data's display bundles): tables, images, markdown, text.
// Everything is built here from plain values with textContent; the only HTML that is parsed
// is a `_repr_html_` table, through the markdown sanitizer (rendering.md §4), and the only
// image is an <img> made here from a base64 PNG, JPEG or WebP whose magic number matches (a
// sound likewise an <audio> from base64 audio of an allow-listed container: data_url.js).
// Twin: nbagent/transcript/export/static_data.py

import { h } from "../base/format.js";
import { purify, renderMarkdown } from "../markdown/markdown.js";
import { withCopy } from "../markdown/table_text.js";
import { dataUrl, IMAGES, SOUNDS } from "./data_url.js";

export const TABLE_MIME = "application/vnd.nbagent.table+json";

/** @typedef {{name: string, dtype?: string}} Column */
/**
 * @typedef {{kind?: string, shape: number[], columns: Column[], index?: {name?: string | null} | null,
 *   head: string[][], tail: string[][], head_index?: string[], tail_index?: string[],
 *   omitted_rows?: number, omitted_columns?: number}} Table
 * @typedef {{data: Record<string, unknown>, metadata?: Record<string, unknown>}} Bundle
 * @typedef {import("../markdown/math.js").Typesetter} Typesetter
 */

/** As nbagent/core/data/limits.py IMAGE_BYTES and AUDIO_BYTES (1 MB), base64-encoded. */
const MAX_IMAGE_CHARS = Math.ceil(1_000_000 / 3) * 4;

/**
 * A `data:` URL for base64 data whose bytes are what `mime` says, `mime` one of `magic`'s
 * types (the images', or SOUNDS), within the tool data's 1 MB; null otherwise.
 * @param {string} mime
 * @param {unknown} b64
 * @param {Record<string, RegExp>} [magic]
 */
export function imageUrl(mime, b64, magic = IMAGES) {
  return dataUrl(mime, b64, magic, MAX_IMAGE_CHARS);
}

/** @param {unknown} t @returns {t is Table} */
function isTable(t) {
  if (typeof t !== "object" || t === null) return false;
  const o = /** @type {Record<string, unknown>} */ (t);
  const rows = (/** @type {unknown} */ r) =>
    Array.isArray(r) &&
    r.every((row) => Array.isArray(row) && row.every((c) => typeof c === "string"));
  return (
    Array.isArray(o.columns) &&
    o.columns.every((c) => typeof c === "object" && c !== null && typeof c.name === "string") &&
    Array.isArray(o.shape) &&
    o.shape.every((n) => typeof n === "number") &&
    rows(o.head) &&
    rows(o.tail)
  );
}

/**
 * The view of a tool's display bundles: one element per bundle, or null when none can be shown.
 * @param {unknown} display
 * @param {Typesetter | null} [math] typesets markdown's formulas
 * @returns {HTMLElement | null}
 */
export function renderDisplay(display, math = null) {
  if (!Array.isArray(display)) return null;
  const box = h("div", "nba-data");
  for (const b of display) {
    const data = typeof b === "object" && b !== null ? b.data : null;
    if (typeof data !== "object" || data === null) continue;
    const view = safely(/** @type {Bundle} */ (b), math);
    if (view) box.append(view);
  }
  return box.childElementCount ? box : null;
}

/**
 * A bundle's view, or its plain text when the view cannot be made: saved data from anywhere
 * must never break the panel.
 * @param {Bundle} b @param {Typesetter | null} math @returns {HTMLElement | null}
 */
function safely(b, math) {
  try {
    return bundleView(b, math);
  } catch {
    const plain = b.data["text/plain"];
    return typeof plain === "string" && plain ? h("pre", "nba-result", plain) : null;
  }
}

/** @param {Bundle} b @param {Typesetter | null} math @returns {HTMLElement | null} */
function bundleView(b, math) {
  const data = b.data;
  const plain = typeof data["text/plain"] === "string" ? data["text/plain"] : "";
  if (isTable(data[TABLE_MIME])) return tableView(data[TABLE_MIME]);
  for (const mime of Object.keys(IMAGES)) {
    const url = imageUrl(mime, data[mime]);
    if (url) return imageView(url, b.metadata?.[mime], plain);
  }
  for (const mime of Object.keys(SOUNDS)) {
    const url = imageUrl(mime, data[mime], SOUNDS);
    if (url) return audioView(url, plain);
  }
  if (typeof data["text/html"] === "string") {
    const frag = purify(data["text/html"]);
    const table = frag.querySelector("table");
    if (table) return withCopy(table, "nba-data-table nba-data-html");
  }
  if (typeof data["text/markdown"] === "string") {
    const md = renderMarkdown(data["text/markdown"], math);
    md.classList.add("nba-data-markdown");
    return md;
  }
  return plain ? h("pre", "nba-result", plain) : null;
}

/**
 * @param {string} url a validated data: URL
 * @param {unknown} meta `{width, height}` from the bundle
 * @param {string} alt
 */
function imageView(url, meta, alt) {
  const img = h("img", "nba-data-image");
  const m = /** @type {{width?: unknown, height?: unknown}} */ (meta ?? {});
  if (typeof m.width === "number" && typeof m.height === "number" && m.width > 0 && m.height > 0) {
    img.width = m.width;
    img.height = m.height;
  }
  img.alt = alt || "image from the tool";
  img.src = url;
  const box = h("div", "nba-data-figure");
  box.append(img);
  return box;
}

/**
 * A player; the sound's size and type (`text/plain`) under it.
 * @param {string} url a validated data: URL
 * @param {string} caption
 */
function audioView(url, caption) {
  const audio = h("audio", "nba-data-audio");
  audio.controls = true;
  audio.preload = "metadata";
  audio.src = url;
  const box = h("div", "nba-data-figure");
  box.append(audio, h("div", "nba-data-caption", caption));
  return box;
}

/** @param {Table} t */
function tableView(t) {
  const table = h("table");
  const indexed = t.index != null;
  const headRow = h("tr");
  if (indexed) headRow.append(h("th", "nba-data-index", t.index?.name ?? ""));
  const shownColumns = t.columns.length;
  for (const c of t.columns) {
    const th = h("th");
    th.append(h("span", "nba-data-col", c.name));
    if (c.dtype) th.append(h("span", "nba-data-dtype", c.dtype));
    headRow.append(th);
  }
  const thead = h("thead");
  thead.append(headRow);
  const tbody = h("tbody");
  /** @param {string[][]} rows @param {string[] | undefined} index */
  const addRows = (rows, index) => {
    rows.forEach((row, i) => {
      const tr = h("tr");
      if (indexed) tr.append(h("th", "nba-data-index", index?.[i] ?? ""));
      for (const cell of row) tr.append(h("td", "", cell));
      tbody.append(tr);
    });
  };
  addRows(t.head, t.head_index);
  const omitted = t.omitted_rows ?? 0;
  if (omitted > 0) {
    const gap = h("tr", "nba-data-gap");
    const td = h("td", "", `… ${omitted.toLocaleString("en-US")} rows …`);
    td.colSpan = shownColumns + (indexed ? 1 : 0);
    gap.append(td);
    tbody.append(gap);
  }
  addRows(t.tail, t.tail_index);
  table.append(thead, tbody);
  const box = withCopy(table, "nba-data-table");
  // The caption and the copy buttons share a line above the table.
  const head = h("div", "nba-data-head");
  head.append(h("span", "nba-data-caption", caption(t)), ...box.querySelectorAll(".nba-copy-bar"));
  box.prepend(head);
  return box;
}

/** "DataFrame · 1,000 rows × 3 columns (10 of 50 columns shown)" @param {Table} t */
function caption(t) {
  const [rows, cols = 1] = t.shape;
  const n = (/** @type {number} */ x) => x.toLocaleString("en-US");
  const shape =
    t.shape.length > 2 ? t.shape.map(n).join(" × ") : `${n(rows)} rows × ${n(cols)} columns`;
  const omittedCols = t.omitted_columns ?? 0;
  const more = omittedCols ? ` (${n(t.columns.length)} of ${n(cols)} columns shown)` : "";
  return `${t.kind ?? "table"} · ${shape}${more}`;
}
