// A small syntax highlighter: comments, strings, numbers, keywords and literals for
// python, js/ts, json, bash and sql. Output is escaped HTML with <span class="nba-hl-*">;
// its text content is exactly the input. In the highlight chunk (js/src/widget/highlight_chunk.js).

import { escapeHtml } from "./escape.js";

/** @param {string} words */
const set = (words) => new Set(words.split(" "));

const NUM = String.raw`\b(?:0[xXbBoO][\da-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)[jnJLlfF]?\b`;
const DQ = String.raw`"(?:\\[\s\S]|[^"\\\n])*"?`;
const SQ = String.raw`'(?:\\[\s\S]|[^'\\\n])*'?`;

/**
 * @typedef {{re: RegExp, kw: Set<string>, lit: Set<string>, ci?: boolean}} Lang
 * The regex has groups: 1 comment, 2 string, 3 number, 4 word.
 * @param {string} comment @param {string} string @param {string} kw @param {string} lit
 * @param {boolean} [ci] case-insensitive keywords
 * @returns {Lang}
 */
function lang(comment, string, kw, lit, ci = false) {
  return {
    // redos-built: LANGS (js/redos.mjs checks each language's pattern as built)
    re: new RegExp(`(${comment})|(${string})|(${NUM})|([A-Za-z_$][\\w$]*)`, "g"),
    kw: set(ci ? kw.toLowerCase() : kw),
    lit: set(ci ? lit.toLowerCase() : lit),
    ci,
  };
}

const JS_KW =
  "async await break case catch class const continue debugger default delete do else export extends finally for from function if import in instanceof let new of return static super switch this throw try typeof var void while with yield as type interface enum implements private protected public readonly declare namespace abstract keyof satisfies";

/** @type {Record<string, Lang>} */
export const LANGS = {
  python: lang(
    "#[^\\n]*",
    `[rRbBuUfF]{0,2}(?:"""[\\s\\S]*?(?:"""|$)|'''[\\s\\S]*?(?:'''|$)|${DQ}|${SQ})`,
    "and as assert async await break class continue def del elif else except finally for from global if import in is lambda match case nonlocal not or pass raise return try while with yield print self",
    "True False None",
  ),
  js: lang(
    "\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$)",
    `${DQ}|${SQ}|\`(?:\\\\[\\s\\S]|[^\`\\\\])*\`?`,
    JS_KW,
    "true false null undefined NaN Infinity",
  ),
  json: lang("\\/\\/[^\\n]*", DQ, "", "true false null"),
  bash: lang(
    "(?:^|(?<=\\s))#[^\\n]*",
    `${DQ}|'[^']*'?`,
    "if then else elif fi for while until do done case esac in function return export local set unset echo cd source exit sudo",
    "true false",
  ),
  sql: lang(
    "--[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$)",
    `${SQ}|${DQ}`,
    "select from where and or not insert into values update set delete create table drop alter add index view join left right inner outer full cross on as group by order having limit offset union all distinct case when then else end is in like between exists primary key foreign references default with returning asc desc",
    "null true false",
    true,
  ),
};

/** @type {Record<string, string>} */
const ALIASES = {
  py: "python",
  python3: "python",
  javascript: "js",
  jsx: "js",
  mjs: "js",
  ts: "js",
  tsx: "js",
  typescript: "js",
  jsonc: "json",
  sh: "bash",
  shell: "bash",
  zsh: "bash",
  console: "bash",
  postgres: "sql",
  postgresql: "sql",
  sqlite: "sql",
  mysql: "sql",
};

/**
 * Highlight `code` in language `name`; unknown languages are only escaped.
 * @param {string} code
 * @param {string} [name]
 * @returns {string} HTML
 */
export function highlight(code, name = "") {
  const key = name.toLowerCase();
  const l = LANGS[ALIASES[key] ?? key];
  if (!l) return escapeHtml(code);
  let out = "";
  let last = 0;
  l.re.lastIndex = 0;
  for (let m = l.re.exec(code); m; m = l.re.exec(code)) {
    if (m[0] === "") {
      l.re.lastIndex++;
      continue;
    }
    let cls = "";
    if (m[1]) cls = "c";
    else if (m[2]) cls = "s";
    else if (m[3]) cls = "n";
    else if (m[4]) {
      const w = l.ci ? m[4].toLowerCase() : m[4];
      cls = l.kw.has(w) ? "k" : l.lit.has(w) ? "l" : "";
    }
    if (!cls) continue;
    out += `${escapeHtml(code.slice(last, m.index))}<span class="nba-hl-${cls}">${escapeHtml(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(code.slice(last));
}
