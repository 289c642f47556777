// Small formatting helpers shared by the panels and the status line.
// Twin: nbagent/transcript/export/formats.py

// How nbagent writes its numbers, the same strings as nbagent/transcript/export/formats.py
// (tests/fixtures/formats.json holds the cases both are checked against). Rounding is done on
// integers (floor(x * 10^d + 0.5)), never by toFixed, which rounds ties unlike Python.

/** What shows where a number means nothing (no first token yet, a rate from too little). */
export const NO_NUMBER = "—";

/** @param {number} s */
const finite = (s) => (Number.isFinite(s) && s >= 0 ? s : 0);

/**
 * `x` (≥ 0) rounded half up to `digits` decimals.
 * @param {number} x
 * @param {number} digits
 */
function fixed(x, digits) {
  const scale = 10 ** digits;
  const units = Math.floor(x * scale + 0.5);
  const whole = Math.floor(units / scale);
  if (!digits) return String(whole);
  return `${whole}.${String(units - whole * scale).padStart(digits, "0")}`;
}

/** @param {number} total whole seconds past a minute: "1 m 03 s", "2 h 05 m" */
function clock(total) {
  if (total < 3600) return `${Math.floor(total / 60)} m ${String(total % 60).padStart(2, "0")} s`;
  const minutes = Math.floor((total % 3600) / 60);
  return `${Math.floor(total / 3600)} h ${String(minutes).padStart(2, "0")} m`;
}

/**
 * A measured duration (time to first token, a tool call, a step): "0.35 s", "12.3 s",
 * "1 m 03 s", "2 h 05 m".
 * @param {number} s seconds
 */
export function formatDuration(s) {
  s = finite(s);
  if (Math.floor(s * 100 + 0.5) < 1000) return `${fixed(s, 2)} s`;
  if (Math.floor(s * 10 + 0.5) < 600) return `${fixed(s, 1)} s`;
  return clock(Math.floor(s + 0.5));
}

/**
 * A run's elapsed time, a clock that only goes forward (truncated): "0.9 s", "12 s", "1 m 03 s".
 * @param {number} s seconds
 */
export function formatElapsed(s) {
  s = finite(s);
  const tenths = Math.floor(s * 10 + 1e-6);
  if (tenths < 100) return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  const total = Math.floor(s + 1e-6);
  return total < 60 ? `${total} s` : clock(total);
}

/**
 * A token count: "1,234", "≈ 87".
 * @param {number} n
 * @param {boolean} [estimated]
 */
export function formatTokens(n, estimated = false) {
  const text = String(Math.floor(Math.max(0, n) + 0.5)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return estimated ? `≈ ${text}` : text;
}

/**
 * Tokens per second: "35.0 tok/s", "≈ 35.0 tok/s" (estimated tokens), "— tok/s".
 * @param {number | null} rate
 * @param {boolean} [estimated]
 */
export function formatRate(rate, estimated = false) {
  if (rate === null || !Number.isFinite(rate)) return `${NO_NUMBER} tok/s`;
  return `${estimated ? "≈ " : ""}${fixed(Math.max(0, rate), 1)} tok/s`;
}

/**
 * A cost in USD with the digits that matter: "$1.20", "$0.042", "$0.0031"; under a tenth of
 * a cent, two significant digits ("$0.00031", "$0.000015"), as `format_cost`.
 * @param {number} usd
 */
export function formatCost(usd) {
  usd = finite(usd);
  let digits = usd >= 1 ? 2 : usd >= 0.01 ? 3 : 4;
  if (usd > 0 && usd < 0.001) digits = Math.min(8, 1 - Math.floor(Math.log10(usd)));
  return `$${fixed(usd, digits)}`;
}

/** @typedef {import("../store/store.js").Usage} Usage */

/** @param {unknown} v @returns {v is number} */
const isCount = (v) => typeof v === "number" && Number.isInteger(v);

/**
 * Token usage as "in 12 · out 34 tokens"; "" when neither count is known.
 * @param {Usage | null | undefined} u
 */
export function usageText(u) {
  if (!u || (!isCount(u.input_tokens) && !isCount(u.output_tokens))) return "";
  const i = isCount(u.input_tokens) ? formatTokens(u.input_tokens) : "?";
  const o = isCount(u.output_tokens) ? formatTokens(u.output_tokens) : "?";
  return `in ${i} · out ${o} tokens`;
}

/** @type {[keyof Usage, string][]} */
const DETAIL_KEYS = [
  ["input_tokens", "in"],
  ["cached_input_tokens", "cached"],
  ["cache_write_tokens", "cache write"],
  ["output_tokens", "out"],
  ["reasoning_tokens", "reasoning"],
  ["total_tokens", "total"],
];

/**
 * Every count reported: "in 1,234 · cached 1,000 · cache write 200 · out 56 · reasoning 20 ·
 * total 1,290 tokens" (cached: read from the prompt cache; cache write: written to it);
 * "usage not reported" when none is.
 * @param {Usage | null | undefined} u
 */
export function usageDetails(u) {
  /** @type {string[]} */
  const counts = [];
  for (const [key, label] of DETAIL_KEYS) {
    const n = u?.[key];
    if (isCount(n)) counts.push(`${label} ${formatTokens(n)}`);
  }
  return counts.length ? `${counts.join(" · ")} tokens` : "usage not reported";
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
