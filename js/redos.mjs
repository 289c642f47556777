// The ReDoS check of `make lint`: every regular expression in src/ and lab/src/ (regex
// literals and `new RegExp`), and the Python ones listed by tests/regex_patterns.py, through
// recheck (a maintained checker: automaton analysis, fuzzing where that cannot decide).
//
// A pattern recheck finds exponential or polynomial fails, unless a `redos-bounded:` comment
// on its lines or just above says what bounds the input it sees (the bound is then in code).
// A pattern built at run time (`new RegExp(expr)`) names with `redos-built: NAME` the export
// of its module that holds the built patterns; they are checked as they are built.
// A note on a pattern that recheck finds linear fails too: no stale excuses.
//
// Usage: node redos.mjs [--python patterns.json] [--json]

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "acorn";
import { check } from "recheck";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const DIRS = ["src", "lab/src"];
const BOUNDED = "redos-bounded:";
const BUILT = "redos-built:";
// The same verdict on every run, however loaded the machine: a fixed seed, and no time limits
// (recheck's defaults stop a check, an incubation or an attack after so many ms, which a busy
// machine reaches first); its limits counted in steps stay.
const PARAMS = {
  randomSeed: 0,
  timeout: null,
  attackTimeout: null,
  incubationTimeout: null,
  seedingTimeout: null,
};

/**
 * @typedef {{file: string, line: number, source: string | null, flags: string,
 *   bounded: string | null, built?: string | null}} Pattern
 */

/**
 * The note after `key` on lines first..last (1-based) or the comment lines just above.
 * @param {string[]} lines @param {number} first @param {number} last @param {string} key
 * @param {string} comment the language's line-comment marker
 */
function noteNear(lines, first, last, key, comment) {
  let i = first - 1;
  while (i >= 1 && lines[i - 1].trimStart().startsWith(comment)) i--;
  for (const text of lines.slice(i, last)) {
    const at = text.indexOf(key);
    if (at >= 0) return text.slice(at + key.length).trim();
  }
  return null;
}

/** @param {string} dir @returns {string[]} */
function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(join(dir, e.name))
      : e.name.endsWith(".js") && !e.name.endsWith(".test.js")
        ? [join(dir, e.name)]
        : [],
  );
}

/**
 * Every regex in one JS file.
 * @param {string} path
 * @returns {Promise<Pattern[]>}
 */
async function jsPatterns(path) {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const file = relative(ROOT, path);
  /** @type {Pattern[]} */
  const out = [];
  /** @param {any} node @param {string | null} source @param {string} flags */
  const add = (node, source, flags) => {
    const [first, last] = [node.loc.start.line, node.loc.end.line];
    out.push({
      file,
      line: first,
      source,
      flags,
      bounded: noteNear(lines, first, last, BOUNDED, "//"),
      built: noteNear(lines, first, last, BUILT, "//"),
    });
  };
  const ast = parse(text, { ecmaVersion: "latest", sourceType: "module", locations: true });
  /** @param {any} node */
  const walk = (node) => {
    if (!node || typeof node.type !== "string") return;
    if (node.type === "Literal" && node.regex) add(node, node.regex.pattern, node.regex.flags);
    if (
      (node.type === "NewExpression" || node.type === "CallExpression") &&
      node.callee.type === "Identifier" &&
      node.callee.name === "RegExp"
    ) {
      const [p, f] = node.arguments;
      const literal = p?.type === "Literal" && typeof p.value === "string";
      const flags = f?.type === "Literal" ? String(f.value) : "";
      add(node, literal ? p.value : null, flags);
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object" && key !== "loc") walk(v);
    }
  };
  walk(ast);
  // Patterns built at run time: the ones the module built, from the export the note names.
  /** @type {Pattern[]} */
  const built = [];
  for (const p of out.filter((p) => p.source === null && p.built)) {
    const mod = await import(pathToFileURL(path).href);
    const name = /** @type {string} */ (p.built).split(/\s/)[0];
    if (!(name in mod)) throw new Error(`${p.file}:${p.line}: no export ${name} (${BUILT})`);
    const value = mod[name];
    for (const re of regexesIn(value)) built.push({ ...p, source: re.source, flags: re.flags });
  }
  return [...out.filter((p) => p.source !== null || !p.built), ...built];
}

/**
 * The RegExp objects in a value: itself, or in its array items or object values (one level).
 * @param {unknown} value
 * @returns {RegExp[]}
 */
function regexesIn(value) {
  if (value instanceof RegExp) return [value];
  if (!value || typeof value !== "object") return [];
  return Object.values(value).flatMap((v) =>
    v instanceof RegExp
      ? [v]
      : v && typeof v === "object"
        ? Object.values(v).filter((x) => x instanceof RegExp)
        : [],
  );
}

/**
 * recheck's verdict on one pattern.
 * @param {Pattern} p
 */
async function verdict(p) {
  if (p.source === null) return { kind: "dynamic", detail: "built at run time, not checkable" };
  // recheck knows JavaScript's flags but the global/sticky ones do not change the cost of a match.
  const flags = p.flags.replace(/[gyd]/g, "");
  const r = await check(p.source, flags, PARAMS);
  if (r.status === "safe") return { kind: "linear", detail: r.complexity.summary };
  if (r.status === "vulnerable") {
    const attack = r.attack.string;
    const shown =
      attack.length > 60 ? `${JSON.stringify(attack.slice(0, 60))}…` : JSON.stringify(attack);
    return { kind: r.complexity.type, detail: `${r.complexity.summary}; attack ${shown}` };
  }
  return { kind: "unknown", detail: r.error?.kind ?? "no verdict" };
}

const args = process.argv.slice(2);
const pyAt = args.indexOf("--python");
/** @type {Pattern[]} */
const patterns = [];
for (const dir of DIRS)
  for (const f of jsFiles(join(HERE, dir))) patterns.push(...(await jsPatterns(f)));
if (pyAt >= 0) patterns.push(...JSON.parse(readFileSync(args[pyAt + 1], "utf8")));

let failed = 0;
/** @type {Record<string, number>} */
const counts = {};
const rows = [];
for (const p of patterns) {
  const v = await verdict(p);
  counts[v.kind] = (counts[v.kind] ?? 0) + 1;
  const slow = v.kind === "exponential" || v.kind === "polynomial";
  let problem = "";
  if ((slow || v.kind === "dynamic" || v.kind === "unknown") && !p.bounded) {
    problem = `${v.kind}: ${v.detail}`;
  } else if (!slow && v.kind !== "unknown" && v.kind !== "dynamic" && p.bounded) {
    problem = `marked "${BOUNDED}" but recheck finds it ${v.detail}: remove the note`;
  }
  if (slow && p.bounded) counts.bounded = (counts.bounded ?? 0) + 1;
  rows.push({ ...p, verdict: v.kind, detail: v.detail });
  if (problem) {
    failed++;
    console.log(`${p.file}:${p.line}: /${p.source}/${p.flags}\n    ${problem}`);
  }
}
if (args.includes("--json")) console.log(JSON.stringify(rows, null, 1));
const summary = Object.entries(counts)
  .map(([k, n]) => `${n} ${k}`)
  .join(", ");
console.log(`redos: ${patterns.length} patterns (${summary}); ${failed} unbounded finding(s)`);
process.exit(failed ? 1 : 0);
