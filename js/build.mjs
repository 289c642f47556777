// Bundle src/index.js (and the CSS it imports) into ../nbagent/static/widget.{js,css},
// src/loader.js, each widget's own tiny `_esm`, into ../nbagent/static/loader.js, and
// src/math_chunk.js (KaTeX), imported by the widget on the first formula, into
// ../nbagent/static/math.js, src/answer_chunk.js (a paused call's answers), imported by the
// widget the first time a live run shows a paused call, into ../nbagent/static/answer.js,
// src/inspector/ (the MCP inspector's view, its own widget's
// `_esm` and `_css`) into ../nbagent/static/inspector.{js,css}, and src/evaluation/ (an
// evaluation's table, EvaluationWidget's `_esm` and `_css`) into
// ../nbagent/static/evaluation.{js,css}. Each entry is a whole bundle of its own (no shared
// chunks).
// Usage: node build.mjs [--watch] [--tree DIR]; --tree builds DIR/js/src into DIR/nbagent/static
// with this checkout's packages (benchmarks/hostile.py builds an older checkout so).
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const treeFlag = process.argv.indexOf("--tree");
const tree =
  treeFlag > 0 ? process.argv[treeFlag + 1] : fileURLToPath(new URL("..", import.meta.url));

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: {
    widget: `${tree}/js/src/index.js`,
    loader: `${tree}/js/src/loader.js`,
    math: `${tree}/js/src/math_chunk.js`,
    answer: `${tree}/js/src/answer_chunk.js`,
    inspector: `${tree}/js/src/inspector/index.js`,
    evaluation: `${tree}/js/src/evaluation/index.js`,
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

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
