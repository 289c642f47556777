// No module of the renderer keeps mutable state of its own (issue 32): what the views of a
// page share is made where a widget begins (js/src/widget/index.js, the lab renderer) and passed
// down (js/src/markdown/page.js). Read with a real parser (acorn, the build's own): a top-level
// `let` or `var`, or a top-level `const` holding a collection (`new Map/Set/WeakMap/...`, `[]`,
// `{}`) that the module changes, fails here.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "acorn";
import { expect, test } from "vitest";

const JS = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Collections a module may change, each with why it is not the renderer's state.
 * @type {Record<string, string>}
 */
const ALLOWED = {
  // The loader is not the renderer: it is each widget's `_esm`, run once per widget, and this
  // is the page's registry of imported bundles, kept on globalThis on purpose (one import per
  // page and code version, whichever copy of the loader asks).
  "src/base/loader.js loaded": "the page's bundle imports (globalThis.__nbagentLoaded)",
  // Like each lazy chunk's holder (`export const toolsChunk = heldChunk(...)`), one per copy of
  // the bundle: the index of those holders, each added once as its module loads, which the
  // widget reads to take every chunk from the code model (nbagent/widget/chunks.json).
  "src/base/chunks.js held": "the lazy chunks this copy of the bundle holds, by name",
};

const COLLECTIONS = new Set(["Map", "Set", "WeakMap", "WeakSet", "Array", "Object"]);
const MUTATORS = new Set([
  ...["set", "add", "delete", "clear"],
  ...["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin"],
]);

/** @param {string} dir @returns {string[]} */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith(".js") && !e.name.endsWith(".test.js") ? [path] : [];
  });
}

/**
 * Whether an initializer makes a collection (directly, or as one side of `??`, `||`, `?:`).
 * @param {any} node
 * @returns {boolean}
 */
function makesCollection(node) {
  if (!node) return false;
  if (node.type === "ArrayExpression" || node.type === "ObjectExpression") return true;
  if (node.type === "NewExpression") return COLLECTIONS.has(node.callee.name);
  if (node.type === "LogicalExpression") {
    return makesCollection(node.left) || makesCollection(node.right);
  }
  if (node.type === "ConditionalExpression") {
    return makesCollection(node.consequent) || makesCollection(node.alternate);
  }
  return false;
}

/**
 * Every node under `node` (acorn's ESTree), depth first.
 * @param {any} node
 * @param {(n: any) => void} visit
 */
function walk(node, visit) {
  if (!node || typeof node.type !== "string") return;
  visit(node);
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) walk(c, visit);
    else if (v && typeof v === "object" && typeof v.type === "string") walk(v, visit);
  }
}

/** The variable a member chain starts from (`x` of `x.a[b].c`). @param {any} n */
function rootName(n) {
  let m = n;
  while (m?.type === "MemberExpression") m = m.object;
  return m?.type === "Identifier" ? m.name : null;
}

/**
 * The names of top-level collections the module changes: a mutating method called on one
 * (`x.set(...)`, `x.a.push(...)`), a property assigned, updated or deleted (`x.k = v`,
 * `x.n++`, `delete x.k`), or `Object.assign(x, ...)`.
 * @param {any} ast
 * @param {Set<string>} names
 * @returns {Set<string>}
 */
function mutated(ast, names) {
  /** @type {Set<string>} */
  const found = new Set();
  /** @param {any} target */
  const note = (target) => {
    const name = target?.type === "MemberExpression" ? rootName(target) : null;
    if (name && names.has(name)) found.add(name);
  };
  walk(ast, (n) => {
    if (n.type === "AssignmentExpression") note(n.left);
    else if (n.type === "UpdateExpression") note(n.argument);
    else if (n.type === "UnaryExpression" && n.operator === "delete") note(n.argument);
    else if (n.type === "CallExpression" && n.callee.type === "MemberExpression") {
      const callee = n.callee;
      const method = callee.computed ? null : callee.property.name;
      if (method && MUTATORS.has(method)) {
        const name = rootName(callee.object);
        if (name && names.has(name)) found.add(name);
      }
      if (rootName(callee) === "Object" && method === "assign") {
        const first = n.arguments[0];
        const name = first?.type === "Identifier" ? first.name : rootName(first);
        if (name && names.has(name)) found.add(name);
      }
    }
  });
  return found;
}

/**
 * A module's state: `where name` for each top-level `let`/`var`, and each top-level `const`
 * collection it changes.
 * @param {string} text the module's source
 * @param {string} where its path under js/
 * @returns {string[]}
 */
function stateIn(text, where) {
  const ast = parse(text, { ecmaVersion: "latest", sourceType: "module" });
  /** @type {string[]} */
  const state = [];
  /** @type {Set<string>} */
  const collections = new Set();
  for (const statement of ast.body) {
    const decl = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
    if (decl?.type !== "VariableDeclaration") continue;
    for (const d of decl.declarations) {
      /** @type {string[]} */
      const ids = [];
      walk(d.id, (n) => n.type === "Identifier" && ids.push(n.name));
      if (decl.kind !== "const") state.push(...ids.map((id) => `${where} ${id} (${decl.kind})`));
      else if (d.id.type === "Identifier" && makesCollection(d.init)) collections.add(d.id.name);
    }
  }
  for (const name of mutated(ast, collections)) state.push(`${where} ${name}`);
  return state;
}

/** @param {string} path */
const stateOf = (path) =>
  stateIn(readFileSync(path, "utf8"), relative(JS, path)).filter((s) => !(s in ALLOWED));

test("no module of js/src keeps mutable state at its top level", () => {
  const found = modules(join(JS, "src")).flatMap(stateOf);
  expect(found).toEqual([]);
});

test("the check finds what it looks for, and only that", () => {
  const src = [
    "let a = 0;",
    "export var v;",
    "const b = new Map(); b.set(1, 2);",
    "const c = {}; c.k = 1;",
    "const d = []; d.push(1);",
    "const e = g ?? new Set(); e.add(1);",
    "export const f = { n: 0 }; function bump() { f.n++; }",
    "const h = {}; Object.assign(h, {});",
    "const i = { deep: [] }; i.deep.push(1);",
    "const FROZEN = new Set([1]); FROZEN.has(1);",
    "const TABLE = { a: 1 }; const one = TABLE.a;",
    "function inner() { let x = 0; x++; const y = []; y.push(x); }",
  ].join("\n");
  expect(stateIn(src, "m.js").sort()).toEqual(
    ["a (let)", "v (var)", "b", "c", "d", "e", "f", "h", "i"].map((s) => `m.js ${s}`).sort(),
  );
});
