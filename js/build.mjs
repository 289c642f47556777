// Bundle src/widget/index.js (and the CSS it imports) into ../nbagent/static/widget.{js,css},
// src/base/loader.js, each widget's own tiny `_esm`, into ../nbagent/static/loader.js,
// src/widget/inspector/ (the MCP inspector's view, its own widget's `_esm` and `_css`) into
// ../nbagent/static/inspector.{js,css}, src/widget/evaluation/ (an evaluation's table,
// EvaluationWidget's `_esm` and `_css`) into ../nbagent/static/evaluation.{js,css}, and each lazy
// chunk of ../nbagent/widget/chunks.json (the one list of them: docs/develop/lazy-chunks.md) from
// src/<its entry> into ../nbagent/static/<its name>.js. A chunk that does not bind (math, answer,
// case) is a whole bundle of its own. The chunks that bind are built after the widget: a module
// the widget bundle has is not copied into such a chunk but bound to the widget's own copy as the
// chunk loads (`sharedModules`, src/widget/shared.js, src/base/chunks.js `chunkFromCodeModel`), so
// a chunk holds only its own code and shares the widget's stores and classes.
// Beside the bundles, ../nbagent/static/metafile.json: each bundle's bytes and what each of its
// inputs adds (esbuild's metafile, trimmed), which tests/test_bundle_size.py names when a bundle
// grows over its margin.
// Usage: node build.mjs [--watch] [--analyze] [--tree DIR]; --tree builds DIR/js/src into
// DIR/nbagent/static with this checkout's packages and list (benchmarks/hostile.py builds an older
// checkout so); --analyze prints what each bundle and chunk is made of, biggest first.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as acorn from "acorn";
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const analyze = process.argv.includes("--analyze");
const treeFlag = process.argv.indexOf("--tree");
const tree =
  treeFlag > 0 ? process.argv[treeFlag + 1] : fileURLToPath(new URL("..", import.meta.url));

/**
 * Where `file`, a module's path under js/src/, is in `tree`: in its layer's folder, or, in an
 * older tree (--tree) from before the folders, at the top of src/ (inspector/ and evaluation/
 * as they are).
 * @param {string} file
 */
function srcOf(file) {
  const layered = path.resolve(tree, "js/src", file);
  return existsSync(layered)
    ? layered
    : path.resolve(tree, "js/src", file.replace(/^[a-z]+\//, ""));
}

const WIDGET = srcOf("widget/index.js");

/**
 * The lazy chunks (../nbagent/widget/chunks.json), each with its entry in `tree` (an older tree,
 * --tree, may lack some: those are left out).
 * @type {{name: string, entry: string, binds: boolean}[]}
 */
const LAZY = JSON.parse(
  readFileSync(fileURLToPath(new URL("../nbagent/widget/chunks.json", import.meta.url)), "utf8"),
).chunks.filter((/** @type {{entry: string}} */ c) => existsSync(srcOf(c.entry)));

/** @param {boolean} binds @returns {Record<string, string>} the chunks' entries by name */
const chunkEntries = (binds) =>
  Object.fromEntries(LAZY.filter((c) => c.binds === binds).map((c) => [c.name, srcOf(c.entry)]));

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: {
    widget: WIDGET,
    loader: srcOf("base/loader.js"),
    inspector: srcOf("widget/inspector/index.js"),
    evaluation: srcOf("widget/evaluation/index.js"),
    ...chunkEntries(false),
  },
  bundle: true,
  format: "esm",
  target: ["es2022"],
  outdir: `${tree}/nbagent/static`,
  nodePaths: [fileURLToPath(new URL("node_modules", import.meta.url))],
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "eof",
  charset: "utf8", // "·", "…" and KaTeX's symbols as themselves, not \\u escapes
  logLevel: "info",
};

/** The chunks that bind: their entries import the widget's modules, bound at load (below). */
const CHUNKS = chunkEntries(true);

/** src/widget/shared.js's SHARED: its declaration's object, parsed. @returns {any} */
function sharedObject() {
  const file = srcOf("widget/shared.js");
  const ast = acorn.parse(readFileSync(file, "utf8"), {
    ecmaVersion: "latest",
    sourceType: "module",
  });
  for (const node of /** @type {any[]} */ (ast.body)) {
    const decl = node.type === "ExportNamedDeclaration" ? node.declaration : null;
    const shared = decl?.declarations?.find((/** @type {any} */ d) => d.id.name === "SHARED");
    if (shared) return shared.init;
  }
  return null;
}

/**
 * What src/widget/shared.js hands to chunks: its SHARED object's names by module path, in its
 * order, and where each is in the array the widget bundle hands over (`sharedAsArray`).
 * @returns {Map<string, string[]> & {at: (module: string, name: string) => number}}
 */
function sharedNames() {
  const names = new Map();
  /** @type {string[]} */
  const order = [];
  for (const p of sharedObject()?.properties ?? []) {
    const list = p.value.properties.map((/** @type {any} */ q) => q.key.name);
    names.set(p.key.value, list);
    for (const n of list) order.push(`${p.key.value}#${n}`);
  }
  const at = (/** @type {string} */ module, /** @type {string} */ name) =>
    order.indexOf(`${module}#${name}`);
  return Object.assign(names, { at });
}

/**
 * The widget bundle's SHARED as the chunks get it: an array of its values in its order (a
 * chunk takes each by its index, `sharedModules`), so the bundle carries none of its names,
 * which only the build reads.
 */
const sharedAsArray = {
  name: "nbagent-shared-array",
  /** @param {import("esbuild").PluginBuild} build */
  setup(build) {
    const file = srcOf("widget/shared.js");
    build.onLoad({ filter: /shared\.js$/ }, (args) => {
      if (path.resolve(args.path) !== file) return undefined;
      const text = readFileSync(file, "utf8");
      const init = sharedObject();
      if (!init) return undefined;
      const values = init.properties.flatMap((/** @type {any} */ p) =>
        p.value.properties.map((/** @type {any} */ q) => q.value.name),
      );
      return {
        contents: `${text.slice(0, init.start)}[${values.join(", ")}]${text.slice(init.end)}`,
        loader: "js",
      };
    });
  },
};
options.plugins = [sharedAsArray];

/**
 * The names `importer` takes from module `spec` (its `import` and `export ... from`): all of
 * them (null) for `import * as`.
 * @param {string} importer an absolute path
 * @param {string} spec as written in it
 * @returns {string[] | null}
 */
function importedNames(importer, spec) {
  const ast = acorn.parse(readFileSync(importer, "utf8"), {
    ecmaVersion: "latest",
    sourceType: "module",
  });
  const names = new Set();
  for (const node of /** @type {any[]} */ (ast.body)) {
    if (node.source?.value !== spec) continue;
    if (node.type === "ExportAllDeclaration") return null;
    for (const s of node.specifiers ?? []) {
      if (s.type === "ImportNamespaceSpecifier") return null;
      const name = s.type === "ImportDefaultSpecifier" ? "default" : (s.imported ?? s.local);
      names.add(typeof name === "string" ? name : (name.name ?? name.value));
    }
  }
  return [...names];
}

/**
 * Modules of the widget bundle, imported from a chunk, become a module of live bindings set
 * by the chunk's `bind(shared)` (shared: src/widget/shared.js's SHARED, the names of the widget's
 * modules a chunk uses, handed over by chunks.js as it imports the chunk) before the chunk's
 * code runs any of it. Each importer gets the names it imports only: a chunk carries no
 * binding for a name of SHARED it does not use.
 * @param {Set<string>} inWidget absolute paths of the widget bundle's own modules
 */
const sharedModules = (inWidget) => ({
  name: "nbagent-shared",
  /** @param {import("esbuild").PluginBuild} build */
  setup(build) {
    const src = `${path.resolve(tree, "js/src")}/`;
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.namespace !== "file") return undefined;
      const file = path.resolve(args.resolveDir, args.path);
      const module = file.slice(src.length);
      if (!inWidget.has(file)) return undefined;
      const names = importedNames(args.importer, args.path);
      return { path: `${module}#${names?.join(",") ?? "*"}`, namespace: "nbagent-shared" };
    });
    build.onResolve({ filter: /^nbagent-bind$/ }, () => ({
      path: "bind",
      namespace: "nbagent-bind",
    }));
    build.onLoad({ filter: /.*/, namespace: "nbagent-bind" }, () => ({
      contents: "export const binds = [];",
      loader: "js",
    }));
    build.onLoad({ filter: /.*/, namespace: "nbagent-shared" }, (args) => {
      const [module, wanted] = args.path.split("#");
      const shared = sharedNames();
      const names = shared.get(module);
      if (!names)
        return { errors: [{ text: `${module} is not in src/widget/shared.js's SHARED` }] };
      const missing = wanted === "*" ? [] : wanted.split(",").filter((n) => !names.includes(n));
      if (missing.length)
        return {
          errors: [{ text: `src/widget/shared.js's SHARED has no ${missing} of ${module}` }],
        };
      const list = wanted === "*" ? names : wanted.split(",");
      const taken = list.map((n) => `${n} = shared[${shared.at(module, n)}];`).join(" ");
      return {
        contents: `import { binds } from "nbagent-bind";
export let ${list.join(", ")};
binds.push((shared) => { ${taken} });`,
        loader: "js",
      };
    });
    build.onResolve({ filter: /^nbagent-chunk:/ }, (args) => ({
      path: args.path.slice("nbagent-chunk:".length),
      namespace: "nbagent-chunk",
    }));
    build.onLoad({ filter: /.*/, namespace: "nbagent-chunk" }, (args) => ({
      contents: `import { binds } from "nbagent-bind";
export { default } from ${JSON.stringify(args.path)};
export const bind = (shared) => { for (const b of binds) b(shared); };`,
      loader: "js",
      resolveDir: path.dirname(args.path),
    }));
  },
});

const built = await esbuild.build({ ...options, minify: true, sourcemap: false, metafile: true });
// the metafile's paths are relative to the working directory, as path.resolve takes them
const widget = Object.values(built.metafile.outputs).find(
  (o) => o.entryPoint && path.resolve(o.entryPoint) === WIDGET,
);
const inWidget = new Set(Object.keys(widget?.inputs ?? {}).map((f) => path.resolve(f)));
/** @type {import("esbuild").BuildOptions} */
const chunks = {
  ...options,
  entryPoints: Object.fromEntries(
    Object.entries(CHUNKS).map(([name, file]) => [name, `nbagent-chunk:${file}`]),
  ),
  plugins: [sharedModules(inWidget)],
};
if (watch) {
  await (await esbuild.context(options)).watch();
  await (await esbuild.context(chunks)).watch();
} else {
  const builtChunks = Object.keys(chunks.entryPoints ?? {}).length
    ? await esbuild.build({ ...chunks, metafile: true })
    : null;
  if (analyze && builtChunks) console.log(await esbuild.analyzeMetafile(builtChunks.metafile));
  if (analyze) console.log(await esbuild.analyzeMetafile(built.metafile));
  writeMetafile([built.metafile, builtChunks?.metafile]);
}

/**
 * Write ../nbagent/static/metafile.json: each bundle's bytes and its inputs' (what each adds to
 * it, minified), biggest first, by a path under js/src/ or a package's ("marked/lib/...").
 * @param {(import("esbuild").Metafile | undefined)[]} metafiles
 */
function writeMetafile(metafiles) {
  const src = `${path.resolve(tree, "js/src")}/`;
  /** @param {string} file @returns {string} */
  const named = (file) => {
    const full = file.includes(":") ? file : path.resolve(file); // a plugin's: "nbagent-chunk:..."
    const modules = full.lastIndexOf("node_modules/");
    return modules >= 0 ? full.slice(modules + "node_modules/".length) : full.replace(src, "");
  };
  /** @type {Record<string, {bytes: number, inputs: Record<string, number>}>} */
  const bundles = {};
  for (const meta of metafiles)
    for (const [file, out] of Object.entries(meta?.outputs ?? {})) {
      if (!file.endsWith(".js")) continue;
      const inputs = Object.entries(out.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
        .map(([input, i]) => [named(input), i.bytesInOutput]);
      bundles[path.basename(file)] = { bytes: out.bytes, inputs: Object.fromEntries(inputs) };
    }
  writeFileSync(`${tree}/nbagent/static/metafile.json`, `${JSON.stringify(bundles, null, 1)}\n`);
}
