// Small formatting helpers shared by the panels and the status line.

/**
 * A duration: "0.42 s", "12.3 s", "1 m 03 s", "2 h 05 m".
 * @param {number} s seconds
 */
export function formatDuration(s) {
  if (!Number.isFinite(s) || s < 0) s = 0;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  if (total < 3600) return `${Math.floor(total / 60)} m ${String(total % 60).padStart(2, "0")} s`;
  return `${Math.floor(total / 3600)} h ${String(Math.floor((total % 3600) / 60)).padStart(2, "0")} m`;
}

/**
 * A ticking clock: whole seconds ("7 s", "1 m 03 s").
 * @param {number} s seconds
 */
export function formatElapsed(s) {
  if (!Number.isFinite(s) || s < 0) s = 0;
  return s < 60 ? `${Math.floor(s)} s` : formatDuration(s);
}

/**
 * Token usage as "in 12 · out 34 tokens"; "" when neither count is known.
 * @param {{input_tokens?: number | null, output_tokens?: number | null} | null | undefined} u
 */
export function usageText(u) {
  if (!u || (typeof u.input_tokens !== "number" && typeof u.output_tokens !== "number")) return "";
  return `in ${u.input_tokens ?? "?"} · out ${u.output_tokens ?? "?"} tokens`;
}

/**
 * A cost in USD with the digits that matter: "$1.20", "$0.042", "$0.0031" (as the kernel's
 * status line, nbagent/_export/common.py `format_cost`).
 * @param {number} usd
 */
export function formatCost(usd) {
  const digits = usd >= 1 ? 2 : usd >= 0.01 ? 3 : 4;
  return `$${usd.toFixed(digits)}`;
}

/**
 * One line, at most `max` characters.
 * @param {string} s
 * @param {number} [max]
 */
export function oneLine(s, max = 80) {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * A JSON value as display text: strings as they are, anything else pretty-printed.
 * @param {unknown} v
 */
export function displayValue(v) {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** @param {number} n @param {string} word */
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Create an element with a class and optional text (always textContent).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [cls]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Set textContent only when it changed (cheap re-renders).
 * @param {Node} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
