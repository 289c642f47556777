// An evaluation's rows as data (no DOM): the kernel's change feed applied to them, the
// filters, the sort and how a cell's value is written.
// Twin: nbagent/evaluation/static.py

import { formatCost, formatDuration, formatTokens, h } from "../../base/format.js";

/**
 * @typedef {Record<string, any> & {i: number}} Row one case (docs/develop/features.md, "Evaluations")
 * @typedef {Record<string, any>} Header the evaluation's counts, times, usage and means
 * @typedef {(r: Row) => number | string | null} SortKey
 */

/** The filters, in the order the bar shows them. */
export const FILTERS = ["All", "Failures", "Errors", "Changed"];

/** @param {Row} r */
const scoreErrors = (r) => Object.keys(r.score_errors ?? {}).length > 0;

/** @type {Record<string, (r: Row) => boolean>} */
const TESTS = {
  All: () => true,
  // A bool score false, or the case's run failed.
  Failures: (r) => r.status === "error" || Object.values(r.scores ?? {}).includes(false),
  Errors: (r) => r.status === "error" || scoreErrors(r),
  Changed: (r) => r.changed === true,
};

/**
 * Whether `r` passes filter `name` and contains the text `query` (lowercased).
 * @param {Row} r
 * @param {string} name
 * @param {string} query
 */
export function passes(r, name, query) {
  if (!(TESTS[name] ?? TESTS.All)(r)) return false;
  if (!query) return true;
  return [r.name, r.input, r.output, r.expected, r.comment].some((v) =>
    String(v ?? "")
      .toLowerCase()
      .includes(query),
  );
}

const STATUS_RANK = ["error", "running", "queued", "completed", "cancelled", "skipped"];

/** @param {unknown} v @returns {number | string | null} */
function scoreKey(v) {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" || typeof v === "string") return v;
  return null;
}

/** @param {unknown} v @returns {number | null} */
export const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** @param {Row} r whether the case has no token count at all */
const noTokens = (r) => num(r.input_tokens) === null && num(r.output_tokens) === null;

/** @param {Row} r its tokens in and out */
const total = (r) => (num(r.input_tokens) ?? 0) + (num(r.output_tokens) ?? 0);

/**
 * The sort key of a column (`#`, a fixed column's key, or `score:<name>`).
 * @param {string} key
 * @returns {SortKey}
 */
export function sortKey(key) {
  if (key.startsWith("score:")) {
    const name = key.slice(6);
    return (r) => (r.score_errors?.[name] ? null : scoreKey(r.scores?.[name]));
  }
  switch (key) {
    case "status":
      return (r) => STATUS_RANK.indexOf(r.status);
    case "input":
    case "output":
    case "comment":
      return (r) => (r[key] ? String(r[key]) : null);
    case "rating":
      return (r) => scoreKey(r.rating); // up 1, down 0, none null
    default:
      return (r) => num(r[key]);
  }
}

/**
 * The indexes of `rows` that pass the filter, sorted by `key` (numbers numerically, text by
 * locale, nulls last either way; ties in case order).
 * @param {Row[]} rows
 * @param {{filter: string, query: string, key: string, desc: boolean}} view
 * @returns {number[]}
 */
export function ordered(rows, { filter, query, key, desc }) {
  const shown = rows.filter((r) => r && passes(r, filter, query));
  const of = sortKey(key);
  const keys = new Map(shown.map((r) => [r.i, of(r)]));
  shown.sort((a, b) => {
    const x = keys.get(a.i) ?? null;
    const y = keys.get(b.i) ?? null;
    if (x === null || y === null) return x === y ? a.i - b.i : x === null ? 1 : -1;
    const c =
      typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return c === 0 ? a.i - b.i : desc ? -c : c;
  });
  return shown.map((r) => r.i);
}

/**
 * What places row `r` in the order `view` asks for: whether it is shown, and its sort key.
 * @param {Row | undefined} r
 * @param {{filter: string, query: string, key: string}} view
 */
export const place = (r, view) =>
  r && JSON.stringify([passes(r, view.filter, view.query), sortKey(view.key)(r)]);

/**
 * Apply a `rows` message's partial rows and appended text; returns the rows it touched, each
 * with its `place` before (the order need not be made again when none moved).
 * @param {Row[]} rows indexed by `i`, changed in place
 * @param {unknown} partial
 * @param {unknown} append `[[i, text], ...]`
 * @param {(r: Row | undefined) => string | undefined} [placeOf]
 * @returns {Map<number, string | undefined>}
 */
export function applyRows(rows, partial, append, placeOf = () => "") {
  /** @type {Map<number, string | undefined>} */
  const was = new Map();
  /** @param {number} i */
  const row = (i) => {
    if (!was.has(i)) was.set(i, placeOf(rows[i]));
    rows[i] ??= { i };
    return rows[i];
  };
  for (const p of Array.isArray(partial) ? partial : []) {
    if (typeof p?.i === "number") Object.assign(row(p.i), p);
  }
  for (const a of Array.isArray(append) ? append : []) {
    if (!Array.isArray(a) || typeof a[0] !== "number" || typeof a[1] !== "string") continue;
    const r = row(a[0]);
    r.output = String(r.output ?? "") + a[1];
  }
  return was;
}

/**
 * A saved run's answer as its row shows it (nbagent/evaluation/table.py `text_of`).
 * @param {any} state
 */
export const textOf = (state) =>
  (state?.blocks ?? [])
    .filter((/** @type {any} */ b) => b?.type === "text")
    .map((/** @type {any} */ b) => b.text) // (join writes a missing one as "")
    .join("\n\n")
    .slice(0, 2000);

/**
 * `o[k] = v`, unless it is so: a write to the page's DOM costs even when it changes nothing.
 * @param {any} o an element, its style or dataset
 * @param {string} k
 * @param {string} v
 */
export const put = (o, k, v) => {
  if (o[k] !== v) o[k] = v;
};

/** @param {number} x 3 significant digits: 0.823, 12.3, 1230 */
export const sig3 = (x) => String(Number(x.toPrecision(3)));

/** @param {number} x a change: "+0.10", "-0.05", "+0.003" */
export const signed = (x) =>
  (x > 0 ? "+" : "") + (x === 0 || Math.abs(x) >= 0.01 ? x.toFixed(2) : sig3(x));

/** @param {number} x @returns {string} the class of a change: up, down or none */
export const trend = (x) => (x > 0 ? "up" : x < 0 ? "down" : "");

/** @param {string} names "seg seg-ok" → "nba-ev-seg nba-ev-seg-ok" */
export const cls = (names) =>
  names
    .split(" ")
    .filter(Boolean)
    .map((c) => `nba-ev-${c}`)
    .join(" ");

/**
 * An element with the view's classes (`names` without their `nba-ev-`) and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} names
 * @param {string} [text]
 */
export const ev = (tag, names, text) => h(tag, cls(names), text);

/**
 * A score as the table writes it: ✓/✗, a number's 3 significant digits, text.
 * @param {unknown} v
 */
export function scoreText(v) {
  if (typeof v === "boolean") return v ? "✓" : "✗";
  if (typeof v === "number") return sig3(v);
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * A number's text as `write` makes it; "" for none.
 * @param {unknown} v
 * @param {(n: any) => string} write
 */
const or = (v, write) => (num(v) === null ? "" : write(v));

/** @param {unknown} n a token count ("?" for none) */
const count = (n) => or(n, formatTokens) || "?";

/**
 * A line's block markers: a quote's `>`, a heading's `#`s, a list item's `-`, `*`, `+`, `1.`,
 * a task's `[ ]`.
 * @param {string} t trimmed
 */
function unmark(t) {
  for (;;) {
    const was = t;
    const hashes = t.length - t.replace(/^#{1,6}/, "").length;
    if (t[0] === ">") t = t.slice(1);
    else if (hashes && (t[hashes] ?? " ") === " ") t = t.slice(hashes);
    else if ("-*+".includes(t[0]) && t[1] === " ") t = t.slice(2);
    else t = t.replace(/^(\d{1,9}[.)]|\[[ xX]\]) /, "");
    t = t.trimStart();
    if (t === was) return t;
  }
}

/**
 * Markdown as a preview reads it (nbagent/evaluation/static.py `plain`, the same cases:
 * tests/fixtures/plain_text.json): one line, no heading, quote or list marks, no emphasis
 * stars, backticks or fences, a link's text without its address, a table's cells between
 * "·". One pass over the text (no pattern that backtracks).
 * @param {string} text
 */
export function plain(text) {
  /** @type {string[]} */
  const lines = [];
  for (const line of text.split("\n")) {
    let t = line.trim();
    let unclosed = false; // no ")" after: a "](" further on the line is no link either
    if (t.startsWith("```") || t.startsWith("~~~") || /^[-*_=:| ]+$/.test(t)) continue;
    t = unmark(t);
    if (t[0] === "|")
      t = t
        .slice(1, t.endsWith("|") ? -1 : undefined)
        .split("|")
        .join(" · ");
    /** @type {string[]} */
    const out = [];
    /** @type {number[]} where in `out` each open "[" is */
    const open = [];
    for (let k = 0; k < t.length; k++) {
      const c = t[k];
      if (c === "\\" && k + 1 < t.length) out.push(t[++k]);
      else if (c === "`" || (c === "~" && t[k + 1] === "~")) k += c === "~" ? 1 : 0;
      else if (c === "*") {
        let n = k;
        while (t[n + 1] === "*") n++;
        // A star with space on both sides is a times sign.
        if ((t[k - 1] ?? " ") === " " && (t[n + 1] ?? " ") === " ") out.push(t.slice(k, n + 1));
        k = n;
      } else if (c === "[" || (c === "!" && t[k + 1] === "[")) {
        if (c === "!") k++;
        open.push(out.length);
        out.push("[");
      } else if (c === "]" && t[k + 1] === "(" && open.length && !unclosed) {
        const end = t.indexOf(")", k + 2);
        if (end < 0) {
          unclosed = true;
          out.push(c);
        } else {
          out[/** @type {number} */ (open.pop())] = "";
          k = end;
        }
      } else {
        if (c === "]") open.pop();
        out.push(c);
      }
    }
    lines.push(out.join(""));
  }
  return lines.join(" ").replace(/\s+/g, " ").trim();
}

/** @param {Row} r the case's time and cost over its tokens, as its row shows them */
export const numbers = (r) =>
  [or(r.latency_s, formatDuration), or(r.cost_usd, formatCost)].filter(Boolean).join(" · ") +
  (noTokens(r) ? "" : `\n${formatTokens(total(r))} tok`);

/** @param {Row} r all of them, in words (the cell's tooltip, the opened case) */
export const numbersInWords = (r) =>
  [
    ["latency", or(r.latency_s, formatDuration)],
    ["first token", or(r.ttft_s, formatDuration)],
    ["tokens in/out", noTokens(r) ? "" : `${count(r.input_tokens)}/${count(r.output_tokens)}`],
    ["cost", or(r.cost_usd, formatCost)],
    ["tool calls", or(r.tool_calls, String)],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(" · ");

/** A preview's characters of a cell's text: the cell shows fewer (table.js SHOWN). */
const PREVIEW = 1000;

/**
 * The text of the plain columns.
 * @type {Record<string, (r: Row) => string>}
 */
export const TEXT = {
  "#": (r) => `${r.i + 1}${r.repeat ? `·${r.repeat + 1}` : ""}`,
  input: (r) => `${r.name ? `${r.name}: ` : ""}${plain(String(r.input ?? "").slice(0, PREVIEW))}`,
  output: (r) => plain(String(r.error && !r.output ? r.error : (r.output ?? "")).slice(0, PREVIEW)),
  latency_s: numbers,
};
